/**
 * The officer console's API (apps/console calls it):
 *
 *   POST   /api/console/v1/session                      sign in: username + password + TOTP
 *   GET    /api/console/v1/me                           the signed-in officer
 *   DELETE /api/console/v1/session                      sign out
 *   GET    /api/console/v1/queue                        pending registrations by SLA deadline (filters)
 *   POST   /api/console/v1/cases/:accountId/claim       claim a case (30 min)
 *   GET    /api/console/v1/cases/:accountId             the case: form, MRZ, registry, evidence, history
 *   GET    /api/console/v1/cases/:accountId/media/:kind document photo, selfie, liveness, registry portrait
 *   POST   /api/console/v1/cases/:accountId/decision    approve / reject (reason) / resubmit (part)
 *   GET    /api/console/v1/second-opinions              fraud rejections waiting for a second officer
 *   POST   /api/console/v1/decisions/:id/second-opinion confirm or overrule a fraud rejection
 *   GET    /api/console/v1/dashboard                    SLA dashboard, workload, approvals to re-check (supervisor)
 *   GET    /api/console/v1/settings                     working calendar, SLA and thresholds in force
 *   GET    /api/console/v1/officers                     officer accounts (administrator)
 *   GET    /api/console/v1/expiries                     certificates and keys, soonest expiry first (administrator)
 *   POST   /api/console/v1/officers                     create an officer (administrator)
 *   POST   /api/admin/v1/officers                       create an officer (bootstrap admin token too)
 *   GET    /api/console/v1/recovery-referrals           recoveries referred to an officer (open)
 *   POST   /api/console/v1/recovery-referrals/:id       resolve one: retry allowed / refused (note)
 *
 * Officers authenticate with the HttpOnly `cdk_console` cookie (Path=/api, so the administration
 * API accepts an administrator's console session too) or a bearer session token.
 */
import { REJECTION_REASONS, RESUBMISSION_PARTS } from '@camdigikey/contracts/review';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONSOLE_COOKIE, consoleToken, requireAdmin } from '../admin/admin-auth';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { CRITICAL_DAYS, expiries, WARNING_DAYS } from '../observability/expiries';
import { caseFile, caseMedia, MEDIA_KINDS } from './case-file';
import { createOfficer, officerForToken, signIn, signOut } from './officers';
import { dashboard, listOfficers, pendingSecondOpinions, requireRole, reviewSettings } from './oversight';
import { limitPasswordAttempts } from './password-limits';
import { openReferrals, resolveReferral, resolveReferralBody } from './recovery-referrals';
import { claimCase, decide, reviewQueue, secondOpinion } from './review';

const accountParams = z.object({ accountId: z.uuid() }).strict();
const officerBody = z
  .object({
    username: z.string().regex(/^[a-z0-9._-]{3,40}$/i),
    displayName: z.string().min(2).max(120),
    role: z.enum(['officer', 'supervisor', 'administrator']),
    password: z.string().min(12).max(200),
  })
  .strict();

export function consoleRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const tokenOf = consoleToken;
  const officer = (request: FastifyRequest) => officerForToken(deps, tokenOf(request));
  const ctx = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id });

  app.post('/api/admin/v1/officers', { schema: { body: officerBody } }, async (request, reply) => {
    const actor = await requireAdmin(request, deps);
    await limitPasswordAttempts(deps, { ip: request.ip, username: actor });
    return reply.status(201).send(await createOfficer(deps, request.body));
  });

  app.post(
    '/api/console/v1/session',
    {
      // A full password pool refuses before the body is even parsed: a flood costs little.
      onRequest: async () => deps.passwords.ensureCapacity(),
      schema: {
        body: z
          .object({ username: z.string().max(40), password: z.string().max(200), totp: z.string().max(6) })
          .strict(),
      },
    },
    async (request, reply) => {
      await limitPasswordAttempts(deps, { ip: request.ip, username: request.body.username });
      const session = await signIn(deps, request.body);
      reply.header(
        'set-cookie',
        `${CONSOLE_COOKIE}=${session.token}; Path=/api; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
      return session;
    },
  );

  app.delete('/api/console/v1/session', async (request, reply) => {
    const token = tokenOf(request);
    await officer(request);
    if (token) await signOut(deps, token);
    reply.header('set-cookie', `${CONSOLE_COOKIE}=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { signedOut: true };
  });

  app.get('/api/console/v1/me', async (request) => officer(request));

  app.get(
    '/api/console/v1/queue',
    {
      schema: {
        querystring: z
          .object({
            documentType: z.enum(['id_card', 'passport']).optional(),
            nationality: z
              .string()
              .regex(/^[A-Z<]{3}$/)
              .optional(),
            flag: z
              .string()
              .regex(/^[a-z_]{2,40}$/)
              .optional(),
          })
          .strict(),
      },
    },
    async (request) => {
      await officer(request);
      return { cases: await reviewQueue(deps, request.query) };
    },
  );

  app.post('/api/console/v1/cases/:accountId/claim', { schema: { params: accountParams } }, async (request) =>
    claimCase(deps, await officer(request), request.params.accountId),
  );

  app.get('/api/console/v1/cases/:accountId', { schema: { params: accountParams } }, async (request) => {
    const who = await officer(request);
    return {
      ...(await caseFile(deps, who, request.params.accountId, ctx(request))),
      thresholds: reviewSettings(deps).thresholds,
    };
  });

  app.get(
    '/api/console/v1/cases/:accountId/media/:kind',
    { schema: { params: z.object({ accountId: z.uuid(), kind: z.enum(MEDIA_KINDS) }).strict() } },
    async (request, reply) => {
      const who = await officer(request);
      const media = await caseMedia(deps, who, request.params.accountId, request.params.kind, ctx(request));
      reply.header('cache-control', 'private, no-store');
      if ('json' in media) return media.json;
      return reply.type(media.type).send(media.body);
    },
  );

  app.post(
    '/api/console/v1/cases/:accountId/decision',
    {
      schema: {
        params: accountParams,
        body: z
          .object({
            decision: z.enum(['approve', 'reject', 'resubmit']),
            reasonCode: z.enum(REJECTION_REASONS).optional(),
            part: z.enum(RESUBMISSION_PARTS).optional(),
            note: z.string().max(2000).optional(),
          })
          .strict()
          .refine((b) => b.decision !== 'reject' || b.reasonCode, 'a rejection needs a reason code')
          .refine((b) => b.decision !== 'resubmit' || b.part, 'a resubmission names the part')
          .refine((b) => b.reasonCode !== 'other' || b.note, 'reason "other" needs a note'),
      },
    },
    async (request) =>
      decide(deps, await officer(request), request.params.accountId, request.body, ctx(request)),
  );

  app.post(
    '/api/console/v1/decisions/:id/second-opinion',
    {
      schema: {
        params: z.object({ id: z.uuid() }).strict(),
        body: z.object({ confirm: z.boolean() }).strict(),
      },
    },
    async (request) =>
      secondOpinion(deps, await officer(request), request.params.id, request.body.confirm, ctx(request)),
  );

  app.get('/api/console/v1/second-opinions', async (request) => {
    await officer(request);
    return { items: await pendingSecondOpinions(deps) };
  });

  app.get('/api/console/v1/dashboard', async (request) => {
    requireRole(await officer(request), 'supervisor', 'administrator');
    return dashboard(deps);
  });

  app.get('/api/console/v1/settings', async (request) => {
    await officer(request);
    return reviewSettings(deps);
  });

  app.get('/api/console/v1/officers', async (request) => {
    requireRole(await officer(request), 'administrator');
    return { officers: await listOfficers(deps) };
  });

  app.get('/api/console/v1/expiries', async (request) => {
    requireRole(await officer(request), 'administrator');
    return { warningDays: WARNING_DAYS, criticalDays: CRITICAL_DAYS, items: await expiries(deps) };
  });

  app.post('/api/console/v1/officers', { schema: { body: officerBody } }, async (request, reply) => {
    const admin = await officer(request);
    requireRole(admin, 'administrator');
    await limitPasswordAttempts(deps, { ip: request.ip, username: `officer:${admin.id}` });
    const created = await createOfficer(deps, request.body);
    await recordAudit(
      deps.db,
      {
        actorType: 'officer',
        actorId: admin.id,
        action: 'officer.created',
        subjectType: 'officer',
        subjectId: created.id,
        ip: request.ip,
        requestId: request.id,
        details: { role: request.body.role },
      },
      deps.clock.now(),
    );
    return reply.status(201).send({ id: created.id, otpauthUri: created.otpauthUri });
  });

  app.get('/api/console/v1/recovery-referrals', async (request) => {
    await officer(request);
    return { referrals: await openReferrals(deps) };
  });

  app.post(
    '/api/console/v1/recovery-referrals/:id',
    { schema: { params: z.object({ id: z.uuid() }).strict(), body: resolveReferralBody } },
    async (request) => {
      const who = await officer(request);
      return resolveReferral(deps, who, request.params.id, request.body, ctx(request));
    },
  );
}
