/**
 * What expires, and when, for the operator's warnings (docs/operations.md §6): the client-API
 * platform root CA, subordinate CA and token signer, every relying party's client certificate,
 * and the active OpenID Connect signing keys (due for rotation a year after they were made).
 * The administrator's console shows the ones within WARNING_DAYS as a banner; the metrics
 * (sql-metrics.ts) publish the same dates as seconds for alert rules.
 */
import type { Expiry, ExpiryKind, ExpiryLevel } from '@camdigikey/contracts/expiry';
import { sql } from 'kysely';
import { platformKeys } from '../client-api/platform-keys';
import type { Deps } from '../deps';

const DAY_MS = 86_400_000;
/** An item this close to its date is a warning; closer than CRITICAL_DAYS, critical. */
export const WARNING_DAYS = 30;
export const CRITICAL_DAYS = 7;
/** OIDC signing keys are rotated yearly (§6). */
export const SIGNING_KEY_ROTATION_DAYS = 365;

export function expiryLevel(at: number, now: number): ExpiryLevel {
  const left = at - now;
  if (left <= 0) return 'expired';
  if (left < CRITICAL_DAYS * DAY_MS) return 'critical';
  if (left < WARNING_DAYS * DAY_MS) return 'warning';
  return 'ok';
}

/** Everything that expires, soonest first. A source that cannot be read is left out (logged). */
export async function expiries(deps: Deps): Promise<Expiry[]> {
  const now = deps.clock.now().getTime();
  const items: Expiry[] = [];
  const add = (kind: ExpiryKind, at: number, subject?: string) =>
    items.push({
      kind,
      ...(subject === undefined ? {} : { subject }),
      at: new Date(at).toISOString(),
      daysLeft: Math.floor((at - now) / DAY_MS),
      level: expiryLevel(at, now),
    });
  const warn = (what: string) => (err: unknown) => {
    deps.logger.warn({ err }, `expiry check: ${what} failed`);
    return undefined;
  };

  const keys = await platformKeys(deps).catch(warn('platform keys'));
  if (keys) {
    add('platform_root_ca', Date.parse(keys.root.certificate.validTo));
    add('platform_sub_ca', Date.parse(keys.subCa.certificate.validTo));
    add('token_signer', Date.parse(keys.signer.certificate.validTo));
  }
  const clients = await deps.db
    .selectFrom('api_clients')
    .select(['rp_client_id', 'certificate_not_after'])
    .execute()
    .catch(warn('client certificates'));
  for (const c of clients ?? [])
    add('client_certificate', new Date(c.certificate_not_after).getTime(), c.rp_client_id);
  const signing = await deps.db
    .selectFrom('signing_keys')
    .select(['alg', sql<Date>`max(created_at)`.as('created')])
    .where('retired_at', 'is', null)
    .groupBy('alg')
    .execute()
    .catch(warn('signing keys'));
  for (const k of signing ?? [])
    add('signing_key', new Date(k.created).getTime() + SIGNING_KEY_ROTATION_DAYS * DAY_MS, k.alg);
  return items.sort((a, b) => a.at.localeCompare(b.at));
}
