/**
 * Builds the Fastify application: request ids, JSON-only bodies kept raw for device proofs,
 * schema validation with zod, one error handler, and the route groups. Nothing listens here;
 * main.ts (and the tests) decide where.
 */
import { randomUUID } from 'node:crypto';
import middie from '@fastify/middie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import { cardRoutes } from '../accounts/card.routes';
import { connectionRoutes } from '../accounts/connections.routes';
import { contactRoutes } from '../accounts/contact.routes';
import { deviceRoutes } from '../accounts/devices.routes';
import { lockLinkRoutes } from '../accounts/lock-link.routes';
import { meRoutes } from '../accounts/me.routes';
import { resubmissionRoutes } from '../accounts/resubmission.routes';
import { sessionRoutes } from '../accounts/sessions.routes';
import { statusRoutes } from '../accounts/status.routes';
import { holidayRoutes } from '../calendar/holidays.routes';
import { appLoginRoutes } from '../client-api/app-login.routes';
import { clientApiRoutes } from '../client-api/client-api.routes';
import { clientApiWebRoutes } from '../client-api/web-login.routes';
import { consoleRoutes } from '../console/console.routes';
import type { Deps } from '../deps';
import { outboxRoutes } from '../dev/outbox.routes';
import { sandboxRoutes } from '../dev/sandbox.routes';
import { NONCE_HEADER } from '../device/proof';
import { recoveryRoutes } from '../flows/recovery/routes';
import { registrationRoutes } from '../flows/registration/routes';
import { kycRoutes } from '../kyc/kyc.routes';
import { logRequestCompleted, requestLineLogger } from '../logging';
import { deviceLoginRoutes } from '../login/device-login.routes';
import { loginPageRoutes } from '../login/pages.routes';
import { notificationWorker } from '../notify/notification-jobs';
import { responseAbandoned, workContext } from '../observability/context';
import { parseTraceparent, SPAN_KIND, type Span } from '../observability/tracing';
import { backchannelDeviceRoutes } from '../oidc/backchannel';
import { createProvider } from '../oidc/provider';
import { relyingPartyRoutes } from '../oidc/relying-parties.routes';
import { evidenceWorker } from '../proofing/evidence-jobs';
import { pushRoutes } from '../push/push.routes';
import { signingDeviceRoutes } from '../signing/device.routes';
import { signingPkiRoutes } from '../signing/pki.routes';
import { consoleStatic, walletStatic } from './console-static';
import { installErrorHandling } from './error-handler';
import type { Streams } from './event-stream';
import { healthRoutes } from './health.routes';
import { limitAuthorizationRequests, limitPerIp } from './ip-limits';
import { installLoadShedding, type LoadShedding } from './load-shedding';
import { laxUnlessSecure } from './oidc-cookies';
import { closeQuietConnections } from './quiet-connections';
import { installJsonParser } from './raw-body';
import { clientErrorHandler, frameworkError, oidcBodyGuard, requestGuard } from './request-guard';

export interface App {
  fastify: FastifyInstance;
  provider: Provider;
  worker: ReturnType<typeof evidenceWorker> | undefined;
  notifications: ReturnType<typeof notificationWorker> | undefined;
  /** Every route registered (method and URL pattern), e.g. for the fuzz test. */
  routes: { method: string; url: string }[];
  /**
   * Ends open event streams, each with a last `reconnect` event (called on shutdown before the
   * server closes).
   */
  endStreams(): void;
  /** Requests in flight and refused by the load-shedding bound (HTTP_MAX_IN_FLIGHT). */
  shedding: LoadShedding;
}

export async function buildApp(deps: Deps): Promise<App> {
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: deps.config.http.maxBodyBytes,
    trustProxy: deps.config.http.trustProxy,
    return503OnClosing: true,
    // A URL Fastify's router cannot decode is a malformed request (request-guard.ts), not a 500.
    frameworkErrors: frameworkError,
    clientErrorHandler,
    // One log line per request, written in onResponse below (logging.ts), instead of two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const routes: App['routes'] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // First of all hooks: an overloaded process refuses at once, before any other work.
  const shedding = installLoadShedding(fastify, deps.config.http.maxInFlight);
  closeQuietConnections(fastify);
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  installJsonParser(fastify);
  installErrorHandling(fastify);

  // Every log line written while serving a request names it (see observability/context.ts);
  // hashing skips the work of a request whose client has gone (pin/pin-hasher.ts).
  // With tracing on, the request is a server span (continuing the caller's traceparent) that the
  // database statements and log lines of the request run under.
  const spans = new WeakMap<object, Span>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const span = deps.tracer?.enabled
      ? deps.tracer.start(
          request.method,
          SPAN_KIND.server,
          { 'request.id': request.id, 'http.request.method': request.method },
          parseTraceparent(request.headers.traceparent) ?? null,
        )
      : undefined;
    if (span) spans.set(request, span);
    workContext.run(
      {
        requestId: request.id,
        clientGone: () => responseAbandoned(reply.raw),
        ...(span ? { span: { traceId: span.traceId, spanId: span.spanId } } : {}),
      },
      done,
    );
  });
  // Before every route and before oidc-provider (middie runs in a later onRequest hook).
  fastify.addHook('onRequest', requestGuard);
  // Authorization requests store an interaction each: a per-IP limit before the provider sees one.
  fastify.addHook('onRequest', async (request) => {
    await limitAuthorizationRequests(deps, request);
  });
  const requestLines = requestLineLogger(deps.logger);
  fastify.addHook('onResponse', async (request, reply) => {
    logRequestCompleted(requestLines, request, reply.statusCode, reply.elapsedTime);
    const route = request.routeOptions.url ?? (request.url.startsWith('/oidc') ? '/oidc/*' : 'unmatched');
    deps.metrics.httpRequests.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    spans
      .get(request)
      ?.end(
        { 'http.route': route, 'http.response.status_code': reply.statusCode },
        { name: `${request.method} ${route}`, error: reply.statusCode >= 500 },
      );
  });

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  // oidc-provider (Koa, mounted with middie below) writes its answers to the raw response, so
  // Fastify's onSend never runs for /oidc/*: add the same headers right before its writeHead
  // (issue 19, defect 10). Headers the provider sets itself win.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/oidc')) {
      const raw = reply.raw;
      const writeHead = raw.writeHead;
      const defaults: Record<string, string> = {
        'x-request-id': request.id,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      raw.writeHead = function (this: typeof raw, ...args: unknown[]) {
        if (!this.headersSent) {
          for (const [name, value] of Object.entries(defaults)) {
            if (!this.hasHeader(name)) this.setHeader(name, value);
          }
          const cookies = this.getHeader('set-cookie');
          if (Array.isArray(cookies)) this.setHeader('set-cookie', cookies.map(laxUnlessSecure));
        }
        return (writeHead as (...a: unknown[]) => typeof raw).apply(this, args);
      } as typeof raw.writeHead;
    }
    done();
  });

  const streams: Streams = new Set();
  deps.metrics.countStreams(() => streams.size);
  healthRoutes(fastify, deps);
  fastify.post('/api/device/v1/nonce', async (request, reply) => {
    // Every nonce is stored until it expires: a per-IP limit first (ip-limits.ts).
    await limitPerIp(deps, 'device-nonce', request.ip);
    const nonce = await deps.proofs.issueNonce();
    reply.header(NONCE_HEADER, nonce);
    return { nonce, expiresIn: deps.config.device.nonceTtlSeconds };
  });
  registrationRoutes(fastify, deps);
  recoveryRoutes(fastify, deps);
  lockLinkRoutes(fastify, deps);
  contactRoutes(fastify, deps);
  deviceRoutes(fastify, deps);
  statusRoutes(fastify, deps, streams);
  resubmissionRoutes(fastify, deps);
  meRoutes(fastify, deps);
  cardRoutes(fastify, deps);
  connectionRoutes(fastify, deps);
  holidayRoutes(fastify, deps);
  consoleRoutes(fastify, deps);
  consoleStatic(fastify);
  walletStatic(fastify);
  kycRoutes(fastify, deps);
  clientApiRoutes(fastify, deps);

  // The OpenID Connect provider (Koa inside) and our side of its interactions.
  const provider = await createProvider(deps);
  await fastify.register(middie);
  fastify.use('/oidc', oidcBodyGuard());
  fastify.use('/oidc', provider.callback());
  relyingPartyRoutes(fastify, deps, provider);
  loginPageRoutes(fastify, deps, provider, streams);
  sessionRoutes(fastify, deps, provider);
  deviceLoginRoutes(fastify, deps);
  clientApiWebRoutes(fastify, deps, provider);
  backchannelDeviceRoutes(fastify, deps, provider, streams);
  pushRoutes(fastify, deps);
  appLoginRoutes(fastify, deps);
  signingPkiRoutes(fastify, deps);
  signingDeviceRoutes(fastify, deps, provider);
  if (deps.config.devOutbox) {
    outboxRoutes(fastify, deps.outbox);
    sandboxRoutes(fastify, deps);
  }

  const worker = deps.config.jobs.evidenceWorker ? evidenceWorker(deps) : undefined;
  await worker?.start();
  // In the `all` role the queued SMS and e-mail are sent here too (a `web` instance only queues).
  const notifications = deps.config.role.worker ? notificationWorker(deps, deps.sendMessage) : undefined;
  await notifications?.start();
  fastify.addHook('onClose', async () => {
    for (const end of [...streams]) end('shutdown');
    await Promise.all([worker?.stop(), notifications?.stop()]);
  });
  return {
    fastify,
    provider,
    worker,
    notifications,
    routes,
    shedding,
    endStreams: () => {
      for (const end of [...streams]) end('shutdown');
    },
  };
}
