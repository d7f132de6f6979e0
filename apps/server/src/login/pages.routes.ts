/**
 * The browser side of a web login (the provider's interaction URL, user guide 3.1):
 *
 *   GET  /login/:uid               QR page (prompt "login") or "Continue as" + consent (prompt "consent")
 *   GET  /login/:uid/events        server-sent events: a new QR every second, request state changes
 *   GET  /login/:uid/complete      the approved login, collected by the browser that started it
 *   POST /login/:uid/consent       allow / decline the data release (the grant is remembered)
 *   POST /login/:uid/switch        use another account (a fresh QR login)
 *   POST /login/:uid/abort         cancel: back to the relying party with access_denied
 *   GET  /login/assets/:file       the page's script and style
 *
 * oidc-provider binds each interaction to the browser with its own cookie; our login request is
 * bound again with an HttpOnly cookie, so only that browser sees the number to match and can
 * complete the login. Pages are HTML (Khmer by default); failures render an error page.
 */
import { ASSETS, CSP, confirmPage, errorPage, qrPage, type RpView } from '@camdigikey/login';
import type { Language } from '@camdigikey/messages';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import QRCode from 'qrcode';
import { z } from 'zod';
import { personalOf } from '../accounts/personal-data';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { type EndStream, EVENT_STREAM_HEADERS, RECONNECT_EVENT, type Streams } from '../http/event-stream';
import { releaseLongLived } from '../http/load-shedding';
import { dependencyOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../infra/outage';
import { CLAIMS_BY_SCOPE, requestedClaims, scopesOfClaims } from '../oidc/account';
import { ACR } from '../oidc/provider';
import { notifyAccount } from '../push/push';
import {
  boundRequest,
  completeLogin,
  createLoginRequest,
  type LoginRequestView,
  loginChannel,
  qrAt,
  qrSourceOf,
  viewOf,
  viewOfRow,
} from './login-requests';

/**
 * The login QR as SVG, in one byte-mode segment: given a bare string, the QR library searches for
 * the optimal mix of segment modes (a shortest-path search per code), which issue 18's profile of
 * a login showed among the top self-time items; one byte segment skips it for a payload this short.
 */
const drawQr = (payload: string) =>
  QRCode.toString([{ data: Buffer.from(payload), mode: 'byte' }], { type: 'svg', margin: 1 });

/**
 * The QRs drawn in the last moments, by payload: a payload is valid for one second, and the login
 * page and its event stream's first tick (which opens right after it, within that second) show the
 * same one. Drawing it once saves one of a login's costliest items (issue 18 profile: the QR
 * library's mask selection). Bounded: the oldest entry goes first.
 */
const recentQrs = new Map<string, Promise<string>>();
const RECENT_QRS = 512;
function qrSvg(payload: string): Promise<string> {
  let svg = recentQrs.get(payload);
  if (!svg) {
    svg = drawQr(payload);
    recentQrs.set(payload, svg);
    svg.catch(() => recentQrs.delete(payload));
    if (recentQrs.size > RECENT_QRS) recentQrs.delete(recentQrs.keys().next().value as string);
  }
  return svg;
}

const COOKIE = 'cdk_lr';
/** Every this many QR ticks the login page's stream reads the request's state again. */
const STATE_REFRESH_TICKS = 10;

/** The state a status message announces (login-requests.ts publishes the request's view). */
function stateOf(message: string): LoginRequestView['state'] | undefined {
  try {
    const state = (JSON.parse(message) as { state?: unknown }).state;
    return typeof state === 'string' ? (state as LoginRequestView['state']) : undefined;
  } catch {
    return undefined;
  }
}
const eventsParams = z.object({ uid: z.string().min(1).max(128) });
const eventsQuery = z.object({ request: z.string().max(64).default('') }).loose();

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function languageOf(request: FastifyRequest, uiLocales?: unknown): Language {
  const query = (request.query as Record<string, string | undefined>).lang;
  if (query === 'en' || query === 'km') return query;
  if (typeof uiLocales === 'string' && uiLocales.split(' ')[0]?.startsWith('en')) return 'en';
  return 'km';
}

export function loginPageRoutes(
  app: FastifyInstance,
  deps: Deps,
  provider: Provider,
  streams: Streams,
): void {
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .send(body);

  /** A page that failed because PostgreSQL or Redis is away: 503, "try again later". */
  const failedPage = (request: FastifyRequest, reply: FastifyReply, error: unknown, code: string) => {
    if (!dependencyOutage(error)) return html(reply, 400, errorPage(languageOf(request), code));
    reply.header('retry-after', OUTAGE_RETRY_AFTER_SECONDS);
    return html(reply, 503, errorPage(languageOf(request), 'service_unavailable'));
  };

  const rpView = async (clientId: string, lang: Language): Promise<RpView> => {
    const rp = await deps.relyingParties.find(clientId);
    const name = lang === 'km' && rp?.app_name_km ? rp.app_name_km : (rp?.app_name ?? clientId);
    const organisation =
      lang === 'km' && rp?.organisation_km ? rp.organisation_km : (rp?.organisation ?? null);
    return { name, organisation, domain: rp?.domain ?? null, logoUrl: rp?.logo_url ?? null };
  };

  /** The OIDC scopes this relying party may be given (its registered client metadata). */
  const allowedScopes = async (clientId: string) => {
    const client = await provider.Client.find(clientId).catch(() => undefined);
    return String(client?.scope ?? 'openid').split(' ');
  };
  const parseClaims = (claims: unknown) => {
    if (typeof claims !== 'string') return claims;
    try {
      return JSON.parse(claims) as unknown;
    } catch {
      return undefined;
    }
  };

  const details = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await provider.interactionDetails(request.raw, reply.raw);
    } catch (cause) {
      throw new AppError('login_request_expired', { cause });
    }
  };

  app.get('/login/assets/:file', async (request, reply) => {
    const asset = ASSETS[(request.params as { file: string }).file];
    if (!asset) throw new AppError('not_found');
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=300')
      .send(asset.body);
  });

  /** A security notice to the citizen's phone: a login to this relying party. */
  const notifyNewLogin = async (accountId: string, clientId: string) => {
    const rp = await deps.relyingParties.find(clientId);
    notifyAccount(deps, accountId, {
      type: 'security_notice',
      event: 'new_login',
      relyingParty: { name: rp?.app_name, nameKm: rp?.app_name_km, domain: rp?.domain },
    });
  };

  app.get('/login/:uid', async (request, reply) => {
    const { uid } = request.params as { uid: string };
    let interaction: Awaited<ReturnType<typeof details>>;
    try {
      interaction = await details(request, reply);
    } catch (error) {
      return failedPage(request, reply, error, 'login_request_expired');
    }
    const lang = languageOf(request, interaction.params.ui_locales);
    const clientId = String(interaction.params.client_id);
    const rp = await rpView(clientId, lang);
    if (interaction.prompt.name === 'login') {
      const created = await createLoginRequest(deps, { uid, clientId });
      reply.header(
        'set-cookie',
        `${COOKIE}=${created.bindingToken}; Path=/login/${uid}; HttpOnly; SameSite=Lax; Max-Age=${deps.config.login.requestSeconds + 60}${secure ? '; Secure' : ''}`,
      );
      // The first QR is in the page itself; the event stream replaces it every second.
      const svg = created.firstQr ? await qrSvg(created.firstQr.payload) : '';
      return html(reply, 200, qrPage({ lang, uid, requestId: created.id, rp, qrSvg: svg }));
    }
    const accountId = interaction.session?.accountId;
    const account = accountId ? await personalOf(deps.db, deps.envelope, accountId) : undefined;
    if (!account) return html(reply, 400, errorPage(lang, 'login_request_expired'));
    const name =
      lang === 'km' && account.khmerSurname
        ? `${account.khmerSurname} ${account.khmerGivenName ?? ''}`.trim()
        : `${account.latinGivenName} ${account.latinSurname}`;
    const asked = String(interaction.params.scope ?? 'openid').split(' ');
    // Claims asked for by name (the claims parameter) are shown as their scopes.
    const byName = scopesOfClaims(
      requestedClaims(parseClaims(interaction.params.claims)),
      new Set(await allowedScopes(clientId)),
    ).scopes;
    const scopes = [...new Set([...asked, ...byName])];
    return html(reply, 200, confirmPage({ lang, uid, rp, name, scopes }));
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/login/:uid/events',
    { schema: { params: eventsParams, querystring: eventsQuery } },
    async (request, reply) => {
      const { uid } = request.params;
      const { request: requestId } = request.query;
      // Only the browser holding this login request's own binding cookie watches its QR and number.
      const row = await boundRequest(deps, { uid, requestId, bindingToken: cookieValue(request, COOKIE) });
      const view = viewOfRow(deps, row);
      // The QR changes every second but what it is made of does not: it is computed from the row
      // read once. The request's state comes with the status messages (and is read again every
      // STATE_REFRESH_TICKS seconds, in case a message was lost); the database is asked at expiry.
      const source = qrSourceOf(deps, row);
      let state = row.state;
      const res = reply.raw;
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      // Subscribed before the stream opens: when Redis is away this throws while the request can
      // still be answered (503 with Retry-After) instead of leaving an opened stream hanging.
      const unsubscribe = await deps.hot.subscribe(loginChannel(requestId), (message) => {
        state = stateOf(message) ?? state;
        res.write(`event: status\ndata: ${message}\n\n`);
      });
      reply.hijack();
      releaseLongLived(request);
      res.writeHead(200, EVENT_STREAM_HEADERS);
      let ticks = 0;
      const tick = async () => {
        if (++ticks % STATE_REFRESH_TICKS === 0 && state === 'pending')
          state = (await viewOf(deps, requestId)).state;
        const qr = state === 'pending' ? qrAt(source, deps.clock.now().getTime()) : undefined;
        if (qr)
          send('qr', {
            payload: qr.payload,
            secondsLeft: qr.secondsLeft,
            svg: await qrSvg(qr.payload),
          });
        else if (state === 'pending' || state === 'expired') {
          const now = await viewOf(deps, requestId);
          state = now.state;
          if (now.state === 'expired') {
            // Counted by the instance holding the page's stream, when the page learns it.
            deps.metrics.login('qr', 'expired');
            send('status', now);
            end();
          }
        }
      };
      // A tick that fails (the database away for a moment) is skipped; the next one tries again.
      const tickSafely = () =>
        tick().catch((err: unknown) => request.log.debug({ err }, 'login page stream update failed'));
      const timer = setInterval(() => void tickSafely(), 1000);
      const end: EndStream = (why) => {
        clearInterval(timer);
        streams.delete(end);
        void unsubscribe();
        if (!res.writableEnded) res.end(why === 'shutdown' ? RECONNECT_EVENT : undefined);
      };
      streams.add(end);
      request.raw.on('close', end);
      send('status', view);
      await tickSafely();
    },
  );

  app.get('/login/:uid/complete', async (request, reply) => {
    const { uid } = request.params as { uid: string };
    const requestId = String((request.query as Record<string, string | undefined>).request ?? '');
    try {
      await details(request, reply);
      const done = await completeLogin(deps, { uid, requestId, bindingToken: cookieValue(request, COOKIE) });
      const faceId = done.method === 'face_id';
      await recordAudit(
        deps.db,
        {
          actorType: 'device',
          actorId: done.deviceId,
          action: 'login.completed',
          subjectType: 'account',
          subjectId: done.accountId,
          ip: request.ip,
          requestId: request.id,
          details: { clientId: done.clientId, method: done.method },
        },
        deps.clock.now(),
      );
      // The security notice to the citizen's phone, here and not at the consent: a relying party
      // the account has consented to before asks for no consent (ADR 0016).
      await notifyNewLogin(done.accountId, done.clientId);
      reply.hijack();
      await provider.interactionFinished(
        request.raw,
        reply.raw,
        {
          login: {
            accountId: done.accountId,
            acr: faceId ? ACR.qrFaceId : ACR.qrPin,
            amr: faceId ? ['qr', 'face', 'hwk', 'user'] : ['qr', 'pin', 'hwk'],
            remember: true,
          },
        },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      return failedPage(request, reply, error, error instanceof AppError ? error.code : 'internal_error');
    }
  });

  app.post('/login/:uid/consent', async (request, reply) => {
    const interaction = await details(request, reply).catch(() => undefined);
    if (interaction?.prompt.name !== 'consent' || !interaction.session) {
      return html(reply, 400, errorPage(languageOf(request), 'login_request_expired'));
    }
    const decision = (request.body as Record<string, string> | undefined)?.decision;
    reply.hijack();
    if (decision !== 'allow') {
      await provider.interactionFinished(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The citizen declined.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const { accountId } = interaction.session;
    const clientId = String(interaction.params.client_id);
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) throw new AppError('login_request_expired');
    const missing = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) {
      // Only claims of scopes this relying party is allowed; the rest are refused, not asked again.
      const { refused } = scopesOfClaims(missing.missingOIDCClaims, new Set(await allowedScopes(clientId)));
      const openid = new Set<string>(CLAIMS_BY_SCOPE.openid);
      const granted = missing.missingOIDCClaims.filter((c) => !refused.includes(c) || openid.has(c));
      if (granted.length > 0) grant.addOIDCClaims(granted);
      const rejected = refused.filter((c) => !openid.has(c));
      if (rejected.length > 0) grant.rejectOIDCClaims(rejected);
    }
    const grantId = await grant.save();
    await recordAudit(
      deps.db,
      {
        actorType: 'device',
        actorId: accountId,
        action: 'consent.granted',
        subjectType: 'account',
        subjectId: accountId,
        ip: request.ip,
        requestId: request.id,
        details: { clientId, scopes: missing.missingOIDCScope ?? [] },
      },
      deps.clock.now(),
    );
    // A single sign-on (no phone approval in this interaction) is a login the phone has not seen:
    // the security notice goes now. A QR login's went when it completed.
    if (!interaction.lastSubmission?.login) await notifyNewLogin(accountId, clientId);
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  });

  app.post('/login/:uid/switch', async (request, reply) => {
    const interaction = await details(request, reply).catch(() => undefined);
    if (!interaction) return html(reply, 400, errorPage(languageOf(request), 'login_request_expired'));
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(interaction.params))
      if (typeof v === 'string' && k !== 'prompt') params.set(k, v);
    params.set('prompt', 'login');
    return reply.redirect(`${deps.config.oidc.issuer}/auth?${params.toString()}`, 303);
  });

  app.post('/login/:uid/abort', async (request, reply) => {
    const interaction = await details(request, reply).catch(() => undefined);
    if (!interaction) return html(reply, 400, errorPage(languageOf(request), 'login_request_expired'));
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'The login was cancelled.' },
      { mergeWithLastSubmission: false },
    );
  });
}
