/**
 * What a registration's evidence job reuses instead of computing again (issue 14 item 7), and that
 * the reuse changes no number: the selfie analysed once (`detect`) and handed to `matchFaces` and
 * to `judgeRecording`'s binding, and the passive signal's grey planes made from the pixels the
 * engine decoded for the detection instead of decoding every frame again. On a synthetic recording
 * (a real face crop animated by its mesh, through a camera's noise and JPEG as the app sends it).
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from './face-engine';
import { greyPlane, passiveSignals } from './pad';
import { judgeRecording } from './recording';
import { cropSampleFaces, idCardVersion } from './testing/samples';
import { cameraLike, LEFT_RIGHT_NOD_PLAN, motionSource, renderPose } from './testing/synthetic-motion';
import type { FaceAnalysis, LivenessChallenge, LivenessFrame } from './types';

const engine = new FaceEngine();
const ISSUED = Date.parse('2025-03-01T10:00:00.000Z');
const challenge: LivenessChallenge = {
  actions: ['turn_left', 'turn_right', 'nod'],
  issuedAt: new Date(ISSUED).toISOString(),
  timeLimitSeconds: 10,
};

let frames: LivenessFrame[];
let selfie: Buffer;
let document: Buffer;

/** The analysis as it reaches the face thread from the evidence job: faces and size, cloned. */
const analysed = async (image: Buffer): Promise<FaceAnalysis> => {
  const { faces, image: size } = await engine.detect(image);
  return structuredClone({ faces, image: size });
};

beforeAll(async () => {
  await engine.init();
  const crop = (await cropSampleFaces(engine, [3])).find((f) => f.id === 's3f2')!.crop;
  const src = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
  // 400 px wide JPEG q70 with a camera's noise, as the app sends its frames; the selfie 480 px q85.
  // Ten frames of the plan: the neutral start, each action's furthest pose, the nod's return and
  // four others (no more than framesToEmbed's minimum draw), so that judgeRecording compares every
  // frame with the selfie (no random draw) and two judgements can be compared whole.
  const plan = [0, 1, 2, 3, 5, 6, 7, 9, 11, 13].map((i) => LEFT_RIGHT_NOD_PLAN[i]!);
  frames = [];
  for (const [i, pose] of plan.entries()) {
    const small = await sharp(renderPose(src, pose)).resize(400).png().toBuffer();
    frames.push({ t: ISSUED + 400 + i * 200, image: await cameraLike(small, i, { quality: 70 }) });
  }
  selfie = await cameraLike(renderPose(src, { yaw: 0, pitch: 0 }), 7, { quality: 85 });
  document = await idCardVersion(crop);
}, 180_000);
afterAll(() => engine.close());

describe('the selfie analysed once', () => {
  it('matchFaces gives the same result for the analysis as for the picture', async () => {
    const fromPicture = await engine.matchFaces(selfie, document);
    const fromAnalysis = await engine.matchFaces(await analysed(selfie), document);
    expect('similarity' in fromPicture && fromPicture.similarity).toBeGreaterThan(0.5);
    expect(fromAnalysis).toEqual(fromPicture);
    // An analysis of another picture gives that picture's numbers: the analysis is what is compared.
    const other = await engine.matchFaces(await analysed(frames[3]!.image), document);
    expect(other).not.toEqual(fromPicture);
  });

  it("judgeRecording's binding gives the same judgement with the caller's analysis", async () => {
    const receivedAt = new Date(frames.at(-1)!.t + 500);
    const alone = await judgeRecording(engine, frames, challenge, { selfie, receivedAt });
    const reused = await judgeRecording(engine, frames, challenge, {
      selfie,
      receivedAt,
      selfieAnalysis: await analysed(selfie),
    });
    // Every frame compared: no random draw, so the two judgements can be compared whole.
    expect(alone.binding?.framesCompared).toBe(frames.length);
    expect(alone.binding?.passed).toBe(true);
    expect(alone.liveness.passed).toBe(true);
    expect(reused).toEqual(alone);
    // The analysis is really what binds: another face's analysis fails the binding.
    const stranger = (await cropSampleFaces(engine, [3])).find((f) => f.id === 's3f0')!.crop;
    const wrong = await judgeRecording(engine, frames, challenge, {
      selfie,
      receivedAt,
      selfieAnalysis: await analysed(stranger),
    });
    expect(wrong.binding?.reason).toBe('frame_not_selfie_person');
  });
});

describe("the passive signal's grey planes from the engine's decode", () => {
  it('are the pixels of decoding each frame again, and give the same signal', async () => {
    const planes = [];
    for (const f of frames) {
      const d = await engine.detectDeferred(f.image, { grey: true });
      expect(d.grey).toBeDefined();
      const again = await greyPlane(f.image);
      expect(d.grey!.width).toBe(again.width);
      expect(d.grey!.height).toBe(again.height);
      expect(Buffer.compare(d.grey!.data, again.data)).toBe(0);
      planes.push({ grey: d.grey!, face: { box: d.faces[0]!.box, image: d.image } });
    }
    const faces = planes.map((p) => p.face);
    const decoded = await passiveSignals(
      frames.map((f) => f.image),
      faces,
    );
    expect(decoded.pairs).toBe(frames.length - 1);
    expect(
      await passiveSignals(
        planes.map((p) => p.grey),
        faces,
      ),
    ).toEqual(decoded);
  });

  it('are not made when the decode is not the plain one (alpha, downscaled): the frame is decoded again', async () => {
    const rgba = await sharp(frames[0]!.image).ensureAlpha().png().toBuffer();
    expect((await engine.detectDeferred(rgba, { grey: true })).grey).toBeUndefined();
    const large = await sharp(frames[0]!.image).resize(1600).jpeg().toBuffer();
    expect((await engine.detectDeferred(large, { grey: true })).grey).toBeUndefined();
    // Without asking, none either.
    expect((await engine.detectDeferred(frames[0]!.image)).grey).toBeUndefined();
  });
});
