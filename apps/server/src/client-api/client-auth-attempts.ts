/**
 * The attempt counter of client credentials (issue 19): the Open KYC client secret (HTTP Basic),
 * the client-API request signature (HMAC of the §2.3 envelope) and the OIDC client secret. At most
 * CLIENT_AUTH_MAX_FAILURES failed checks per (client id, source address) in
 * CLIENT_AUTH_LOCK_SECONDS; the check that fails the last of them locks that client id FOR THAT
 * ADDRESS for CLIENT_AUTH_LOCK_SECONDS, during which credentials sent from there are refused
 * unchecked (429). Client ids are not secret (OIDC ones are in every login URL), so a lock per
 * client id alone would let anyone lock an institution out again and again; per address, an
 * attacker only locks itself out, and the institution's own servers keep working. The address is
 * `request.ip` (Fastify) or `ctx.ip` (oidc-provider's Koa), both honouring TRUST_PROXY, with an
 * IPv4-mapped IPv6 address written as IPv4.
 *
 * Like the PIN and officer password counters, the attempt is reserved before anything secret is
 * looked at, deciding and counting in ONE statement: an upsert whose update only happens while the
 * row is not locked and `failures + pending < cap`. On PostgreSQL concurrent upserts of the same
 * row queue on its row lock and re-check the condition against the row the previous one committed,
 * so however many requests arrive in parallel at most `cap` are evaluated per window and address.
 * A successful check gives its slot back (legitimate traffic never counts), a failed one turns it
 * into a failure. A reservation that is never settled (crash) stays pending until the window ends.
 *
 * Only client ids that exist have rows. An unknown id is counted in the hot state (a sliding
 * window of the same length and cap, keyed by a hash of the claimed id and the address), so it
 * answers exactly like a known one: 401 for each failure, then 429 once the cap is reached;
 * neither answer says whether the id exists.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';

export type ClientAuthApi = 'open_kyc' | 'client_api' | 'oidc';

export type ClientAuthGate =
  | { refused: true; retryAfterSeconds: number }
  | { refused: false; settle: (credentialsOk: boolean) => Promise<void> };

export interface ClientAuthAttempt {
  /** The client id as claimed by the caller. */
  clientId: string;
  /** Whether that id exists (only then it has a row). */
  known: boolean;
  api: ClientAuthApi;
  /** The caller's address (request.ip / ctx.ip); normalised with sourceAddress. */
  ip: string;
  requestId: string;
}

/** The address a counter is kept for: `::ffff:1.2.3.4` (IPv4-mapped IPv6) is `1.2.3.4`. */
export function sourceAddress(ip: string | undefined): string {
  const address = (ip ?? '').trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  return mapped?.[1] ?? address;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export async function reserveClientAuth(deps: Deps, attempt: ClientAuthAttempt): Promise<ClientAuthGate> {
  const { maxFailures: cap, lockSeconds } = deps.config.clientAuth;
  const now = deps.clock.now();
  const source = sourceAddress(attempt.ip);
  if (!attempt.known) {
    const key = `client-auth-unknown:${createHash('sha256')
      .update(JSON.stringify([attempt.clientId, source]))
      .digest('base64url')}`;
    const hit = await deps.hot.hit(key, lockSeconds, now, cap);
    if (hit.count > cap) return { refused: true, retryAfterSeconds: seconds(hit.resetInMs) };
    return { refused: false, settle: async () => {} };
  }

  const windowStart = new Date(now.getTime() - lockSeconds * 1000);
  // A new window starts when the lock has passed, or (unlocked) when the window is over; it also
  // forgets reservations left pending by a crash.
  const reserved = await sql<{ client_id: string }>`
    insert into client_auth_attempts as a (client_id, source, failures, pending, window_started_at, locked_until)
    values (${attempt.clientId}, ${source}, 0, 1, ${now}, null)
    on conflict (client_id, source) do update
       set failures = case when a.locked_until <= ${now}
                             or (a.locked_until is null and a.window_started_at <= ${windowStart})
                           then 0 else a.failures end,
           pending = case when a.locked_until <= ${now}
                            or (a.locked_until is null and a.window_started_at <= ${windowStart})
                          then 1 else a.pending + 1 end,
           window_started_at = case when a.locked_until <= ${now}
                                      or (a.locked_until is null and a.window_started_at <= ${windowStart})
                                    then ${now}::timestamptz else a.window_started_at end,
           locked_until = case when a.locked_until <= ${now} then null else a.locked_until end
     where a.locked_until <= ${now}
        or (a.locked_until is null and a.window_started_at <= ${windowStart})
        or (a.locked_until is null and a.failures + a.pending < ${cap})
    returning a.client_id`.execute(deps.db);

  if (reserved.rows.length === 0) {
    const row = await deps.db
      .selectFrom('client_auth_attempts')
      .select('locked_until')
      .where('client_id', '=', attempt.clientId)
      .where('source', '=', source)
      .executeTakeFirst();
    const lockedUntil = row?.locked_until;
    // Not locked but every slot is held by checks in flight: retry shortly.
    return {
      refused: true,
      retryAfterSeconds:
        lockedUntil && lockedUntil > now ? seconds(lockedUntil.getTime() - now.getTime()) : 1,
    };
  }

  return {
    refused: false,
    settle: async (credentialsOk: boolean) => {
      if (credentialsOk) {
        await sql`
          update client_auth_attempts set pending = greatest(pending - 1, 0)
           where client_id = ${attempt.clientId} and source = ${source}`.execute(deps.db);
        return;
      }
      const settledAt = deps.clock.now();
      const lockUntil = new Date(settledAt.getTime() + lockSeconds * 1000);
      const settled = await sql<{ failures: number; locked: boolean }>`
        update client_auth_attempts
           set pending = greatest(pending - 1, 0),
               failures = failures + 1,
               locked_until = case when locked_until is null and failures + 1 >= ${cap}
                                   then ${lockUntil}::timestamptz else locked_until end
         where client_id = ${attempt.clientId} and source = ${source}
        returning failures, (locked_until is not null) as locked`.execute(deps.db);
      const row = settled.rows[0];
      // At most `cap` slots per window, so exactly one failure reaches the cap and records the lock.
      if (row && row.failures === cap && row.locked) {
        await recordAudit(
          deps.db,
          {
            actorType: 'system',
            action: 'client_auth.locked',
            subjectType: 'relying_party',
            subjectId: attempt.clientId,
            ip: source,
            requestId: attempt.requestId,
            // Audit events record the caller's IP (the `ip` column); the lock is for this address.
            details: {
              api: attempt.api,
              source,
              failures: row.failures,
              lockedUntil: lockUntil.toISOString(),
            },
          },
          settledAt,
        );
      }
    },
  };
}
