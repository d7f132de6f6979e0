/**
 * Open KYC APIs for partner institutions (rp-protocol.md §8), on the same engines as registration:
 *
 *   POST /api/2.0/kyc/info              claimed identity vs the civil register → score, incorrectFields
 *   POST /api/2.0/kyc/info-face         + faceImg vs the registry portrait     → faceMoiScore
 *   POST /api/2.0/kyc/info-face-idcard  + idImage vs faceImg                   → faceDocumentScore
 *   POST /api/2.0/kyc/ocr-idcard        idImage → the fields of its MRZ, and MRZ1..3 (read by the server)
 *   POST /api/2.0/kyc/info-idcard-liveness  + actions and a liveness video → livenessScore, faceDocumentScore,
 *                                       faceMoiScore (and failedAction when an action was not seen in order)
 *
 * Answers are `{error, message, data}` with `error: 0` on success. Callers are registered
 * institutions (a relying party allowed `open_kyc`) with HTTP Basic client credentials, must state
 * a purpose (`X-Purpose`), are rate-limited per institution, and every call is audited with the
 * institution, purpose and result (never the personal data). Error codes: 1 invalid request,
 * 2 unknown ID number, 3 unauthorised, 4 rate limited (also: the client id is locked for the
 * caller's address after CLIENT_AUTH_MAX_FAILURES wrong secrets from it,
 * client-api/client-auth-attempts.ts), 5 no face, 6 registry unavailable,
 * 7 no readable MRZ, 8 an MRZ read but with characters the reader is not sure of (send a sharper,
 * straighter photo; nothing unsure is ever answered as read). The OCR answer holds what the MRZ holds: the Khmer names and the issue date are
 * printed only in the visual zone of the card, so they are `null` (the caller reads them from its own
 * form; `/info` checks them against the register).
 *
 * Liveness videos (MP4 or WebM, at most 8 MB and 15 s) are decoded with ffmpeg to 8 frames per second
 * (proofing/video-frames.ts, ADR 0010) and judged by the same engine and rules as the registration's
 * liveness recording, against a challenge made of the requested actions ("1" turn left, "2" turn right,
 * "3" nod) in their order. faceDocumentScore and faceMoiScore compare the most frontal frame with the
 * ID card and the registry portrait (null when the register has no portrait, or the video no face).
 * An undecodable or oversized video is error 1 (400, 413), never a server error.
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { issuedCertificateFingerprint } from '../client-api/api-clients';
import { reserveClientAuth } from '../client-api/client-auth-attempts';
import { constantTimeEqual } from '../crypto/keyed-hash';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { toAppError } from '../http/error-handler';
import { findRelyingParty, secretContext } from '../oidc/relying-parties';
import { RegistryUnavailable } from '../ports/civil-registry';
import { readDocumentMrz } from '../proofing/document-ocr';
import { serverFaceEngine } from '../proofing/face';
import { compareWithRegistry } from '../proofing/registry-compare';
import { decodeVideoFrames, VIDEO_LIMITS, VideoDecodeError } from '../proofing/video-frames';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const userInfo = z
  .object({
    idNumber: z.string().regex(/^[A-Z0-9]{5,20}$/i),
    firstNameKh: z.string().max(100),
    lastNameKh: z.string().max(100),
    firstNameEn: z.string().max(100),
    lastNameEn: z.string().max(100),
    gender: z.enum(['M', 'F']),
    dob: date,
    issuedDate: date,
    expiredDate: date,
  })
  .strict();
const image = z
  .string()
  .min(16)
  .max(8_000_000)
  .regex(/^[A-Za-z0-9+/=\s]+$/);
/** The liveness video: base64 of at most 8 MB (checked after decoding, with a clear answer). */
const video = z
  .string()
  .min(16)
  .max(24_000_000)
  .regex(/^[A-Za-z0-9+/=\s]+$/);
const ACTIONS = { '1': 'turn_left', '2': 'turn_right', '3': 'nod' } as const;
const ACTION_CODES: Record<string, string> = { turn_left: '1', turn_right: '2', nod: '3' };
const FIELD_NAMES: Record<string, string> = {
  khmerSurname: 'lastNameKh',
  khmerGivenName: 'firstNameKh',
  latinSurname: 'lastNameEn',
  latinGivenName: 'firstNameEn',
  gender: 'gender',
  birthDate: 'dob',
  issueDate: 'issuedDate',
  expiryDate: 'expiredDate',
};

class KycError extends Error {
  constructor(
    readonly error: number,
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function kycRoutes(app: FastifyInstance, deps: Deps): void {
  const institution = async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const [clientId, secret] = header.startsWith('Basic ')
      ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':', 2)
      : [];
    const rp = clientId ? await findRelyingParty(deps.db, clientId) : undefined;
    // Reserve the check before the secret is looked at (client-auth-attempts.ts): past
    // CLIENT_AUTH_MAX_FAILURES failures from this address the client id is refused unchecked
    // from it, known or not (other addresses are not affected).
    const gate = clientId
      ? await reserveClientAuth(deps, {
          // The relying party's own id (findRelyingParty also takes it with the client-API prefix).
          clientId: rp?.client_id ?? clientId,
          known: rp !== undefined,
          api: 'open_kyc',
          ip: request.ip,
          requestId: request.id,
        })
      : undefined;
    if (gate?.refused)
      throw new KycError(4, 429, 'Too many failed attempts; retry later', gate.retryAfterSeconds);
    const expected = rp?.client_secret_enc
      ? deps.envelope.openText(rp.client_secret_enc, secretContext(rp.client_id))
      : 'x'.repeat(43);
    const secretOk = constantTimeEqual(secret ?? '', expected);
    await gate?.settle(secretOk && rp !== undefined);
    const ok = secretOk && rp?.status === 'active' && rp.allowed_scopes.includes('open_kyc');
    if (!ok || !rp) throw new KycError(3, 401, 'Unauthorized');
    // Over the mutual-TLS listener the institution's certificate must be the one the registry
    // issued to this same relying party (with its client-API credentials).
    const socket = request.raw.socket as Partial<TLSSocket>;
    if (socket.encrypted && typeof socket.getPeerCertificate === 'function') {
      const peer = socket.getPeerCertificate(false);
      const issued = await issuedCertificateFingerprint(deps, rp.client_id);
      if (!peer?.fingerprint256 || peer.fingerprint256 !== issued) throw new KycError(3, 401, 'Unauthorized');
    }
    const purpose = String(request.headers['x-purpose'] ?? '').trim();
    if (!purpose || purpose.length > 200) throw new KycError(1, 400, 'The X-Purpose header is required');
    const hit = await deps.hot.hit(`kyc:${rp.client_id}`, 60, deps.clock.now());
    if (hit.count > deps.config.kyc.callsPerMinute) throw new KycError(4, 429, 'Too many requests');
    return { clientId: rp.client_id, purpose };
  };

  const handle = <S extends z.ZodType>(
    path: string,
    schema: S,
    run: (body: z.infer<S>) => Promise<Record<string, unknown>>,
  ) => {
    // Body refusals (too large, not JSON) answer in the API's own envelope too.
    const errorHandler = (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const known = toAppError(error);
      const status = known?.status ?? 500;
      if (status >= 500) throw error;
      const message =
        known?.code === 'request_malformed'
          ? 'The request is malformed (invalid UTF-8, a NUL byte, bad percent-encoding or cookies)'
          : status === 413
            ? 'The request body is too large'
            : status === 415
              ? 'The request body must be JSON'
              : 'The request body is not valid JSON';
      return reply.status(status).send({ error: 1, message, data: null });
    };
    app.post(path, { errorHandler }, async (request: FastifyRequest, reply: FastifyReply) => {
      let caller: { clientId: string; purpose: string } | undefined;
      let outcome = 'ok';
      try {
        caller = await institution(request);
        const parsed = schema.safeParse(request.body);
        if (!parsed.success)
          throw new KycError(
            1,
            400,
            `Invalid request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
          );
        const data = await run(parsed.data);
        return reply.send({ error: 0, message: 'Successfully', data });
      } catch (caught) {
        const error =
          caught instanceof RegistryUnavailable
            ? new KycError(6, 503, 'The civil registry is unavailable')
            : caught;
        if (!(error instanceof KycError)) throw error;
        outcome = `error_${error.error}`;
        if (error.retryAfterSeconds !== undefined)
          reply.header('retry-after', String(error.retryAfterSeconds));
        return reply.status(error.status).send({ error: error.error, message: error.message, data: null });
      } finally {
        if (caller) {
          const who = caller;
          await recordAudit(
            deps.db,
            {
              actorType: 'system',
              actorId: who.clientId,
              action: `kyc.${path.split('/').pop()}`,
              subjectType: 'institution',
              subjectId: who.clientId,
              ip: request.ip,
              requestId: request.id,
              details: { purpose: who.purpose, outcome },
            },
            deps.clock.now(),
          );
        }
      }
    });
  };

  const checkInfo = async (info: z.infer<typeof userInfo>) => {
    if (!deps.registry) throw new RegistryUnavailable('no civil registry configured');
    const record = await deps.registry.lookup(info.idNumber.toUpperCase());
    if (!record) throw new KycError(2, 404, 'Unknown ID number');
    const { incorrectFields, score } = compareWithRegistry(
      {
        khmerSurname: info.lastNameKh,
        khmerGivenName: info.firstNameKh,
        latinSurname: info.lastNameEn,
        latinGivenName: info.firstNameEn,
        gender: info.gender === 'M' ? 'male' : 'female',
        birthDate: info.dob,
        issueDate: info.issuedDate,
        expiryDate: info.expiredDate,
      },
      record,
    );
    return {
      record,
      userInfo: {
        idNumber: info.idNumber,
        score,
        incorrectFields: incorrectFields.map((f) => FIELD_NAMES[f] ?? f),
      },
    };
  };

  const similarity = async (a: Buffer, b: Buffer) => {
    const engine = serverFaceEngine();
    const match = await engine.matchFaces(a, b).catch(notAnalysed('no_face_in_selfie'));
    if ('error' in match)
      throw new KycError(
        5,
        422,
        match.error === 'no_face_in_reference'
          ? 'No face in the reference image'
          : 'No single face in the face image',
      );
    return match.similarity;
  };

  handle('/api/2.0/kyc/info', userInfo, async (info) => (await checkInfo(info)).userInfo);

  handle('/api/2.0/kyc/ocr-idcard', z.object({ idImage: image }).strict(), async (body) => {
    const read = await readDocumentMrz(Buffer.from(body.idImage, 'base64'), deps.clock.now());
    if (!read.ok && read.reason === 'not_an_image') throw new KycError(1, 400, 'idImage is not an image');
    if (!read.ok && read.reason === 'mrz_uncertain')
      throw new KycError(
        8,
        422,
        'The MRZ could not be read with certainty: send a sharper, straighter photo',
      );
    if (!read.ok || !read.mrz) throw new KycError(7, 422, 'No readable MRZ in the image');
    const m = read.mrz;
    const [given = '', ...more] = m.givenNames.split(' ');
    return {
      idNumber: m.documentNumber,
      firstNameKh: null,
      lastNameKh: null,
      firstNameEn: [given, ...more].join(' '),
      lastNameEn: m.surname,
      gender: m.sex === 'male' ? 'M' : m.sex === 'female' ? 'F' : null,
      dob: m.birthDate,
      issuedDate: null,
      expiredDate: m.expiryDate,
      nationality: m.nationality,
      documentType: m.documentType,
      MRZ1: read.lines[0] ?? null,
      MRZ2: read.lines[1] ?? null,
      MRZ3: read.lines[2] ?? null,
    };
  });

  handle('/api/2.0/kyc/info-face', z.object({ userInfo, faceImg: image }).strict(), async (body) => {
    const { record, userInfo: result } = await checkInfo(body.userInfo);
    const face = Buffer.from(body.faceImg, 'base64');
    const faceMoiScore = record.portrait
      ? await similarity(face, Buffer.from(record.portrait, 'base64'))
      : null;
    return { userInfo: result, faceMoiScore };
  });

  handle(
    '/api/2.0/kyc/info-face-idcard',
    z.object({ userInfo, faceImg: image, idImage: image }).strict(),
    async (body) => {
      const { record, userInfo: result } = await checkInfo(body.userInfo);
      const face = Buffer.from(body.faceImg, 'base64');
      const faceMoiScore = record.portrait
        ? await similarity(face, Buffer.from(record.portrait, 'base64'))
        : null;
      const faceDocumentScore = await similarity(face, Buffer.from(body.idImage, 'base64'));
      return { userInfo: result, faceMoiScore, faceDocumentScore };
    },
  );
  handle(
    '/api/2.0/kyc/info-idcard-liveness',
    z
      .object({
        actions: z
          .array(z.enum(['1', '2', '3']))
          .min(1)
          .max(4),
        userInfo,
        idImage: image,
        liveness: video,
      })
      .strict(),
    async (body) => {
      const bytes = Buffer.from(body.liveness, 'base64');
      let decoded: Awaited<ReturnType<typeof decodeVideoFrames>>;
      try {
        decoded = await decodeVideoFrames(bytes);
      } catch (caught) {
        if (!(caught instanceof VideoDecodeError)) throw caught;
        throw new KycError(1, caught.reason === 'too_large' ? 413 : 400, `liveness: ${caught.message}`);
      }
      const { record, userInfo: result } = await checkInfo(body.userInfo);
      const engine = serverFaceEngine();
      // The judge takes at most maxFrames frames: longer videos are sampled evenly.
      const all = decoded.frames;
      const max = engine.thresholds.maxFrames;
      const frames =
        all.length <= max
          ? all
          : Array.from({ length: max }, (_, i) => all[Math.floor((i * all.length) / max)]!);
      const start = deps.clock.now().getTime();
      const liveness = await engine.judgeLiveness(
        frames.map((f) => ({ t: start + f.t, image: f.jpeg })),
        {
          actions: body.actions.map((a) => ACTIONS[a]),
          issuedAt: new Date(start).toISOString(),
          timeLimitSeconds: VIDEO_LIMITS.maxSeconds + 1,
        },
      );
      // The most frontal frame with one face stands for the person in the video (the first frame
      // when the judge stopped before analysing any, e.g. a video shorter than its minimum).
      const frontal = liveness.frames
        .map((d, i) => ({ d, i }))
        .filter(({ d }) => d.faces === 1 && d.pose)
        .sort((p, q) => frontalness(p.d.pose!) - frontalness(q.d.pose!))[0];
      const best = frames[frontal?.i ?? 0]?.jpeg;
      const videoSimilarity = async (reference: Buffer) => {
        if (!best) return null;
        const match = await engine.matchFaces(best, reference).catch(notAnalysed('no_face_in_reference'));
        if (!('error' in match)) return match.similarity;
        if (match.error === 'no_face_in_reference')
          throw new KycError(5, 422, 'No face in the reference image');
        return null;
      };
      const faceDocumentScore = await videoSimilarity(Buffer.from(body.idImage, 'base64'));
      const faceMoiScore = record.portrait
        ? await videoSimilarity(Buffer.from(record.portrait, 'base64'))
        : null;
      return {
        userInfo: result,
        livenessScore: liveness.score,
        faceDocumentScore,
        faceMoiScore,
        failedAction: liveness.failedAction ? (ACTION_CODES[liveness.failedAction] ?? null) : null,
        livenessPassed: liveness.passed,
        livenessReason: liveness.reason ?? null,
      };
    },
  );
}

const frontalness = (pose: { yaw: number; pitch: number }) => Math.abs(pose.yaw) + Math.abs(pose.pitch);

/**
 * A face comparison that could not analyse a picture (unreadable) answers as a picture without a
 * face, as it always did; a face engine that is full (503, Retry-After) or away stays that error.
 */
const notAnalysed =
  <E extends string>(error: E) =>
  (caught: unknown): { error: E } => {
    if (caught instanceof AppError) throw caught;
    return { error };
  };
