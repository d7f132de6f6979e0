/**
 * The scripted presentation-attack suite (identity-proofing issue, item 6), over HTTP against the
 * recovery's face check, which decides on its own (the registration's evidence goes to an officer
 * anyway). Every attack must be refused or sent to an officer, never give the account back. The
 * victim enrolled with one photograph; the attacker has that photograph (or another of the
 * victim), a stranger's face, and any video he recorded earlier. What each attack is:
 * - still photo: the victim's photo as every frame;
 * - noisy still: the same with a camera's noise and shake in every frame;
 * - replay with the wrong order: a good recording of the victim made for another challenge;
 * - challenge shopping: asking for new challenges until one fits a recording (3 an hour, then 429);
 * - two people: the victim for the first half, a stranger for the second;
 * - rigid card: the photo moved as a whole (tilted, shifted, brought closer), no head motion;
 * - someone else's recording with the victim's selfie;
 * - an animated copy of the enrolment photo (re-cropped and re-scaled, mesh-warped), injected as
 *   is and with a camera's noise added.
 * @see issue 14
 */

import type { SampleFace } from '@camdigikey/face-engine/testing/samples';
import {
  cameraLike,
  motionSource,
  renderPose,
  timelinePoses,
} from '@camdigikey/face-engine/testing/synthetic-motion';
import { type TimedStep, timedFrameInterval } from '@camdigikey/testkit/face-frames';
import { RECOVERY, type RecoveryFace, recoveryStep, walkRecovery } from '@camdigikey/testkit/recovery-walker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeCitizen } from '../support/citizens';
import { calibrationCrop, GENUINE_PAIRS, movingFace, PERSON_PEAKS, sampleFaces } from '../support/faces';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let faces: SampleFace[];
let enrolment: Buffer;
let victimMoving: RecoveryFace;
let strangerMoving: RecoveryFace;
const NEW_PIN = '493817';
const DAY = 25 * 3_600_000;

const b64 = (b: Buffer) => b.toString('base64');
const elapse = (ms: number) => server.clock.advance(ms);

/** A drawn frame as a phone camera uploads it: a JPEG (a PNG crop repeated over a 5-action
 *  challenge made the recording larger than UPLOAD_MAX_BODY_BYTES, a 413 instead of a verdict). */
const asUploaded = async (frame: Buffer) =>
  frame[0] === 0xff && frame[1] === 0xd8 ? frame : sharp(frame).jpeg({ quality: 85 }).toBuffer();

/** Frames over a timed challenge's span, one every 400 ms (more for long ones: the app's 40 at most), drawn by `draw(t, k)`. */
async function framesOver(steps: TimedStep[] | undefined, draw: (t: number, k: number) => Promise<Buffer>) {
  const end = steps?.at(-1)?.endMs ?? 6000;
  const interval = timedFrameInterval(end);
  const out: { t: number; image: string }[] = [];
  for (let t = 0, k = 0; t <= end; t += interval, k++)
    out.push({ t, image: b64(await asUploaded(await draw(t, k))) });
  elapse(end + interval);
  return out;
}

/** A face the recovery walker can use: this selfie, and frames made by `frames`. */
const attack = (
  selfie: Buffer,
  frames: (actions: string[], steps?: TimedStep[]) => Promise<{ t: number; image: string }[]>,
): RecoveryFace => ({ selfie, frames });

beforeAll(async () => {
  server = await startTestServer();
  const sample = await sampleFaces([3]);
  faces = sample.faces;
  enrolment = await calibrationCrop(sample.engine, GENUINE_PAIRS.jeff[0]);
  victimMoving = await movingFace(
    sample.engine,
    await calibrationCrop(sample.engine, GENUINE_PAIRS.jeff[1]),
    elapse,
  );
  strangerMoving = await movingFace(sample.engine, faces.find((f) => f.id === 's3f2')!.crop, elapse);
}, 300_000);
afterAll(async () => server?.close(), 180_000);

const smsCode = (phone: string) => server.smsCode(phone);

async function judged(accountId: string) {
  return server.deps.db
    .selectFrom('recovery_attempts')
    .select(['outcome', 'details'])
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
}

describe('presentation attacks on the recovery face check', { timeout: 300_000 }, () => {
  let victim: Awaited<ReturnType<typeof activeCitizen>>;
  /** One recovery with `face`; the day moves on after every two judged tries (3 failures a day refer). */
  let tries = 0;
  async function tryRecovery(face: RecoveryFace) {
    if (tries > 0 && tries % 2 === 0) elapse(DAY);
    tries++;
    const flow = await walkRecovery(await server.device(), {
      phone: victim.citizen.phone,
      pin: NEW_PIN,
      smsCode,
      face,
    });
    expect(flow.state).not.toBe('recovered');
    return { flow, attempt: await judged(victim.accountId) };
  }

  beforeAll(async () => {
    victim = await activeCitizen(server, 9701, { media: { selfie: enrolment } });
  }, 300_000);

  it('still photo: refused (no motion)', async () => {
    const { attempt } = await tryRecovery(
      attack(enrolment, (_a, steps) => framesOver(steps, async () => enrolment)),
    );
    expect(attempt).toMatchObject({ outcome: 'liveness_failed', details: { reason: 'no_motion' } });
  });

  it('noisy still: refused', async () => {
    const { attempt } = await tryRecovery(
      attack(enrolment, (_a, steps) => framesOver(steps, (t, k) => cameraLike(enrolment, k + t))),
    );
    expect(attempt.outcome).toBe('liveness_failed');
    expect(['no_motion', 'action_not_detected']).toContain((attempt.details as { reason: string }).reason);
  });

  it('replay of a good recording made for another challenge: refused', async () => {
    const { attempt } = await tryRecovery(
      attack(victimMoving.selfie, async (actions, steps) => {
        // The same actions in another order, on the issued windows: what a recording made earlier shows.
        const other = [...actions.slice(1), actions[0]!];
        return victimMoving.frames(
          other,
          steps?.map((s, i) => ({ ...s, action: other[i]! })),
        );
      }),
    );
    expect(attempt.outcome).toBe('liveness_failed');
    expect(['unexpected_action', 'action_not_detected']).toContain(
      (attempt.details as { reason: string }).reason,
    );
  });

  it('two people in one recording: refused', async () => {
    const { attempt } = await tryRecovery(
      attack(victimMoving.selfie, async (actions, steps) => {
        const mine = await victimMoving.frames(actions, steps);
        const theirs = await strangerMoving.frames(actions, steps);
        const half = Math.floor(mine.length / 2);
        return [...mine.slice(0, half), ...theirs.slice(half)];
      }),
    );
    expect(['liveness_failed', 'face_mismatch']).toContain(attempt.outcome);
    expect(['different_faces', 'frame_not_selfie_person']).toContain(
      (attempt.details as { reason: string }).reason,
    );
  });

  it('rigid card (the photo moved as a whole): refused', async () => {
    const { attempt } = await tryRecovery(
      attack(enrolment, (_a, steps) =>
        framesOver(steps, async (t, k) => {
          const step = steps?.find((s) => t >= s.startMs && t < s.endMs);
          const angle = step ? (step.action.endsWith('left') ? 15 : -15) : 0;
          const moved = await sharp(enrolment)
            .rotate(angle, { background: '#808080' })
            .resize(480, 480, { fit: 'cover' })
            .toBuffer();
          return cameraLike(moved, k + t);
        }),
      ),
    );
    expect(attempt.outcome).toBe('liveness_failed');
  });

  it("someone else's recording with the victim's selfie: refused (the frames are not the selfie's person)", async () => {
    const { attempt } = await tryRecovery(
      attack(enrolment, (actions, steps) => strangerMoving.frames(actions, steps)),
    );
    expect(attempt).toMatchObject({
      outcome: 'face_mismatch',
      details: { reason: 'frame_not_selfie_person', binding: { passed: false } },
    });
  });

  it('an animated copy of the enrolment photo, re-cropped: sent to an officer (replay), never recovered', async () => {
    const copy = await sharp(enrolment)
      .extract({ left: 24, top: 30, width: 420, height: 420 })
      .resize(520, 520)
      .jpeg({ quality: 85 })
      .toBuffer();
    const engine = (await sampleFaces([])).engine;
    const source = await motionSource(copy, (await engine.detect(copy)).faces[0]!);
    const { flow, attempt } = await tryRecovery(
      attack(copy, async (_a, steps) => {
        // Animated as clearly as the filmed people (PERSON_PEAKS): the attack must get past the
        // actions whatever the challenge, so that what stops it is the replay and the signal.
        const interval = timedFrameInterval(steps?.at(-1)?.endMs ?? 0);
        const poses = timelinePoses(steps ?? [], interval, undefined, PERSON_PEAKS);
        elapse(poses.at(-1)!.t + interval);
        return poses.map(({ t, pose }) => ({ t, image: b64(renderPose(source, pose)) }));
      }),
    );
    expect(flow.state).toBe('referred');
    expect(flow.ui.messages.map((m) => m.id)).toContain('recovery.referred.face_check_review');
    const details = attempt.details as {
      referrals: string[];
      replay: { fired: boolean };
      pad: { fired: boolean };
    };
    expect(attempt.outcome).toBe('referred');
    expect(details.replay.fired).toBe(true);
    // Injected as rendered: the background never changes, the passive signal fires too.
    expect(details.pad.fired).toBe(true);
    expect(details.referrals).toEqual(expect.arrayContaining(['replay', 'static_background']));
  });
});

describe('challenge shopping', { timeout: 300_000 }, () => {
  it('gives 3 challenges per flow an hour, then 429 with the wait; each is audited; a new one does not reset the count', async () => {
    const owner = await activeCitizen(server, 9702, { media: { selfie: enrolment } });
    const device = await server.device();
    const flow = await walkRecovery(device, {
      phone: owner.citizen.phone,
      pin: NEW_PIN,
      smsCode,
    });
    expect(flow.state).toBe('awaiting_liveness');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await device.call<{ challenge: { id: string } }>(
        'POST',
        `${RECOVERY}/${flow.id}/liveness/challenge`,
        {},
      );
      expect(r.status).toBe(200);
      ids.push(r.body.challenge.id);
      elapse(60_000);
    }
    const fourth = await device.call('POST', `${RECOVERY}/${flow.id}/liveness/challenge`, {});
    expect(fourth.status).toBe(429);
    expect(fourth.body).toMatchObject({
      error: {
        code: 'liveness_challenge_limit',
        messageId: 'error.liveness_challenge_limit',
        details: { limit: 3 },
      },
    });
    const wait = (fourth.body as { error: { details: { retryAfterSeconds: number } } }).error.details
      .retryAfterSeconds;
    expect(wait).toBe(3600 - 180);
    expect(fourth.headers.get('retry-after')).toBe(String(wait));
    const audited = await server.deps.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'recovery.liveness_challenge')
      .where('subject_id', '=', flow.id)
      .execute();
    expect(audited.map((a) => (a.details as { challengeId: string }).challengeId)).toEqual(ids);
    // The last challenge still stands: a recording for it is judged (here: someone else's face).
    const last = await recoveryStep(device, flow.id, 'liveness', {
      challengeId: ids[2],
      selfie: b64(enrolment),
      frames: await strangerMoving.frames(['turn_left'], undefined),
    });
    expect(last.state).toBe('awaiting_liveness');
    // Judging it did not give the count back either.
    expect((await device.call('POST', `${RECOVERY}/${flow.id}/liveness/challenge`, {})).status).toBe(429);
  });
});
