/**
 * `npm run face:bakeoff [-- <folder>] [--quick]`: every face-description model available offline from
 * npm packages, on a labelled face set (default: the calibration set, see dataset.ts), with and
 * without alignment and crop-quality gating, plus the score-level fusion of the best two. Prints a
 * Markdown table (the one in eval/BAKEOFF.md) with genuine/impostor distributions, FNMR at
 * FMR = 0.1 % and 0.01 %, AUC and CPU ms per face, on two pair sets:
 *   - photo vs photo: two different photos (genuine: same person; impostor: different people);
 *   - selfie vs ID card: photo A against the `idCardVersion` degradation of ANOTHER photo B.
 *
 * Candidates (all read from node_modules, nothing is downloaded):
 *   faceres, faceres-deep, mobilefacenet, mobileface   @vladmandic/human(-models), tfjs WASM
 *   face-api (dlib ResNet-34 style, 128-d)               @vladmandic/face-api, tfjs WASM
 *   fr_feature (512-d, ArcFace-style, ONNX)              from faceplugin-face-recognition-js@0.0.1, kept in
 *                                                        ../../models (see its README), onnxruntime-node
 * Crops: `human` = the rotation-corrected crop human's detector hands its own models; `aligned` =
 * the five-point similarity warp of align.ts onto the ArcFace template (zoom 1 = tight, 0.8 = more
 * context). Similarity = cosine of the embeddings for every model (ROC metrics do not depend on a
 * monotonic rescaling). Cost = median wall ms per face of the embedding alone on this machine, with
 * detection + mesh (shared by all candidates) reported separately.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import sharp from 'sharp';
import { alignedCrop, type FivePoints, fivePointsFromMesh, interEyeDistance, type RgbImage } from '../align';
import { headPose } from '../face-metrics';
import { decodeImage } from '../image';
import {
  extraModelUrl,
  humanConfig,
  loadHumanModule,
  loadRecogniser,
  RECOGNISER,
  registerModelRouter,
  type Tf,
} from '../runtime';
import { idCardVersion } from '../testing/samples';
import { calibrationFolder, type LabelledPhoto, loadFaceSet } from './dataset';
import {
  allPairs,
  auc,
  crossValidate,
  type Distribution,
  distribution,
  fnmrAtFmr,
  orderedPairs,
  type Pair,
  split,
} from './metrics';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const folder = path.resolve(args.find((a) => !a.startsWith('--')) ?? calibrationFolder());
const quick = args.includes('--quick');

type Crop = 'human' | 'aligned1' | 'aligned0.8';
const CROPS: Crop[] = quick ? ['human', 'aligned1'] : ['human', 'aligned1', 'aligned0.8'];

interface Face {
  score: number;
  box: [number, number, number, number];
  yaw: number;
  pitch: number;
  ied: number;
  /** crops per (kind, size), RGB uint8 */
  crops: Map<string, Uint8Array>;
}

interface Candidate {
  id: string;
  size: number;
  embed(rgb: Uint8Array): Promise<Float32Array>;
}

// ---------------------------------------------------------------- runtime

const { Human: HumanClass } = loadHumanModule();
const base = humanConfig(5);
const config: Partial<Config> = {
  ...base,
  face: {
    ...base.face,
    detector: { ...base.face?.detector, return: true },
    description: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
};
const human: Human = new HumanClass(config);
const tf = human.tf as Tf;
registerModelRouter(tf);
await human.load();

function toRgb(t: tfjs.Tensor, size: number): Uint8Array {
  return tf
    .tidy(() => {
      const r = tf.image.resizeBilinear(t as tfjs.Tensor3D, [size, size], false);
      return r.mul(255).round().clipByValue(0, 255).toInt();
    })
    .dataSync() as unknown as Uint8Array;
}

async function graphCandidate(
  id: string,
  url: string,
  size: number,
  norm: (v: number) => number,
  pick: (outs: tfjs.Tensor[]) => tfjs.Tensor,
): Promise<Candidate> {
  const model = await tf.loadGraphModel(url);
  return {
    id,
    size,
    embed: async (rgb) => {
      const input = tf.tidy(() => tf.tensor4d(Float32Array.from(rgb, norm), [1, size, size, 3]));
      const out = model.execute(input) as tfjs.Tensor | tfjs.Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      const data = (await pick(outs).data()) as Float32Array;
      tf.dispose([input, ...outs]);
      return Float32Array.from(data);
    },
  };
}

const by1024 = (outs: tfjs.Tensor[]) => outs.find((t) => t.shape[1] === 1024)!;
const first = (outs: tfjs.Tensor[]) => outs[0]!;

const candidates: Candidate[] = [
  await graphCandidate('faceres', extraModelUrl('faceres'), 224, (v) => v, by1024),
  await graphCandidate('faceres-deep', extraModelUrl('faceres-deep'), 224, (v) => v, by1024),
  await graphCandidate('mobilefacenet [0,1]', extraModelUrl('mobilefacenet'), 112, (v) => v / 255, first),
  await graphCandidate(
    'mobilefacenet [-1,1]',
    extraModelUrl('mobilefacenet'),
    112,
    (v) => (v - 127.5) / 128,
    first,
  ),
  await graphCandidate('mobileface [0,255]', extraModelUrl('mobileface'), 112, (v) => v, first),
  await graphCandidate(
    'mobileface [-1,1]',
    extraModelUrl('mobileface'),
    112,
    (v) => (v - 127.5) / 128,
    first,
  ),
];

// face-api's FaceRecognitionNet (dlib ResNet-34 port, 150×150, 128-d), on the same tfjs instance.
{
  const faceapi = require(
    path.join(
      path.dirname(require.resolve('@vladmandic/face-api/package.json')),
      'dist',
      'face-api.node-wasm.js',
    ),
  ) as typeof import('@vladmandic/face-api');
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  candidates.push({
    id: 'face-api (dlib)',
    size: 150,
    embed: async (rgb) => {
      const t = tf.tensor3d(rgb, [150, 150, 3], 'int32');
      const d = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(
        t as unknown as Parameters<typeof faceapi.nets.faceRecognitionNet.computeFaceDescriptor>[0],
      )) as Float32Array;
      t.dispose();
      return Float32Array.from(d);
    },
  });
}

// The ONNX ArcFace-style model shipped in an npm package (the engine's recogniser, runtime.ts).
{
  const recogniser = await loadRecogniser();
  candidates.push({
    id: `${RECOGNISER.name} (onnx)`,
    size: RECOGNISER.inputSize,
    embed: async (rgb) => Float32Array.from(await recogniser.embed(rgb)),
  });
}

// ---------------------------------------------------------------- faces

const detectMs: number[] = [];

async function analyse(image: Buffer): Promise<Face | null> {
  const img = await decodeImage(image, 1280);
  const rgb: RgbImage = img;
  const tensor = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  const t0 = performance.now();
  const res = await human.detect(tensor as unknown as Parameters<Human['detect']>[0]);
  detectMs.push(performance.now() - t0);
  tf.dispose(tensor);
  const faces = (res.face as FaceResult[])
    .filter((f) => f.score >= 0.5)
    .sort((p, q) => q.box[2] * q.box[3] - p.box[2] * p.box[3]);
  const face = faces[0];
  try {
    if (!face?.tensor) return null;
    const five = fivePointsFromMesh(face.mesh as unknown as number[][]) as FivePoints | null;
    if (!five) return null;
    const pose = headPose(face, false);
    const crops = new Map<string, Uint8Array>();
    for (const size of new Set(candidates.map((c) => c.size))) {
      crops.set(`human/${size}`, toRgb(face.tensor, size));
      crops.set(`aligned1/${size}`, alignedCrop(rgb, five, size, 1));
      crops.set(`aligned0.8/${size}`, alignedCrop(rgb, five, size, 0.8));
    }
    return {
      score: face.score,
      box: face.box as [number, number, number, number],
      yaw: pose?.yaw ?? 0,
      pitch: pose?.pitch ?? 0,
      ied: interEyeDistance(five),
      crops,
    };
  } finally {
    for (const f of res.face) tf.dispose(f.tensor);
  }
}

/** A square face crop around the detected box (as testing/samples.ts makes them), for idCardVersion. */
async function squareCrop(image: Buffer, face: Face): Promise<Buffer> {
  const img = await decodeImage(image, 1280);
  const [x, y, w, h] = face.box;
  const side = Math.round(Math.min(Math.max(w, h) * 1.6, img.width, img.height));
  const left = Math.round(Math.min(Math.max(0, x + w / 2 - side / 2), img.width - side));
  const top = Math.round(Math.min(Math.max(0, y + h / 2 - side / 2), img.height - side));
  return sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width: side, height: side })
    .resize(480, 480)
    .png()
    .toBuffer();
}

const photos: LabelledPhoto[] = loadFaceSet(folder);
const persons = photos.map((p) => p.person);
console.error(`bake-off on ${photos.length} photos of ${new Set(persons).size} people in ${folder}`);

const faces: (Face | null)[] = [];
const cards: (Face | null)[] = [];
for (const p of photos) {
  const buf = await sharp(path.join(folder, p.file)).toBuffer();
  const f = await analyse(buf);
  faces.push(f);
  cards.push(f ? await analyse(await idCardVersion(await squareCrop(buf, f))) : null);
}
const missed = photos.filter((_, i) => !faces[i]).map((p) => p.file);
const missedCards = photos.filter((_, i) => faces[i] && !cards[i]).map((p) => p.file);
console.error(
  `no face: ${missed.length} ${missed.join(' ')}; no face in the ID-card version: ${missedCards.length}`,
);

// ---------------------------------------------------------------- embeddings

interface Variant {
  id: string;
  candidate: string;
  crop: Crop;
  photo: (Float32Array | null)[];
  card: (Float32Array | null)[];
  ms: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)] ?? Number.NaN;
const l2 = (v: Float32Array) => {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
};

const variants: Variant[] = [];
for (const c of candidates) {
  for (const crop of CROPS) {
    const times: number[] = [];
    const run = async (f: Face | null) => {
      if (!f) return null;
      const t0 = performance.now();
      const e = await c.embed(f.crops.get(`${crop}/${c.size}`)!);
      times.push(performance.now() - t0);
      return l2(e);
    };
    const photo: (Float32Array | null)[] = [];
    const card: (Float32Array | null)[] = [];
    for (let i = 0; i < photos.length; i++) {
      photo.push(await run(faces[i]!));
      card.push(await run(cards[i]!));
    }
    variants.push({ id: `${c.id} / ${crop}`, candidate: c.id, crop, photo, card, ms: median(times) });
    console.error(`embedded ${c.id} / ${crop}: ${median(times).toFixed(0)} ms per face`);
  }
}

// ---------------------------------------------------------------- scoring

const cos = (a: Float32Array | null, b: Float32Array | null) => {
  if (!a || !b) return Number.NaN;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Quality gate for the "gated" rows: a frontal, sharp-enough, large-enough face. */
const gateOk = (f: Face | null) =>
  !!f && f.score >= 0.8 && f.ied >= 28 && Math.abs(f.yaw) <= 30 && Math.abs(f.pitch) <= 25;
const gated = photos.map((_, i) => gateOk(faces[i]!));
const gatedCards = photos.map((_, i) => gateOk(cards[i]!));

const p2p = allPairs(persons);
const s2c = orderedPairs(persons);

interface Scorer {
  id: string;
  photo: (p: Pair) => number;
  card: (p: Pair) => number;
  ms: number;
}

const scorers: Scorer[] = variants.map((v) => ({
  id: v.id,
  photo: (p) => cos(v.photo[p.a]!, v.photo[p.b]!),
  card: (p) => cos(v.photo[p.a]!, v.card[p.b]!),
  ms: v.ms,
}));

// mobilefacenet and mobileface put a large common component into every embedding (raw cosine of
// two strangers is about 1.00): also score them after subtracting the set's mean embedding (label-free).
for (const v of variants.filter((x) => /^mobileface/.test(x.candidate))) {
  const present = v.photo.filter((e): e is Float32Array => !!e);
  const mean = new Float32Array(present[0]!.length);
  for (const e of present) for (let i = 0; i < e.length; i++) mean[i]! += e[i]! / present.length;
  const centre = (e: Float32Array | null) => (e ? l2(e.map((x, i) => x - mean[i]!)) : null);
  const photo = v.photo.map(centre);
  const card = v.card.map(centre);
  scorers.push({
    id: `${v.id} (centred)`,
    photo: (p) => cos(photo[p.a]!, photo[p.b]!),
    card: (p) => cos(photo[p.a]!, card[p.b]!),
    ms: v.ms,
  });
}

interface Row {
  id: string;
  set: string;
  gen: Distribution;
  imp: Distribution;
  at1e3: ReturnType<typeof fnmrAtFmr>;
  at1e4: ReturnType<typeof fnmrAtFmr>;
  auc: number;
  cv: ReturnType<typeof crossValidate>;
  ms: number;
  excluded: number;
}

function evaluate(s: Scorer, set: 'photo' | 'card', gate: boolean): Row {
  const pairs = (set === 'photo' ? p2p : s2c).filter(
    (p) => !gate || (gated[p.a] && (set === 'photo' ? gated[p.b] : gatedCards[p.b])),
  );
  const score = set === 'photo' ? s.photo : s.card;
  const { genuine, impostor } = split(pairs, score);
  const all = set === 'photo' ? p2p : s2c;
  return {
    id: `${s.id}${gate ? ' + gate' : ''}`,
    set,
    gen: distribution(genuine),
    imp: distribution(impostor),
    at1e3: fnmrAtFmr(genuine, impostor, 1e-3),
    at1e4: fnmrAtFmr(genuine, impostor, 1e-4),
    auc: auc(genuine, impostor),
    cv: crossValidate(pairs, persons, score, 1e-3),
    ms: s.ms,
    excluded: all.length - pairs.length,
  };
}

const rank = (r: Row) => r.at1e3.fnmr - r.auc * 1e-3;
const photoRows = scorers.map((s) => evaluate(s, 'photo', false)).sort((a, b) => rank(a) - rank(b));

// Fusion of the two best candidates (different models), label-free z-normalisation: each model's
// scores are centred and scaled by the mean and spread of ALL its photo-vs-photo pair scores
// (identities are not used), then averaged.
const bestByModel: Scorer[] = [];
for (const r of photoRows) {
  const s = scorers.find((x) => x.id === r.id)!;
  const model = variants.find((v) => v.id === s.id)!.candidate.split(' ')[0]!;
  if (!bestByModel.some((b) => variants.find((v) => v.id === b.id)!.candidate.split(' ')[0] === model))
    bestByModel.push(s);
  if (bestByModel.length === 2) break;
}
const znorm = (s: Scorer) => {
  const all = p2p.map(s.photo).filter(Number.isFinite);
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length) || 1;
  return (x: number) => (x - mean) / sd;
};
const [f1, f2] = bestByModel as [Scorer, Scorer];
const z1 = znorm(f1);
const z2 = znorm(f2);
const fused: Scorer = {
  id: `fusion(${f1.id} + ${f2.id})`,
  photo: (p) => (z1(f1.photo(p)) + z2(f2.photo(p))) / 2,
  card: (p) => (z1(f1.card(p)) + z2(f2.card(p))) / 2,
  ms: f1.ms + f2.ms,
};
scorers.push(fused);

const rows: Row[] = [];
for (const s of scorers) {
  for (const set of ['photo', 'card'] as const) {
    rows.push(evaluate(s, set, false));
    // The gated row only when the gate leaves something out (a clean set passes it entirely).
    const g = evaluate(s, set, true);
    if (g.excluded > 0) rows.push(g);
  }
}
const gateLeftOut = {
  photo: evaluate(scorers[0]!, 'photo', true).excluded,
  card: evaluate(scorers[0]!, 'card', true).excluded,
};

// ---------------------------------------------------------------- report

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);
const f2d = (x: number) => x.toFixed(2);
const dist = (d: Distribution) => `${f2d(d.min)} / ${f2d(d.median)} / ${f2d(d.max)}`;

const gCount = (set: 'photo' | 'card') => split(set === 'photo' ? p2p : s2c, () => 0);
console.log(`# Face-model bake-off: ${photos.length} photos, ${new Set(persons).size} people (${folder})\n`);
console.log(
  `photo vs photo: ${gCount('photo').genuine.length} genuine, ${gCount('photo').impostor.length} impostor pairs; ` +
    `selfie vs ID card: ${gCount('card').genuine.length} genuine, ${gCount('card').impostor.length} impostor ordered pairs. ` +
    `No face found in ${missed.length} photo(s)${missed.length ? ` (${missed.join(', ')})` : ''} and in ${missedCards.length} ID-card version(s): their pairs are left out. ` +
    `Detection + mesh + iris (shared): median ${median(detectMs).toFixed(0)} ms per image. ` +
    `Quality gate (detector score >= 0.8, eye distance >= 28 px, |yaw| <= 30°, |pitch| <= 25°) leaves out ` +
    `${gateLeftOut.photo} photo pairs and ${gateLeftOut.card} selfie/ID pairs` +
    `${gateLeftOut.photo + gateLeftOut.card === 0 ? ': every face passes it, so no "+ gate" rows are shown' : ''}.\n`,
);
for (const set of ['photo', 'card'] as const) {
  console.log(`## ${set === 'photo' ? 'Photo vs photo' : 'Selfie vs ID-card version of another photo'}\n`);
  console.log(
    '| model / crop | genuine min / median / max | impostor min / median / max | FNMR @ FMR 0.1 % (thr) | FNMR @ FMR 0.01 % | AUC | CV FNMR / FMR @ 0.1 % | ms/face | pairs left out |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows.filter((x) => x.set === set).sort((a, b) => rank(a) - rank(b))) {
    console.log(
      `| ${r.id} | ${dist(r.gen)} | ${dist(r.imp)} | ${pct(r.at1e3.fnmr)} (${r.at1e3.threshold.toFixed(3)}) | ${pct(r.at1e4.fnmr)}${r.at1e4.resolvable ? '' : '*'} | ${r.auc.toFixed(4)} | ${pct(r.cv.fnmr)} / ${pct(r.cv.fmr)} | ${r.ms.toFixed(0)} | ${r.excluded} |`,
    );
  }
  console.log('');
}
console.log(
  '`*` fewer than 10,000 impostor pairs: FMR 0.01 % means no impostor accepted at all. CV = 5-fold leave-people-out: the threshold for FMR 0.1 % is chosen without the held-out people and measured on the pairs that involve them.',
);
