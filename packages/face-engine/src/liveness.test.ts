/**
 * judgeLiveness end to end on SYNTHETIC frame sequences: real face crops whose face mesh is rotated
 * and re-textured to simulate turns and nods (testing/synthetic-motion.ts).
 *
 * What these tests prove: the engine reads the simulated pose changes from pixels, the gesture
 * sequence is matched to the challenge in order, and the frame/face/person/time/motion checks fire.
 * What they do NOT prove: that real head motion in real video passes at these thresholds, that
 * blinks are detected (they are reported `undetermined`), or any resistance to presentation attacks.
 * The passing sequences here ARE an animated still photo, which is what an attacker would submit; only
 * the (uncalibrated) antispoof/live model scores stand between such an attack and a pass.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from './face-engine';
import { cropSampleFaces, samplePhotoPath } from './testing/samples';
import { LEFT_RIGHT_NOD_PLAN, motionSource, renderPose } from './testing/synthetic-motion';
import type { LivenessAction, LivenessChallenge, LivenessFrame } from './types';

const engine = new FaceEngine();
const ISSUED = Date.parse('2025-03-01T10:00:00.000Z');
const challenge = (actions: LivenessAction[], timeLimitSeconds = 10): LivenessChallenge => ({
  actions,
  issuedAt: new Date(ISSUED).toISOString(),
  timeLimitSeconds,
});
const timed = (images: Buffer[], stepMs = 200): LivenessFrame[] =>
  images.map((image, i) => ({ t: ISSUED + 400 + i * stepMs, image }));

/** Yaw > 0 = the subject turns to their own left. Neutral, left, centre, right, centre, nod, neutral. */
const PLAN = LEFT_RIGHT_NOD_PLAN;
const LRN: LivenessAction[] = ['turn_left', 'turn_right', 'nod'];

let frames: LivenessFrame[]; // PLAN on face s3f2 (its synthetic pose response is strong)
let other: Buffer[]; // PLAN on face s3f0, a different person
let still: Buffer;

beforeAll(async () => {
  await engine.init();
  const faces = await cropSampleFaces(engine, [3]);
  const render = async (id: string) => {
    const crop = faces.find((f) => f.id === id)!.crop;
    const src = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
    return PLAN.map((p) => renderPose(src, p));
  };
  frames = timed(await render('s3f2'));
  other = await render('s3f0');
  still = faces.find((f) => f.id === 's3f2')!.crop;
}, 120_000);
afterAll(() => engine.close());

describe('judgeLiveness on synthetic turns and nods', () => {
  it('passes the challenge the frames were made for, with detection times in order', async () => {
    const r = await engine.judgeLiveness(frames, challenge(LRN));
    expect(r).toMatchObject({ passed: true, sameFace: true, observedActions: LRN });
    expect(r.reason).toBeUndefined();
    const at = r.perAction.map((p) => p.detectedAt!);
    expect(r.perAction.map((p) => p.status)).toEqual(['detected', 'detected', 'detected']);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(at).toEqual([frames[3]!.t, frames[7]!.t, frames[13]!.t]);
    expect(r.score).toBeGreaterThan(0.6);
    expect(r.antispoof).toBeGreaterThan(0.2);
    expect(r.frames).toHaveLength(15);
    expect(Math.min(...r.frames.map((f) => f.similarityToFirst!))).toBeGreaterThan(0.5);
    expect(r.provenance).toMatchObject({ engine: 'human@3.3.6', model: 'fr_feature' });
  });

  it('fails the same frames for another order, naming the first action that differs', async () => {
    const rl = await engine.judgeLiveness(frames, challenge(['turn_right', 'turn_left', 'nod']));
    expect(rl).toMatchObject({ passed: false, failedAction: 'turn_right', reason: 'unexpected_action' });
    const lnr = await engine.judgeLiveness(frames, challenge(['turn_left', 'nod', 'turn_right']));
    expect(lnr).toMatchObject({ passed: false, failedAction: 'nod', reason: 'unexpected_action' });
    expect(lnr.perAction[0]).toMatchObject({ action: 'turn_left', status: 'detected' });
  });

  it('reports blink as undetermined and never passes it', async () => {
    const r = await engine.judgeLiveness(frames.slice(0, 6), challenge(['turn_left', 'blink']));
    expect(r).toMatchObject({ passed: false, failedAction: 'blink', reason: 'action_undetermined' });
    expect(r.perAction[1]).toEqual({ action: 'blink', status: 'undetermined' });
  });

  it('fails a still photo repeated (no_motion), also when every copy is re-encoded', async () => {
    const same = await engine.judgeLiveness(timed(Array(10).fill(still)), challenge(['turn_left']));
    expect(same).toMatchObject({ passed: false, score: 0, reason: 'no_motion' });
    const noisy = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        sharp(still)
          .modulate({ brightness: 1 + i * 0.01 })
          .jpeg({ quality: 80 + i })
          .toBuffer(),
      ),
    );
    const r = await engine.judgeLiveness(timed(noisy), challenge(['turn_left']));
    expect(r.passed).toBe(false);
    expect(['no_motion', 'action_not_detected']).toContain(r.reason);
  });

  it('fails when the frames show two different people (sameFace)', async () => {
    const swapped = timed([...frames.slice(0, 7).map((f) => f.image), ...other.slice(7)]);
    const r = await engine.judgeLiveness(swapped, challenge(LRN));
    expect(r).toMatchObject({ passed: false, sameFace: false, reason: 'different_faces', frameIndex: 7 });
    expect(r.frames[7]!.similarityToFirst).toBeLessThan(0.5);
  });

  it('fails frames beyond the time limit, late uploads and out-of-order frames without analysing them', async () => {
    const slow = timed(
      frames.map((f) => f.image),
      1000,
    ); // last frame 14.4 s after issue; limit 10 s + 2 s skew
    expect(await engine.judgeLiveness(slow, challenge(LRN))).toMatchObject({
      passed: false,
      reason: 'time_limit_exceeded',
      frameIndex: 12,
      frames: [],
    });
    const late = await engine.judgeLiveness(frames, challenge(LRN), {
      receivedAt: new Date(ISSUED + 13_000),
    });
    expect(late.reason).toBe('time_limit_exceeded');
    const shuffled = frames.map((f, i) => ({ ...f, t: i === 4 ? frames[2]!.t : f.t }));
    expect(await engine.judgeLiveness(shuffled, challenge(LRN))).toMatchObject({
      reason: 'frames_out_of_order',
      frameIndex: 4,
    });
  });

  it('requires exactly one readable face in every frame', async () => {
    const group = await sharp(samplePhotoPath(3)).resize(800).jpeg().toBuffer();
    const blank = await sharp({ create: { width: 480, height: 480, channels: 3, background: '#777' } })
      .png()
      .toBuffer();
    const withGroup = frames.map((f, i) => (i === 2 ? { ...f, image: group } : f));
    expect(await engine.judgeLiveness(withGroup, challenge(LRN))).toMatchObject({
      reason: 'multiple_faces_in_frame',
      frameIndex: 2,
    });
    const withBlank = frames.map((f, i) => (i === 0 ? { ...f, image: blank } : f));
    expect(await engine.judgeLiveness(withBlank, challenge(LRN))).toMatchObject({
      reason: 'no_face_in_frame',
      frameIndex: 0,
    });
    const withJunk = frames.map((f, i) => (i === 1 ? { ...f, image: Buffer.from('junk') } : f));
    expect(await engine.judgeLiveness(withJunk, challenge(LRN))).toMatchObject({
      reason: 'invalid_frame',
      frameIndex: 1,
    });
  });
});
