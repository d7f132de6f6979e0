/**
 * The officer console's API (the React console will call it; tests do now):
 *
 *   POST   /api/admin/v1/officers                       create an officer (bootstrap admin token)
 *   POST   /api/console/v1/session                      sign in: username + password + TOTP
 *   DELETE /api/console/v1/session                      sign out
 *   GET    /api/console/v1/queue                        pending registrations by SLA deadline
 *   POST   /api/console/v1/cases/:accountId/claim       claim a case (30 min)
 *   GET    /api/console/v1/cases/:accountId             the case: form, document, evidence, decisions
 *   POST   /api/console/v1/cases/:accountId/decision    approve / reject (reason) / resubmit (part)
 *   POST   /api/console/v1/decisions/:id/second-opinion confirm or overrule a fraud rejection
 *
 * Officers authenticate with a bearer session token (or the HttpOnly `cdk_console` cookie).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin } from '../admin/admin-auth';
import type { Deps } from '../deps';
import { sealContext } from '../flows/registration/flow-data';
import { cookieValue } from '../login/pages.routes';
import { createOfficer, officerForToken, signIn, signOut } from './officers';
import { claimCase, decide, REASON_CODES, RESUBMIT_PARTS, reviewQueue, secondOpinion } from './review';

const COOKIE = 'cdk_console';
const accountParams = z.object({ accountId: z.uuid() }).strict();

export function consoleRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const tokenOf = (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    return header.startsWith('Bearer ') ? header.slice(7) : cookieValue(request, COOKIE);
  };
  const officer = (request: FastifyRequest) => officerForToken(deps, tokenOf(request));

  app.post(
    '/api/admin/v1/officers',
    {
      schema: {
        body: z
          .object({
            username: z.string().regex(/^[a-z0-9._-]{3,40}$/i),
            displayName: z.string().min(2).max(120),
            role: z.enum(['officer', 'supervisor', 'administrator']),
            password: z.string().min(12).max(200),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      requireAdmin(request, deps);
      return reply.status(201).send(await createOfficer(deps, request.body));
    },
  );

  app.post(
    '/api/console/v1/session',
    {
      schema: {
        body: z
          .object({ username: z.string().max(40), password: z.string().max(200), totp: z.string().max(6) })
          .strict(),
      },
    },
    async (request, reply) => {
      const session = await signIn(deps, request.body);
      reply.header(
        'set-cookie',
        `${COOKIE}=${session.token}; Path=/api/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
      return session;
    },
  );

  app.delete('/api/console/v1/session', async (request) => {
    const token = tokenOf(request);
    await officer(request);
    if (token) await signOut(deps, token);
    return { signedOut: true };
  });

  app.get('/api/console/v1/queue', async (request) => {
    await officer(request);
    return { cases: await reviewQueue(deps) };
  });

  app.post('/api/console/v1/cases/:accountId/claim', { schema: { params: accountParams } }, async (request) =>
    claimCase(deps, await officer(request), request.params.accountId),
  );

  app.get('/api/console/v1/cases/:accountId', { schema: { params: accountParams } }, async (request) => {
    await officer(request);
    const { accountId } = request.params;
    const a = await deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const evidence = await deps.db
      .selectFrom('evidence')
      .selectAll()
      .where('account_id', '=', accountId)
      .execute();
    const decisions = await deps.db
      .selectFrom('review_decisions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .execute();
    return {
      accountId,
      status: a.status,
      reviewDeadline: a.review_deadline.toISOString(),
      form: {
        khmerSurname: a.khmer_surname,
        khmerGivenName: a.khmer_given_name,
        latinSurname: a.latin_surname,
        latinGivenName: a.latin_given_name,
        gender: a.gender,
        birthDate: a.birth_date,
        nationality: a.nationality,
        documentType: a.document_type,
        documentNumber: deps.envelope.openText(
          a.document_number_enc,
          sealContext.accountDocumentNumber(a.id),
        ),
        issueDate: a.document_issue_date,
        expiryDate: a.document_expiry_date,
      },
      mrz: deps.envelope.openText(a.mrz_enc, sealContext.accountMrz(a.id)).split('\n'),
      flags: a.review_flags,
      evidence: evidence.map((e) => ({
        kind: e.kind,
        status: e.status,
        score: e.score,
        details: e.details,
        provenance: e.provenance,
        computedAt: e.computed_at.toISOString(),
      })),
      decisions: decisions.map((d) => ({
        id: d.id,
        decision: d.decision,
        reasonCode: d.reason_code,
        part: d.part,
        state: d.state,
        officerId: d.officer_id,
        createdAt: d.created_at.toISOString(),
      })),
    };
  });

  app.post(
    '/api/console/v1/cases/:accountId/decision',
    {
      schema: {
        params: accountParams,
        body: z
          .object({
            decision: z.enum(['approve', 'reject', 'resubmit']),
            reasonCode: z.enum(REASON_CODES).optional(),
            part: z.enum(RESUBMIT_PARTS).optional(),
            note: z.string().max(2000).optional(),
          })
          .strict()
          .refine((b) => b.decision !== 'reject' || b.reasonCode, 'a rejection needs a reason code')
          .refine((b) => b.decision !== 'resubmit' || b.part, 'a resubmission names the part')
          .refine((b) => b.reasonCode !== 'other' || b.note, 'reason "other" needs a note'),
      },
    },
    async (request) =>
      decide(deps, await officer(request), request.params.accountId, request.body, {
        ip: request.ip,
        requestId: request.id,
      }),
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
      secondOpinion(deps, await officer(request), request.params.id, request.body.confirm, {
        ip: request.ip,
        requestId: request.id,
      }),
  );
}
