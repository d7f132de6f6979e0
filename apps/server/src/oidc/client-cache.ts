/**
 * The relying parties oidc-provider looks up (its Client model reads one on every authorization,
 * token, PAR, userinfo… request), kept for OIDC_CLIENT_CACHE_SECONDS so that a flood of such
 * requests does not read the registry (and open the client secret's envelope) each time
 * (issue 18, item 3). Absent clients (unknown or not active) are remembered too, in the same
 * bounded map, so repeating one unknown client id costs no query either.
 *
 * Freshness:
 *  - A change made through this instance (admin API: register, change, suspend, rotate a secret,
 *    issue client-API credentials; the sandbox) calls `forget`, so it takes effect here at once.
 *  - Other instances keep what they read for at most OIDC_CLIENT_CACHE_SECONDS (10 s by default)
 *    and then read the registry again: a suspended relying party, or a rotated secret, is refused
 *    (the old secret is no longer accepted) everywhere within that time.
 * The same class keeps the relying parties' registry rows for what the login pages and the phone
 * show (name, organisation, domain, logo: `Deps.relyingParties`), with the same bound; it is
 * linked to the client cache, so one `forget` drops both.
 * Loads in flight are shared (one query for many concurrent requests); a failed load is not
 * remembered. Time is the platform clock's; an entry from the clock's future (moved back) is stale.
 */
import type { Clock } from '../ports/clock';
import { API_CLIENT_PREFIX } from './relying-parties';

export type ClientMetadata = Record<string, unknown>;

interface Entry<T> {
  at: number;
  value: Promise<T | undefined>;
}

/** At most this many client ids are kept; the oldest read goes first. */
export const MAX_CACHED_CLIENTS = 5000;

export class ClientCache<T = ClientMetadata> {
  private readonly entries = new Map<string, Entry<T>>();
  private loads = 0;

  constructor(
    private readonly load: (clientId: string) => Promise<T | undefined>,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly maxEntries = MAX_CACHED_CLIENTS,
    /** Caches of other views of the same relying parties, forgotten together with this one. */
    private readonly linked: { forget(rpClientId: string): void }[] = [],
  ) {}

  find(clientId: string): Promise<T | undefined> {
    const now = this.clock.now().getTime();
    const kept = this.entries.get(clientId);
    if (kept && now >= kept.at && now - kept.at < this.ttlSeconds * 1000) return kept.value;
    this.loads++;
    const value = this.load(clientId);
    if (this.ttlSeconds === 0) return value;
    const entry: Entry<T> = { at: now, value };
    this.entries.delete(clientId);
    this.entries.set(clientId, entry);
    value.catch(() => {
      if (this.entries.get(clientId) === entry) this.entries.delete(clientId);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  /**
   * Drops what is kept for a relying party (and its client-API front-door client `api.<id>`):
   * the next lookup reads the registry. Call after the change is committed.
   */
  forget(rpClientId: string): void {
    const id = rpClientId.startsWith(API_CLIENT_PREFIX)
      ? rpClientId.slice(API_CLIENT_PREFIX.length)
      : rpClientId;
    this.entries.delete(id);
    this.entries.delete(`${API_CLIENT_PREFIX}${id}`);
    for (const other of this.linked) other.forget(rpClientId);
  }

  /** Registry reads so far and client ids kept (tests, metrics). */
  stats(): { loads: number; kept: number } {
    return { loads: this.loads, kept: this.entries.size };
  }
}
