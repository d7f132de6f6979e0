/**
 * Real faces for face checks over HTTP: crops of the face-engine's sample photos (read from
 * node_modules) and liveness recordings made from them by rotating the face mesh
 * (face-engine/testing/synthetic-motion.ts), in the order of any challenge of turns and nods.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type FaceEngine, sharedFaceEngine } from '@camdigikey/face-engine';
import { calibrationFolder } from '@camdigikey/face-engine/eval/dataset';
import { cropSampleFaces, type SampleFace } from '@camdigikey/face-engine/testing/samples';
import {
  ACTION_PEAKS,
  cameraLike,
  motionSource,
  type Pose,
  renderPose,
  timelinePoses,
} from '@camdigikey/face-engine/testing/synthetic-motion';
import { serverFaceEngine } from '@camdigikey/server/proofing/face';
import { type TimedStep, timedFrameInterval } from '@camdigikey/testkit/face-frames';
import type { RecoveryFace } from '@camdigikey/testkit/recovery-walker';
import { writeY4m, type Y4mSource, type Y4mWritten } from '@camdigikey/testkit/y4m';
import sharp from 'sharp';

/** The poses that show one action, from neutral and back (engine convention: yaw > 0 = own left). */
export const ACTION_POSES: Record<string, Pose[]> = {
  turn_left: [
    { yaw: 18, pitch: 0 },
    { yaw: 35, pitch: 0 },
    { yaw: 18, pitch: 0 },
    { yaw: 0, pitch: 0 },
  ],
  turn_right: [
    { yaw: -18, pitch: 0 },
    { yaw: -35, pitch: 0 },
    { yaw: -18, pitch: 0 },
    { yaw: 0, pitch: 0 },
  ],
  nod: [
    { yaw: 0, pitch: 15 },
    { yaw: 0, pitch: 30 },
    { yaw: 0, pitch: 15 },
    { yaw: 0, pitch: 0 },
  ],
};

/**
 * Loads the face models in this process twice over: the test's own engine (for cropping and
 * judging samples) and the test servers' face pool (a worker thread of its own, see
 * apps/server/src/proofing/face.ts), so no test's first face call pays for loading them inside
 * its timeout. Call it after the file's server has started (the pool then has its configuration).
 */
export async function warmFaceEngines(): Promise<FaceEngine> {
  const engine = sharedFaceEngine();
  await Promise.all([engine.init(), serverFaceEngine().init()]);
  return engine;
}

export async function sampleFaces(photos: number[]): Promise<{ engine: FaceEngine; faces: SampleFace[] }> {
  const engine = await warmFaceEngines();
  return { engine, faces: await cropSampleFaces(engine, photos) };
}

/**
 * The calibration set of real, different photographs of the same people (the face engine's
 * `calibrationFolder()`: CDK_FACES_CALIBRATION, or ../shared/data beside the repository, as CI lays
 * it out). Tests that need one person photographed twice (a genuine recovery: enrolled on one
 * photo, recovering with another) read it.
 */
export function calibrationDir(): string {
  const dir = calibrationFolder();
  if (!existsSync(path.join(dir, 'manifest.json')))
    throw new Error(`the face calibration set is not at ${dir} (set CDK_FACES_CALIBRATION)`);
  return dir;
}

/**
 * People photographed twice (enrolment photo, later selfie), for genuine recoveries. Chosen because
 * the synthetic motion of the second photo reads every challenge action and, with fr_feature
 * (fe-thresholds-2026.1), the two photos match at 0.79-0.85: in the confident band (>= 0.55). One
 * genuine person per account and one photo per upload, since a picture already uploaded for
 * another account is a replay. `notConfident` is genuine too but matches only at 0.47 (a much
 * older photo): below the confident band and above review (0.30), so recovery refers it to an
 * officer. When the face model or its thresholds change, these numbers change with them.
 */
export const GENUINE_PAIRS = {
  sundar: ['sundar_pichai/df-img24.jpg', 'sundar_pichai/df-img25.jpg'],
  jeff: ['jeff_bezos/df-img20.jpg', 'jeff_bezos/df-img21.jpg'],
  jennifer: ['jennifer_aniston/df-img3.jpg', 'jennifer_aniston/df-img56.jpg'],
  notConfident: ['jennifer_aniston/df-img12.jpg', 'jennifer_aniston/df-img55.jpg'],
  george: ['george_clooney/df-img38.jpg', 'george_clooney/df-img39.jpg'],
  // Similarity 0.82; filmed, every frame stays ≥ 0.66 like the selfie (sundar's frames go down
  // to 0.41 under a nod, at the binding threshold 0.40): for a recovery that must succeed.
  leonardo: ['leonardo_dicaprio/df-img34.jpg', 'leonardo_dicaprio/df-img37.jpg'],
} as const;
export type GenuinePerson = keyof typeof GENUINE_PAIRS;

export async function calibrationCrop(engine: FaceEngine, file: string): Promise<Buffer> {
  const bytes = readFileSync(path.join(calibrationDir(), file));
  const det = await engine.detect(bytes);
  const face = det.faces[0];
  if (!face) throw new Error(`no face in ${file}`);
  const { width: W, height: H } = det.image;
  const base = await sharp(bytes).rotate().resize(W, H, { fit: 'fill' }).toBuffer();
  const { x, y, width, height } = face.box;
  const side = Math.round(Math.min(Math.max(width, height) * 1.6, W, H));
  const left = Math.round(Math.min(Math.max(0, x + width / 2 - side / 2), W - side));
  const top = Math.round(Math.min(Math.max(0, y + height / 2 - side / 2), H - side));
  return sharp(base).extract({ left, top, width: side, height: side }).resize(480, 480).png().toBuffer();
}

/**
 * A face that can perform any challenge: a timed one (`steps`) with each action in the middle of
 * its window, a frame every 300 ms; an untimed one of turns and nods with frames 200 ms apart.
 * Recording takes as long as the frames span: `elapse` moves the (test server's) clock by that
 * much, since the server checks that no frame predates the challenge.
 */
export async function movingFace(
  engine: FaceEngine,
  crop: Buffer,
  elapse: (ms: number) => void,
  /**
   * 'camera' (default): every timed frame gets a camera's sensor noise and shake (cameraLike), as
   * a person filmed by a phone; 'injected': the rendered stills as they are, as an attacker who
   * animates a photo in software and injects the frames would send them.
   */
  as: 'camera' | 'injected' = 'camera',
): Promise<RecoveryFace> {
  const source = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
  const cache = new Map<string, string>();
  const frame = (pose: Pose) => {
    const key = JSON.stringify(pose);
    let image = cache.get(key);
    if (!image) {
      image = renderPose(source, pose).toString('base64');
      cache.set(key, image);
    }
    return image;
  };
  return {
    selfie: crop,
    async frames(actions: string[], steps?: TimedStep[]) {
      if (steps?.length) {
        const interval = timedFrameInterval(steps.at(-1)!.endMs);
        const timed = timelinePoses(steps, interval, undefined, PERSON_PEAKS);
        elapse(timed.at(-1)!.t + interval);
        const out: { t: number; image: string }[] = [];
        for (const [k, { t, pose }] of timed.entries()) {
          const still = Buffer.from(frame(pose), 'base64');
          const image = as === 'camera' ? await cameraLike(still, k + t) : still;
          out.push({ t, image: image.toString('base64') });
        }
        return out;
      }
      const poses: Pose[] = [
        { yaw: 0, pitch: 0 },
        { yaw: 2, pitch: 1 },
        ...actions.flatMap((a) => {
          const shown = ACTION_POSES[a];
          if (!shown) throw new Error(`no synthetic motion for ${a}`);
          return shown;
        }),
        { yaw: -1, pitch: 0 },
      ];
      elapse(poses.length * 200);
      return poses.map((pose, i) => ({ t: i * 200, image: frame(pose) }));
    },
  };
}

/**
 * How far the filmed person goes: a nod and an open mouth drawn at the engine's own peaks
 * (ACTION_PEAKS) sit at its thresholds for some faces, as a real person's small nod would: over 12
 * random timed challenges each (second photos of GENUINE_PAIRS), jeff passed 7 (his 30° nod never
 * read) and sundar 10 (his open mouth never read). The people the tests film do them clearly, as
 * the app asks: with a 35° nod and a 0.13 mouth, jeff, sundar, jennifer and george passed 16 of 16
 * each (38° made two of george's frames no longer his face).
 */
export const PERSON_PEAKS: Record<string, Pose> = {
  ...ACTION_PEAKS,
  nod: { yaw: 0, pitch: 35 },
  open_mouth: { yaw: 0, pitch: 0, mouth: 0.13 },
};

/**
 * A filmed nod goes further down: through the camera path (I420, the preview, JPEG at 400 px) the
 * engine reads a 30° synthetic nod as about 10°, the threshold itself, but a 40° one as about 15°.
 */
const FILM_PEAKS: Record<string, Pose> = {
  ...ACTION_PEAKS,
  nod: { yaw: 0, pitch: 40 },
  look_up: { yaw: 0, pitch: -40 },
  tilt_left: { yaw: 0, pitch: 0, roll: 26 },
  tilt_right: { yaw: 0, pitch: 0, roll: -26 },
  open_mouth: { yaw: 0, pitch: 0, mouth: 0.12 },
  move_closer: { yaw: 0, pitch: 0, scale: 1.5 },
};

const FILM_POSES: Record<string, Pose[]> = {
  nod: [
    { yaw: 0, pitch: 20 },
    { yaw: 0, pitch: 40 },
    { yaw: 0, pitch: 20 },
    { yaw: 0, pitch: 0 },
  ],
};

/**
 * A camera video (Y4M, for Chromium's fake camera) of a real face doing a liveness challenge:
 * `leadSeconds` looking straight (with a slight sway, as a hand-held phone shows), then each
 * action's poses (`poseSeconds` each) and a moment back at the centre (`restSeconds`), then a long
 * still tail so that the file, which Chromium loops, does not start over during a recording. The
 * actions take less time than the app gives them (2.5 s each), so a recording that starts a
 * little early or late still holds a still start and every action in order. A timed challenge's
 * film stamps each frame with its index and says on which frame the recording should start.
 */
export async function writeChallengeVideo(
  path: string,
  engine: FaceEngine,
  crop: Buffer,
  actions: readonly string[],
  opts: {
    leadSeconds?: number;
    poseSeconds?: number;
    restSeconds?: number;
    tailSeconds?: number;
    fps?: number;
    /** A timed challenge's windows: the film then follows them from `recordingStartSeconds` on. */
    steps?: readonly TimedStep[];
    /** Where in the film the app's recording will start (default: leadSeconds − 1.5). */
    recordingStartSeconds?: number;
  } = {},
): Promise<Y4mWritten & { recordingStartFrame?: number }> {
  const fps = opts.fps ?? 10;
  const source = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
  const rendered = new Map<string, Buffer>();
  const poseImage = (pose: Pose) => {
    const key = JSON.stringify(pose);
    if (!rendered.has(key)) rendered.set(key, renderPose(source, pose));
    return rendered.get(key)!;
  };
  const hold = (seconds: number) => Math.max(1, Math.round(seconds * fps));
  // The picture fitted into the film's frame first, so the camera's noise covers all of it.
  const filmFrame = (image: Buffer) =>
    sharp(image).resize(480, 360, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
  const still = poseImage({ yaw: 0, pitch: 0 });
  const sway = poseImage({ yaw: 2, pitch: 1 });
  const sources: Y4mSource[] = [];
  const lead = opts.leadSeconds ?? 3;
  if (opts.steps?.length) {
    // Still (with a sway) until the recording starts, then the challenge's timeline frame by frame.
    const start = opts.recordingStartSeconds ?? lead - 1.5;
    for (let t = 0; t < start; t += 0.5) sources.push({ image: t % 1 === 0 ? still : sway, hold: hold(0.5) });
    const recordingStartFrame = sources.reduce((n, s) => n + s.hold, 0);
    // Every recorded frame as a phone's camera gives it (sensor noise, flicker, shake): a film of
    // bit-identical backgrounds is what the passive attack signal (face-engine pad.ts) looks for.
    for (const [k, { pose }] of timelinePoses(opts.steps, 1000 / fps, undefined, FILM_PEAKS).entries())
      sources.push({ image: await cameraLike(await filmFrame(poseImage(pose)), k), hold: 1 });
    sources.push({ image: still, hold: hold(opts.tailSeconds ?? 8) });
    // Each frame carries its index, so the test can start the app's recording on the right one.
    const written = await writeY4m(path, sources, {
      width: 480,
      height: 360,
      fps,
      fit: 'contain',
      stampFrames: true,
    });
    return { ...written, recordingStartFrame };
  }
  for (let t = 0; t < lead; t += 0.5) sources.push({ image: t % 1 === 0 ? still : sway, hold: hold(0.5) });
  for (const action of actions) {
    const poses = FILM_POSES[action] ?? ACTION_POSES[action];
    if (!poses) throw new Error(`no synthetic motion for ${action}`);
    for (const pose of poses) sources.push({ image: poseImage(pose), hold: hold(opts.poseSeconds ?? 0.3) });
    sources.push({ image: still, hold: hold(opts.restSeconds ?? 0.4) });
  }
  sources.push({ image: still, hold: hold(opts.tailSeconds ?? 8) });
  return writeY4m(path, sources, { width: 480, height: 360, fps, fit: 'contain' });
}
