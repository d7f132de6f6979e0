/**
 * The lists of "Me" → active sessions and devices, as the screens show them: pure functions
 * (no React, no i18n) so their order and grouping are tested beside them.
 */
import type { AccountDevice, SessionRelyingParty, SsoSession } from '../../api/device-api';

/** An instant as epoch ms, or undefined when missing or unreadable. */
const instant = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Newest first; an unknown instant goes last. */
const newestFirst = (a: string | null | undefined, b: string | null | undefined): number => {
  const x = instant(a);
  const y = instant(b);
  if (x === y) return 0;
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  return y - x;
};

/** Sessions started on this phone first (when the server says so), then the newest first. */
export function sortSessions(sessions: readonly SsoSession[]): SsoSession[] {
  return [...sessions].sort(
    (a, b) =>
      Number(b.thisDevice === true) - Number(a.thisDevice === true) ||
      newestFirst(a.startedAt, b.startedAt) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * The services signed in through a session, once each: a relying party's API client
 * (`api.<clientId>`) is the same service as its website.
 */
export function sessionSites(session: Pick<SsoSession, 'relyingParties'>): SessionRelyingParty[] {
  const sites = new Map<string, SessionRelyingParty>();
  for (const rp of session.relyingParties) {
    const key = rp.clientId.replace(/^api\./, '');
    const seen = sites.get(key);
    if (!seen) sites.set(key, { ...rp, clientId: key });
    else
      sites.set(key, {
        clientId: key,
        name: seen.name ?? rp.name ?? null,
        nameKm: seen.nameKm ?? rp.nameKm ?? null,
        domain: seen.domain ?? rp.domain ?? null,
      });
  }
  return [...sites.values()];
}

export type LoginMethod = 'face_id' | 'pin';

/** How the citizen approved the login of a session (its `amr`), when known. */
export function sessionMethod(amr: readonly string[]): LoginMethod | undefined {
  if (amr.includes('face')) return 'face_id';
  if (amr.includes('pin')) return 'pin';
  return undefined;
}

/** This phone first, then the phone used most recently, then the newest. */
export function sortDevices(devices: readonly AccountDevice[]): AccountDevice[] {
  return [...devices].sort(
    (a, b) =>
      Number(b.thisDevice) - Number(a.thisDevice) ||
      newestFirst(a.lastSeenAt, b.lastSeenAt) ||
      newestFirst(a.createdAt, b.createdAt) ||
      a.id.localeCompare(b.id),
  );
}
