/**
 * Device authentication for routes: every device answer carries a fresh `Device-Nonce` for the
 * next proof (even an error answer, so the app can retry at once), then the proof is verified.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { rawBodyOf } from '../http/raw-body';
import { NONCE_HEADER, PROOF_HEADER, type VerifiedProof } from './proof';

export async function verifyDevice(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: Deps,
): Promise<VerifiedProof> {
  // The next nonce is stored while this proof is checked (their Redis commands share a round trip).
  const next = deps.proofs.issueNonce();
  const header = request.headers[PROOF_HEADER];
  const verified = deps.proofs.verify({
    method: request.method,
    url: request.url,
    body: rawBodyOf(request),
    proof: Array.isArray(header) ? header[0] : header,
  });
  // Every answer carries it, an error answer too; a failure to store it fails the request.
  verified.catch(() => undefined);
  reply.header(NONCE_HEADER, await next);
  return verified;
}

/**
 * How stale a device's `last_seen_at` may be before a call writes it again: it is shown to the
 * citizen ("last used") at minute precision, and writing it on every call was one statement of
 * every device request (issue 18: a login makes three device calls within seconds).
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** A device call from a registered, active device: returns the device and its account. */
export async function requireRegisteredDevice(request: FastifyRequest, reply: FastifyReply, deps: Deps) {
  const proof = await verifyDevice(request, reply, deps);
  const device = await deps.db
    .selectFrom('devices')
    .select(['id', 'account_id', 'status', 'last_seen_at'])
    .where('thumbprint', '=', proof.thumbprint)
    .executeTakeFirst();
  if (device?.status !== 'active') throw new AppError('device_key_unknown');
  const now = deps.clock.now();
  const seen = device.last_seen_at?.getTime();
  if (seen === undefined || Math.abs(now.getTime() - seen) >= LAST_SEEN_RESOLUTION_MS) {
    await deps.db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', device.id).execute();
  }
  return { proof, deviceId: device.id, accountId: device.account_id };
}
