/**
 * Encrypted media (document photos, selfies, liveness recordings) in the `blobs` table.
 * The context bound into the encryption is `blob:<id>:<purpose>`, so a sealed value moved to
 * another row does not decrypt. Recordings are packed as one binary: a JSON manifest (frame
 * times, types, offsets) followed by the frame bytes.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import type { Kysely, Transaction } from 'kysely';
import type { Envelope } from '../crypto/envelope';

export type BlobPurpose = 'document_photo' | 'selfie' | 'liveness_recording';
type Executor = Kysely<Database> | Transaction<Database>;

export const blobContext = (id: string, purpose: BlobPurpose) => `blob:${id}:${purpose}`;

export async function storeBlob(
  trx: Executor,
  envelope: Envelope,
  input: {
    id?: string;
    ownerType: 'flow' | 'account';
    ownerId: string;
    purpose: BlobPurpose;
    mediaType: string;
    bytes: Uint8Array;
    now: Date;
  },
): Promise<string> {
  const id = input.id ?? randomUUID();
  await trx
    .insertInto('blobs')
    .values({
      id,
      owner_type: input.ownerType,
      owner_id: input.ownerId,
      purpose: input.purpose,
      media_type: input.mediaType,
      byte_size: input.bytes.length,
      sealed: envelope.seal(input.bytes, blobContext(id, input.purpose)),
      created_at: input.now,
    })
    .execute();
  return id;
}

export async function readBlob(db: Executor, envelope: Envelope, id: string) {
  const row = await db.selectFrom('blobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { ...row, bytes: envelope.open(row.sealed, blobContext(row.id, row.purpose)) };
}

/** The newest blob of an account for a purpose (e.g. its selfie), opened; undefined when none. */
export async function latestAccountBlob(
  db: Executor,
  envelope: Envelope,
  accountId: string,
  purpose: BlobPurpose,
) {
  const row = await db
    .selectFrom('blobs')
    .select('id')
    .where('owner_type', '=', 'account')
    .where('owner_id', '=', accountId)
    .where('purpose', '=', purpose)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? readBlob(db, envelope, row.id) : undefined;
}

/** The media type of a packed liveness recording (packRecording). */
export const RECORDING_MEDIA_TYPE = 'application/x-cdk-frames';

export interface RecordingFrame {
  t: number;
  mediaType: string;
  bytes: Uint8Array;
}

export interface RecordingManifest {
  challengeId: string;
  actions: string[];
  /** The timed challenge's windows (ms from the first frame), when it had them. */
  steps?: { action: string; startMs: number; endMs: number }[];
  issuedAt: string;
  receivedAt: string;
  frames: { t: number; mediaType: string; offset: number; length: number }[];
}

export function packRecording(meta: Omit<RecordingManifest, 'frames'>, frames: RecordingFrame[]): Buffer {
  let offset = 0;
  const manifest: RecordingManifest = {
    ...meta,
    frames: frames.map((f) => {
      const entry = { t: f.t, mediaType: f.mediaType, offset, length: f.bytes.length };
      offset += f.bytes.length;
      return entry;
    }),
  };
  const head = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, ...frames.map((f) => Buffer.from(f.bytes))]);
}

export function unpackRecording(packed: Buffer): { manifest: RecordingManifest; frames: RecordingFrame[] } {
  const headLength = packed.readUInt32BE(0);
  const manifest = JSON.parse(packed.subarray(4, 4 + headLength).toString('utf8')) as RecordingManifest;
  const base = 4 + headLength;
  const frames = manifest.frames.map((f) => ({
    t: f.t,
    mediaType: f.mediaType,
    bytes: packed.subarray(base + f.offset, base + f.offset + f.length),
  }));
  return { manifest, frames };
}
