/**
 * Synthetic camera frames for the liveness step: a drawn face whose head turns, nods and blinks
 * frame by frame, as JPEG. They exercise transport, storage and validation of recordings; the
 * face-matching and liveness engines are tested on real face photos elsewhere.
 */
import { createCanvas } from '@napi-rs/canvas';

export type FacePose = 'center' | 'turn_left' | 'turn_right' | 'nod' | 'blink';

export function renderFaceFrame(pose: FacePose, size = 320): Buffer {
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#d9dde3';
  ctx.fillRect(0, 0, size, size);
  const shift = pose === 'turn_left' ? -size * 0.12 : pose === 'turn_right' ? size * 0.12 : 0;
  const drop = pose === 'nod' ? size * 0.1 : 0;
  const cx = size / 2 + shift;
  const cy = size / 2 + drop;
  ctx.fillStyle = '#c68e6a';
  ctx.beginPath();
  ctx.ellipse(cx, cy, size * 0.25, size * 0.33, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#2b1d16';
  const eyeHeight = pose === 'blink' ? 1.5 : size * 0.03;
  for (const dx of [-0.09, 0.09]) {
    ctx.beginPath();
    ctx.ellipse(cx + dx * size, cy - size * 0.06, size * 0.035, eyeHeight, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.strokeStyle = '#7a3b2e';
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(cx, cy + size * 0.1, size * 0.08, 0.15 * Math.PI, 0.85 * Math.PI);
  ctx.stroke();
  return canvas.toBuffer('image/jpeg', 80);
}

/** Frames for a challenge: a centred start, then each action in order, ~5 frames per second. */
export function framesForChallenge(
  actions: readonly string[],
  framesPerAction = 3,
): { t: number; image: string }[] {
  const poses: FacePose[] = ['center'];
  for (const action of actions) {
    for (let i = 0; i < framesPerAction; i++) poses.push(action as FacePose);
    poses.push('center');
  }
  return poses.map((pose, i) => ({ t: i * 200, image: renderFaceFrame(pose).toString('base64') }));
}
