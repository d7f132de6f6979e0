/**
 * Timings and memory of the engine's public calls (numbers quoted in THRESHOLDS.md):
 *   npx tsx packages/face-engine/src/testing/bench.ts
 * init, detect (one face at 480 px, group photo), matchFaces, judgeLiveness with 15 synthetic frames.
 */
import sharp from 'sharp';
import { FaceEngine } from '../face-engine';
import { cropSampleFaces, idCardVersion, samplePhotoPath } from './samples';
import { LEFT_RIGHT_NOD_PLAN, motionSource, renderPose } from './synthetic-motion';

const ms = (t: number) => Math.round(performance.now() - t);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const engine = new FaceEngine();
let t = performance.now();
await engine.init();
console.log('init ms', ms(t), 'rss MB', Math.round(process.memoryUsage().rss / 1e6));
const [face] = await cropSampleFaces(engine, [3]);
const crop = face!.crop;
const idc = await idCardVersion(crop);
const group = await sharp(samplePhotoPath(3)).toBuffer();
const runs = (n: number, fn: () => Promise<unknown>) => async () => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    out.push(ms(s));
  }
  return median(out);
};
console.log('detect 1 face 480px median ms', await runs(7, () => engine.detect(crop))());
console.log('detect group 1920->1280px 3 faces median ms', await runs(3, () => engine.detect(group))());
console.log('matchFaces median ms', await runs(5, () => engine.matchFaces(crop, idc))());
const src = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
t = performance.now();
const images = LEFT_RIGHT_NOD_PLAN.map((p) => renderPose(src, p));
console.log('render 15 synthetic frames ms', ms(t));
// A developer's measuring script, not product code: the machine's time is the right one here.
const issuedAt = new Date().toISOString();
const frames = images.map((image, i) => ({ t: Date.parse(issuedAt) + 300 + i * 200, image }));
const ch = { actions: ['turn_left', 'turn_right', 'nod'] as const, issuedAt, timeLimitSeconds: 10 };
console.log(
  'judgeLiveness 15 frames median ms',
  await runs(3, () => engine.judgeLiveness(frames, { ...ch, actions: [...ch.actions] }))(),
);
const r = await engine.judgeLiveness(frames, { ...ch, actions: [...ch.actions] });
console.log('liveness result', r.passed, r.reason, r.observedActions, r.score, r.antispoof, r.live);
console.log('rss MB', Math.round(process.memoryUsage().rss / 1e6), 'tensors', engine.stats());
await engine.close();
