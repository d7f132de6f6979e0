/**
 * Builds the Fastify application: request ids, JSON-only bodies kept raw for device proofs,
 * schema validation with zod, one error handler, and the route groups. Nothing listens here;
 * main.ts (and the tests) decide where.
 */
import { randomUUID } from 'node:crypto';
import middie from '@fastify/middie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
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
import { deviceLoginRoutes } from '../login/device-login.routes';
import { loginPageRoutes } from '../login/pages.routes';
import { backchannelDeviceRoutes } from '../oidc/backchannel';
import { createProvider } from '../oidc/provider';
import { relyingPartyRoutes } from '../oidc/relying-parties.routes';
import { evidenceWorker } from '../proofing/evidence-jobs';
import { pushRoutes } from '../push/push.routes';
import { consoleStatic, walletStatic } from './console-static';
import { installErrorHandling } from './error-handler';
import { healthRoutes } from './health.routes';
import { installJsonParser } from './raw-body';

export interface App {
  fastify: FastifyInstance;
  provider: Provider;
  worker: ReturnType<typeof evidenceWorker> | undefined;
  /** Ends open event streams (called on shutdown before the server closes). */
  endStreams(): void;
}

export async function buildApp(deps: Deps): Promise<App> {
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: deps.config.http.maxBodyBytes,
    trustProxy: deps.config.http.trustProxy,
    return503OnClosing: true,
  });
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  installJsonParser(fastify);
  installErrorHandling(fastify);

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  const streams = new Set<() => void>();
  healthRoutes(fastify, deps);
  fastify.post('/api/device/v1/nonce', async (_request, reply) => {
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
  connectionRoutes(fastify, deps);
  holidayRoutes(fastify, deps);
  relyingPartyRoutes(fastify, deps);
  consoleRoutes(fastify, deps);
  consoleStatic(fastify);
  walletStatic(fastify);
  kycRoutes(fastify, deps);
  clientApiRoutes(fastify, deps);

  // The OpenID Connect provider (Koa inside) and our side of its interactions.
  const provider = await createProvider(deps);
  await fastify.register(middie);
  fastify.use('/oidc', provider.callback());
  loginPageRoutes(fastify, deps, provider, streams);
  sessionRoutes(fastify, deps, provider);
  deviceLoginRoutes(fastify, deps);
  clientApiWebRoutes(fastify, deps, provider);
  backchannelDeviceRoutes(fastify, deps, provider, streams);
  pushRoutes(fastify, deps);
  appLoginRoutes(fastify, deps);
  if (deps.config.devOutbox) {
    outboxRoutes(fastify, deps.outbox);
    sandboxRoutes(fastify, deps);
  }

  const worker = deps.config.jobs.evidenceWorker ? evidenceWorker(deps) : undefined;
  await worker?.start();
  fastify.addHook('onClose', async () => {
    for (const end of [...streams]) end();
    await worker?.stop();
  });
  return {
    fastify,
    provider,
    worker,
    endStreams: () => {
      for (const end of [...streams]) end();
    },
  };
}
