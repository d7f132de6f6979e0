/**
 * The recovery flow over HTTP (device API), signed by the NEW phone's device key, which becomes
 * the account's device when the recovery succeeds:
 *
 *   POST /api/device/v1/recovery                              start {language}
 *   GET  /api/device/v1/recovery/:id                          resume
 *   POST …/:id/phone | phone/resend | phone/verify            the registered number + SMS code
 *   POST …/:id/pin                                            a new 6-digit PIN
 *   POST …/:id/face-id/options | face-id | face-id/skip       optional Face ID on the new phone
 *   POST …/:id/liveness/challenge | liveness                  the face check that decides
 */
import {
  codeBody,
  emptyBody,
  faceIdBody,
  livenessBody,
  phoneBody,
  pinBody,
  startRecoveryBody,
} from '@camdigikey/contracts/recovery';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { verifyDevice } from '../../device/device-auth';
import { AppError } from '../../errors';
import type { RequestContext } from '../flow-store';
import {
  faceIdOptions,
  issueLivenessChallenge,
  registerFaceId,
  resendPhoneCode,
  setPin,
  skipFaceId,
  submitLiveness,
  submitPhone,
  verifyPhoneCode,
} from './recovery.steps';
import type { RecoveryFlow } from './recovery-flow';
import { recoveryStore } from './recovery-flow';
import { RECOVERY_BASE, recoveryView } from './view';

const params = z.object({ flowId: z.uuid() }).strict();

export function recoveryRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const view = (flow: RecoveryFlow) => recoveryView(flow, deps.config.recovery.coolingOffHours);
  const context = async (request: FastifyRequest, reply: FastifyReply) => {
    const proof = await verifyDevice(request, reply, deps);
    const ctx: RequestContext = { ip: request.ip, requestId: request.id, deviceThumbprint: proof.thumbprint };
    return { proof, ctx };
  };

  app.post(RECOVERY_BASE, { schema: { body: startRecoveryBody } }, async (request, reply) => {
    const { proof, ctx } = await context(request, reply);
    // Flow starts share the registration's per-IP budget: one limit on anonymous flow creation.
    const hit = await deps.hot.hit(
      `flow-start-ip:${request.ip}`,
      3600,
      deps.clock.now(),
      deps.config.flows.perIpPerHour,
    );
    if (hit.count > deps.config.flows.perIpPerHour) {
      throw new AppError('rate_limited', { details: { retryAfterSeconds: Math.ceil(hit.resetInMs / 1000) } });
    }
    const flow = await recoveryStore.create(deps, {
      language: request.body.language,
      thumbprint: proof.thumbprint,
      jwk: { ...proof.jwk },
      ctx,
    });
    return reply.status(201).send(view(flow));
  });

  app.get(`${RECOVERY_BASE}/:flowId`, { schema: { params } }, async (request, reply) => {
    const { ctx } = await context(request, reply);
    return view(await recoveryStore.load(deps, request.params.flowId, ctx.deviceThumbprint));
  });

  const step = <S extends z.ZodType>(
    path: string,
    body: S,
    run: (flowId: string, body: z.infer<S>, ctx: RequestContext) => Promise<unknown>,
  ) => {
    app.post(`${RECOVERY_BASE}/:flowId/${path}`, { schema: { params, body } }, async (request, reply) => {
      const { ctx } = await context(request, reply);
      return reply.send(await run(request.params.flowId, request.body as z.infer<S>, ctx));
    });
  };

  step('phone', phoneBody, async (id, b, ctx) => view(await submitPhone(deps, id, b.phone, ctx)));
  step('phone/resend', emptyBody, async (id, _b, ctx) => view(await resendPhoneCode(deps, id, ctx)));
  step('phone/verify', codeBody, async (id, b, ctx) => view(await verifyPhoneCode(deps, id, b.code, ctx)));
  step('pin', pinBody, async (id, b, ctx) => view(await setPin(deps, id, b, ctx)));
  step('face-id/options', emptyBody, async (id, _b, ctx) => {
    const { flow, options } = await faceIdOptions(deps, id, ctx);
    return { flow: view(flow), publicKey: options };
  });
  step('face-id', faceIdBody, async (id, b, ctx) =>
    view(await registerFaceId(deps, id, b.credential as unknown as RegistrationResponseJSON, ctx)),
  );
  step('face-id/skip', emptyBody, async (id, _b, ctx) => view(await skipFaceId(deps, id, ctx)));
  step('liveness/challenge', emptyBody, async (id, _b, ctx) => {
    const { flow, challenge } = await issueLivenessChallenge(deps, id, ctx);
    return { flow: view(flow), challenge };
  });
  step('liveness', livenessBody, async (id, b, ctx) => view(await submitLiveness(deps, id, b, ctx)));
}
