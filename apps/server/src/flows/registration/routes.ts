/**
 * The registration flow over HTTP (device API). Every call is signed by the device key
 * (device/proof.ts) and validated by a schema from packages/contracts; the steps, in the order
 * of the user guide:
 *
 *   POST /api/device/v1/registration                          start (binds the device key)
 *   GET  /api/device/v1/registration/:id                      resume
 *   POST …/:id/phone | phone/resend | phone/verify             1/4 phone + SMS OTP
 *   POST …/:id/email | email/resend | email/verify             1/4 e-mail + e-mail OTP
 *   POST …/:id/pin                                             1/4 PIN (and a new PIN if needed)
 *   POST …/:id/face-id/options | face-id | face-id/skip        2/4 optional Face ID (WebAuthn)
 *   POST …/:id/liveness/challenge | liveness                   2/4 liveness recording + selfie
 *   POST …/:id/document                                        3/4 MRZ + document photo
 *   POST …/:id/details                                         4/4 the form
 *   POST …/:id/consent | submit                                4/4 consent, then submission
 */
import {
  codeBody,
  consentBody,
  detailsBody,
  documentBody,
  emailBody,
  emptyBody,
  faceIdBody,
  livenessBody,
  phoneBody,
  pinBody,
  startRegistrationBody,
} from '@camdigikey/contracts/registration';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readAccountStatus } from '../../accounts/account-status';
import type { Deps } from '../../deps';
import { verifyDevice } from '../../device/device-auth';
import { AppError } from '../../errors';
import { resendCode, submitEmail, submitPhone, verifyCode } from './contacts.steps';
import { faceIdOptions, registerFaceId, setPin, skipFaceId } from './credentials.steps';
import { submitDetails, submitDocument } from './document.steps';
import { createFlow, loadFlow, type RegistrationFlow, type RequestContext } from './flow-store';
import { issueLivenessChallenge, submitLiveness } from './liveness.steps';
import { acceptConsent, submitRegistration } from './submit.steps';
import { flowView } from './view';

const BASE = '/api/device/v1/registration';
const params = z.object({ flowId: z.uuid() }).strict();

export function registrationRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const context = async (request: FastifyRequest, reply: FastifyReply) => {
    const proof = await verifyDevice(request, reply, deps);
    const ctx: RequestContext = { ip: request.ip, requestId: request.id, deviceThumbprint: proof.thumbprint };
    return { proof, ctx };
  };
  const view = async (flow: RegistrationFlow) => {
    if (flow.state === 'submitted' && flow.accountId) {
      const status = await readAccountStatus(deps, flow.accountId);
      return flowView(flow, deps.envelope, {
        id: status.accountId,
        status: status.status,
        reviewDeadline: new Date(status.reviewDeadline),
      });
    }
    return flowView(flow, deps.envelope);
  };

  app.post(BASE, { schema: { body: startRegistrationBody } }, async (request, reply) => {
    const { proof, ctx } = await context(request, reply);
    const hit = await deps.hot.hit(
      `flow-start-ip:${request.ip}`,
      3600,
      deps.clock.now(),
      deps.config.flows.perIpPerHour,
    );
    if (hit.count > deps.config.flows.perIpPerHour) {
      throw new AppError('rate_limited', { details: { retryAfterSeconds: Math.ceil(hit.resetInMs / 1000) } });
    }
    const flow = await createFlow(deps, {
      language: request.body.language,
      thumbprint: proof.thumbprint,
      jwk: { ...proof.jwk },
      ctx,
    });
    return reply.status(201).send(await view(flow));
  });

  app.get(`${BASE}/:flowId`, { schema: { params } }, async (request, reply) => {
    const { ctx } = await context(request, reply);
    return view(await loadFlow(deps, request.params.flowId, ctx.deviceThumbprint));
  });

  const step = <S extends z.ZodType>(
    path: string,
    body: S,
    run: (
      flowId: string,
      body: z.infer<S>,
      ctx: RequestContext,
      jwk: Record<string, unknown>,
    ) => Promise<unknown>,
  ) => {
    app.post(`${BASE}/:flowId/${path}`, { schema: { params, body } }, async (request, reply) => {
      const { proof, ctx } = await context(request, reply);
      const result = await run(request.params.flowId, request.body as z.infer<S>, ctx, { ...proof.jwk });
      return reply.send(result);
    });
  };

  step('phone', phoneBody, async (id, b, ctx) => view(await submitPhone(deps, id, b.phone, ctx)));
  step('phone/resend', emptyBody, async (id, _b, ctx) => view(await resendCode(deps, id, 'sms', ctx)));
  step('phone/verify', codeBody, async (id, b, ctx) => view(await verifyCode(deps, id, 'sms', b.code, ctx)));
  step('email', emailBody, async (id, b, ctx) => view(await submitEmail(deps, id, b.email, ctx)));
  step('email/resend', emptyBody, async (id, _b, ctx) => view(await resendCode(deps, id, 'email', ctx)));
  step('email/verify', codeBody, async (id, b, ctx) =>
    view(await verifyCode(deps, id, 'email', b.code, ctx)),
  );
  step('pin', pinBody, async (id, b, ctx) => view(await setPin(deps, id, b, ctx)));
  step('face-id/options', emptyBody, async (id, _b, ctx) => {
    const { flow, options } = await faceIdOptions(deps, id, ctx);
    return { flow: await view(flow), publicKey: options };
  });
  step('face-id', faceIdBody, async (id, b, ctx) =>
    view(await registerFaceId(deps, id, b.credential as unknown as RegistrationResponseJSON, ctx)),
  );
  step('face-id/skip', emptyBody, async (id, _b, ctx) => view(await skipFaceId(deps, id, ctx)));
  step('liveness/challenge', emptyBody, async (id, _b, ctx) => {
    const { flow, challenge } = await issueLivenessChallenge(deps, id, ctx);
    return { flow: await view(flow), challenge };
  });
  step('liveness', livenessBody, async (id, b, ctx) => view(await submitLiveness(deps, id, b, ctx)));
  step('document', documentBody, async (id, b, ctx) => view(await submitDocument(deps, id, b, ctx)));
  step('details', detailsBody, async (id, b, ctx) => view(await submitDetails(deps, id, b, ctx)));
  step('consent', consentBody, async (id, b, ctx) => view(await acceptConsent(deps, id, b, ctx)));
  step('submit', emptyBody, async (id, _b, ctx, jwk) => {
    const { flow } = await submitRegistration(deps, id, jwk, ctx);
    return view(flow);
  });
}
