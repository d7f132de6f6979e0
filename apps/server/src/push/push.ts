/**
 * Push to a citizen's registered devices: the platform's VAPID keys (created once, private key
 * sealed, in `platform_keys`), device subscriptions, and `notifyAccount` which sends a small JSON
 * notice (no personal data: the app fetches details over its signed device API) to every active
 * device of the account and forgets subscriptions the push service says are gone.
 */
import type { Database } from '@camdigikey/db';
import type { Transaction } from 'kysely';
import type { Deps } from '../deps';
import type { VapidKeys } from '../ports/push';

const ROW = 'vapid';
const CONTEXT = 'platform-keys:vapid';
const cache = new WeakMap<Deps, Promise<VapidKeys>>();

export function vapidKeys(deps: Deps): Promise<VapidKeys> {
  let keys = cache.get(deps);
  if (!keys) {
    keys = (async () => {
      const read = () =>
        deps.db.selectFrom('platform_keys').selectAll().where('name', '=', ROW).executeTakeFirst();
      let row = await read();
      if (!row) {
        const { default: webpush } = await import('web-push');
        const fresh = webpush.generateVAPIDKeys();
        await deps.db
          .insertInto('platform_keys')
          .values({
            name: ROW,
            certificate_pem: fresh.publicKey,
            chain: JSON.stringify([]),
            private_key_enc: deps.envelope.sealText(fresh.privateKey, CONTEXT),
            created_at: deps.clock.now(),
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        row = await read();
      }
      if (!row?.certificate_pem) throw new Error('VAPID keys could not be stored');
      return {
        publicKey: row.certificate_pem,
        privateKey: deps.envelope.openText(row.private_key_enc, CONTEXT),
        subject: deps.config.push.subject,
      };
    })();
    keys.catch(() => cache.delete(deps));
    cache.set(deps, keys);
  }
  return keys;
}

export interface PushTarget {
  device_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** The push subscriptions of an account's active devices. */
export function accountPushTargets(
  db: Deps['db'] | Transaction<Database>,
  accountId: string,
): Promise<PushTarget[]> {
  return db
    .selectFrom('push_subscriptions')
    .innerJoin('devices', 'devices.id', 'push_subscriptions.device_id')
    .select(['push_subscriptions.device_id', 'endpoint', 'p256dh', 'auth'])
    .where('devices.account_id', '=', accountId)
    .where('devices.status', '=', 'active')
    .execute();
}

async function pushTo(deps: Deps, targets: PushTarget[], payload: Record<string, unknown>): Promise<number> {
  let sent = 0;
  for (const target of targets) {
    const outcome = await deps.push.send(target, payload);
    if (outcome === 'sent') sent++;
    else if (outcome === 'gone')
      await deps.db.deleteFrom('push_subscriptions').where('device_id', '=', target.device_id).execute();
    else deps.logger.warn({ deviceId: target.device_id }, 'push delivery failed');
  }
  return sent;
}

/** A notice to subscriptions read earlier (e.g. the devices a recovery has just revoked). */
export function notifyTargets(deps: Deps, targets: PushTarget[], payload: Record<string, unknown>): void {
  pushTo(deps, targets, payload).catch((error: unknown) =>
    deps.logger.warn({ err: error, type: payload.type }, 'push notice not sent'),
  );
}

/**
 * Sends a notice without holding up the request that caused it (a push service may take seconds);
 * failures are logged, never thrown.
 */
export function notifyAccount(deps: Deps, accountId: string, payload: Record<string, unknown>): void {
  accountPushTargets(deps.db, accountId)
    .then((targets) => pushTo(deps, targets, payload))
    .catch((error: unknown) => deps.logger.warn({ err: error, type: payload.type }, 'push notice not sent'));
}
