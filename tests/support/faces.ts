/**
 * Real faces for face checks over HTTP: crops of the face-engine's sample photos (read from
 * node_modules) and liveness recordings made from them by rotating the face mesh
 * (face-engine/testing/synthetic-motion.ts), in the order of any challenge of turns and nods.
 */
import { type FaceEngine, sharedFaceEngine } from '@camdigikey/face-engine';
import { cropSampleFaces, type SampleFace } from '@camdigikey/face-engine/testing/samples';
import { motionSource, type Pose, renderPose } from '@camdigikey/face-engine/testing/synthetic-motion';
import type { RecoveryFace } from '@camdigikey/testkit/recovery-walker';
import { writeY4m, type Y4mSource } from '@camdigikey/testkit/y4m';

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

export async function sampleFaces(photos: number[]): Promise<{ engine: FaceEngine; faces: SampleFace[] }> {
  const engine = sharedFaceEngine();
  await engine.init();
  return { engine, faces: await cropSampleFaces(engine, photos) };
}

/**
 * A face that can perform any challenge of turns and nods (frames 200 ms apart). Recording takes
 * as long as the frames span: `elapse` moves the (test server's) clock by that much, since the
 * server checks that no frame predates the challenge.
 */
export async function movingFace(
  engine: FaceEngine,
  crop: Buffer,
  elapse: (ms: number) => void,
): Promise<RecoveryFace> {
  const source = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
  const cache = new Map<string, string>();
  const frame = (pose: Pose) => {
    const key = `${pose.yaw}/${pose.pitch}`;
    let image = cache.get(key);
    if (!image) {
      image = renderPose(source, pose).toString('base64');
      cache.set(key, image);
    }
    return image;
  };
  return {
    selfie: crop,
    async frames(actions: string[]) {
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
 * A filmed nod goes further down: through the camera path (I420, the preview, JPEG at 400 px) the
 * engine reads a 30° synthetic nod as about 10°, the threshold itself, but a 40° one as about 15°.
 */
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
 * little early or late still holds a still start and every action in order.
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
  } = {},
) {
  const fps = opts.fps ?? 10;
  const source = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
  const poseImage = (pose: Pose) => renderPose(source, pose);
  const hold = (seconds: number) => Math.max(1, Math.round(seconds * fps));
  const still = poseImage({ yaw: 0, pitch: 0 });
  const sway = poseImage({ yaw: 2, pitch: 1 });
  const sources: Y4mSource[] = [];
  const lead = opts.leadSeconds ?? 3;
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
