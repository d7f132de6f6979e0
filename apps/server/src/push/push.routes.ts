/**
 * Device API of Web Push (every call signed by a registered device):
 *   GET    /api/device/v1/push/key            the VAPID application server key (base64url)
 *   PUT    /api/device/v1/push/subscription   {endpoint, keys: {p256dh, auth}} for this device
 *   DELETE /api/device/v1/push/subscription
 * Endpoints must be https (a push service), never a private address given by the caller.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps';
import { requireRegisteredDevice } from '../device/device-auth';
import { vapidKeys } from './push';

const b64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+=*$/);

export function pushRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const endpoint = z
    .url()
    .max(2000)
    .refine((u) => u.startsWith('https://') || deps.config.push.allowHttpEndpoints, 'https push endpoint');

  app.get('/api/device/v1/push/key', async (request, reply) => {
    await requireRegisteredDevice(request, reply, deps);
    return { publicKey: (await vapidKeys(deps)).publicKey };
  });

  app.put(
    '/api/device/v1/push/subscription',
    {
      schema: {
        body: z
          .object({ endpoint, keys: z.object({ p256dh: b64url(80, 120), auth: b64url(16, 32) }).strict() })
          .strict(),
      },
    },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const now = deps.clock.now();
      const values = {
        endpoint: request.body.endpoint,
        p256dh: request.body.keys.p256dh,
        auth: request.body.keys.auth,
        updated_at: now,
      };
      await deps.db
        .insertInto('push_subscriptions')
        .values({ device_id: device.deviceId, created_at: now, ...values })
        .onConflict((oc) => oc.column('device_id').doUpdateSet(values))
        .execute();
      return { subscribed: true };
    },
  );

  app.delete('/api/device/v1/push/subscription', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    await deps.db.deleteFrom('push_subscriptions').where('device_id', '=', device.deviceId).execute();
    return { subscribed: false };
  });
}
