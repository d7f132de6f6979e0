/**
 * The liveness recording the CamDigiKey app sends for a timed challenge, made from a still face
 * crop by synthetic motion (face-engine testing/synthetic-motion.ts), for `npm run bench:evidence`
 * and cost probes.
 */
import type { LivenessAction } from '@camdigikey/face-engine';
import {
  cameraLike,
  type MotionSource,
  type Pose,
  renderPose,
  timelinePoses,
} from '@camdigikey/face-engine/testing/synthetic-motion';
import sharp from 'sharp';
import { livenessPlan } from '../apps/wallet/src/camera/liveness-plan';

/**
 * A recording as the app sends it for a 5-action timed challenge (apps/wallet liveness-plan.ts and
 * LivenessRecorder.tsx): the plan's interval (at least 200 ms, stretched so that the whole timeline
 * fits in MAX_FRAMES), frames while elapsed < duration, capped at maxFrames, each a 640×480 camera
 * picture scaled to 400 px wide, JPEG q70, with a camera's noise; the selfie a 640 px JPEG q85 taken
 * at `selfieAt` in the still start. The windows are mid-range draws of the server's (lead 1.6 s,
 * 2.5 s per action: a 14.1 s timeline, 39 frames every 362 ms; 55 every 257 ms while the app sent
 * up to 56).
 */
export async function timedRecording(
  src: MotionSource,
  actions: LivenessAction[] = ['turn_left', 'nod', 'open_mouth', 'turn_right', 'tilt_left'],
  /** Another frame interval than the app's (what-if probes). */
  intervalMs?: number,
) {
  let at = 1600;
  const steps = actions.map((action) => {
    const startMs = at;
    at += 2500;
    return { action, startMs, endMs: at };
  });
  const app = livenessPlan(actions, steps);
  const plan = intervalMs ? { ...app, interval: intervalMs } : app;
  const poses = timelinePoses(steps, plan.interval, plan.duration)
    .filter(({ t }) => t < plan.duration)
    .slice(0, plan.maxFrames);
  // The 480 px square crop as the middle of a 640×480 camera picture (edges extended), as the app films it.
  const camera = async (pose: Pose) =>
    sharp(renderPose(src, pose)).extend({ left: 80, right: 80, extendWith: 'copy' }).png().toBuffer();
  const issued = Date.now();
  const t0 = issued + 300;
  const frames: { t: number; image: Buffer }[] = [];
  for (const [k, { t, pose }] of poses.entries()) {
    const small = await sharp(await camera(pose))
      .resize(400)
      .png()
      .toBuffer();
    frames.push({ t: t0 + t, image: await cameraLike(small, k + t, { quality: 70 }) });
  }
  const selfie = await cameraLike(await camera({ yaw: 0, pitch: 0 }), 7, { quality: 85 });
  const meta = await sharp(frames[0]!.image).metadata();
  return {
    challenge: {
      actions,
      steps,
      issuedAt: new Date(issued).toISOString(),
      timeLimitSeconds: 30,
    },
    frames,
    selfie,
    interval: plan.interval,
    width: meta.width,
    height: meta.height,
    selfieWidth: 640,
    bytes: frames.reduce((n, f) => n + f.image.length, 0),
  };
}
