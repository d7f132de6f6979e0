/**
 * Real faces for face checks over HTTP: crops of the face-engine's sample photos (read from
 * node_modules) and liveness recordings made from them by rotating the face mesh
 * (face-engine/testing/synthetic-motion.ts), in the order of any challenge of turns and nods.
 */
import { type FaceEngine, sharedFaceEngine } from '@camdigikey/face-engine';
import { cropSampleFaces, type SampleFace } from '@camdigikey/face-engine/testing/samples';
import { motionSource, type Pose, renderPose } from '@camdigikey/face-engine/testing/synthetic-motion';
import type { RecoveryFace } from '@camdigikey/testkit/recovery-walker';

/** The poses that show one action, from neutral and back (engine convention: yaw > 0 = own left). */
const ACTION_POSES: Record<string, Pose[]> = {
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
