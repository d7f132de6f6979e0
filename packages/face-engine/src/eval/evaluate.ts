/**
 * Measures the face engine AS CONFIGURED (model, alignment, thresholds) on a labelled face set:
 * the library behind `npm run face:eval` (eval/eval.ts) and the calibration test.
 *
 * Pair sets (see metrics.ts):
 * - photo vs photo: every unordered pair of different photos;
 * - selfie vs ID card: photo A against the `idCardVersion` degradation (testing/samples.ts) of
 *   ANOTHER photo B, ordered pairs; the ID-card version is made from a square crop around B's face.
 * Photos where the engine finds no face are failures to acquire: their pairs are left out of the
 * rates and counted separately.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { FaceEngine } from '../face-engine';
import { idCardVersion } from '../testing/samples';
import type { DetectedFace } from '../types';
import { type LabelledPhoto, loadFaceSet } from './dataset';
import {
  allPairs,
  auc,
  type CrossValidation,
  crossValidate,
  type Distribution,
  distribution,
  eer,
  fmrAt,
  fnmrAt,
  fnmrAtFmr,
  type OperatingPoint,
  orderedPairs,
  type Pair,
  split,
} from './metrics';

export interface EmbeddedSet {
  folder: string;
  photos: LabelledPhoto[];
  /** The largest face of each photo, null when none was found. */
  faces: (DetectedFace | null)[];
  /** Every face found in each photo (largest first), for the selfie-quality checks. */
  allFaces: DetectedFace[][];
  /** The largest face of each photo's ID-card version, null when none was found. */
  cards: (DetectedFace | null)[];
  /** Median wall ms of one `detect` (detection, mesh, alignment, embedding) per photo. */
  msPerFace: number;
}

async function squareCrop(file: Buffer, face: DetectedFace, image: { width: number; height: number }) {
  const { x, y, width: w, height: h } = face.box;
  const side = Math.round(Math.min(Math.max(w, h) * 1.6, image.width, image.height));
  const left = Math.round(Math.min(Math.max(0, x + w / 2 - side / 2), image.width - side));
  const top = Math.round(Math.min(Math.max(0, y + h / 2 - side / 2), image.height - side));
  // The engine analysed the EXIF-rotated image downscaled to fit its maxImageSide: crop from the same size.
  const base = await sharp(file).rotate().resize(image.width, image.height, { fit: 'fill' }).toBuffer();
  return sharp(base).extract({ left, top, width: side, height: side }).resize(480, 480).png().toBuffer();
}

/** Runs the engine on every photo of the set and on its ID-card version. */
export async function embedSet(
  engine: FaceEngine,
  folder: string,
  options: { cards?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<EmbeddedSet> {
  const photos = loadFaceSet(folder);
  const faces: (DetectedFace | null)[] = [];
  const allFaces: DetectedFace[][] = [];
  const cards: (DetectedFace | null)[] = [];
  const times: number[] = [];
  for (const [i, p] of photos.entries()) {
    const file = await sharp(path.join(folder, p.file)).toBuffer();
    const t0 = performance.now();
    const r = await engine.detect(file);
    times.push(performance.now() - t0);
    const face = r.faces[0] ?? null;
    faces.push(face);
    allFaces.push(r.faces);
    if (options.cards !== false && face) {
      const card = await engine.detect(await idCardVersion(await squareCrop(file, face, r.image)));
      cards.push(card.faces[0] ?? null);
    } else cards.push(null);
    options.onProgress?.(i + 1, photos.length);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    folder,
    photos,
    faces,
    allFaces,
    cards,
    msPerFace: sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN,
  };
}

export interface SetReport {
  set: 'photo' | 'card';
  genuine: Distribution;
  impostor: Distribution;
  auc: number;
  eer: number;
  at1e3: OperatingPoint;
  at1e4: OperatingPoint;
  cv: CrossValidation;
  /** FMR and FNMR at a ladder of thresholds (0.20 … 0.60). */
  sweep: { threshold: number; fmr: number; fnmr: number }[];
  /** At the configured thresholds. */
  configured: {
    name: string;
    threshold: number;
    fmr: number;
    fnmr: number;
    falseMatches: number;
    falseNonMatches: number;
  }[];
  pairs: { genuine: number; impostor: number; leftOut: number };
}

export interface EvalReport {
  folder: string;
  photos: number;
  people: number;
  noFace: string[];
  noFaceInCard: string[];
  msPerFace: number;
  sets: SetReport[];
}

export function scoreFor(engine: FaceEngine, e: EmbeddedSet, set: 'photo' | 'card') {
  return (p: Pair) => {
    const a = e.faces[p.a];
    const b = set === 'photo' ? e.faces[p.b] : e.cards[p.b];
    return a && b && a.embedding.length > 0 && b.embedding.length > 0
      ? engine.compare(a.embedding, b.embedding)
      : Number.NaN;
  };
}

/** FMR/FNMR at the configured `confident`, `match` and `matchReview`, and the threshold-free metrics. */
export function evaluateSet(engine: FaceEngine, e: EmbeddedSet): EvalReport {
  const persons = e.photos.map((p) => p.person);
  const th = engine.thresholds;
  const sets: SetReport[] = [];
  for (const set of ['photo', 'card'] as const) {
    const pairs = set === 'photo' ? allPairs(persons) : orderedPairs(persons);
    const score = scoreFor(engine, e, set);
    const { genuine, impostor } = split(pairs, score);
    const configured = (
      [
        ['confident', th.confident],
        ['match', th.match],
        ['matchReview', th.matchReview],
      ] as const
    ).map(([name, threshold]) => ({
      name,
      threshold,
      fmr: fmrAt(impostor, threshold),
      fnmr: fnmrAt(genuine, threshold),
      falseMatches: impostor.filter((s) => s >= threshold).length,
      falseNonMatches: genuine.filter((s) => s < threshold).length,
    }));
    sets.push({
      set,
      genuine: distribution(genuine),
      impostor: distribution(impostor),
      auc: auc(genuine, impostor),
      eer: eer(genuine, impostor),
      at1e3: fnmrAtFmr(genuine, impostor, 1e-3),
      at1e4: fnmrAtFmr(genuine, impostor, 1e-4),
      // 5 folds of people (fewer for a set of fewer than 5 people: no fold may be empty).
      cv: crossValidate(pairs, persons, score, 1e-3, Math.min(5, new Set(persons).size)),
      configured,
      sweep: Array.from({ length: 17 }, (_, i) => Math.round((0.2 + i * 0.025) * 1000) / 1000).map((t) => ({
        threshold: t,
        fmr: fmrAt(impostor, t),
        fnmr: fnmrAt(genuine, t),
      })),
      pairs: {
        genuine: genuine.length,
        impostor: impostor.length,
        leftOut: pairs.length - genuine.length - impostor.length,
      },
    });
  }
  return {
    folder: e.folder,
    photos: e.photos.length,
    people: new Set(persons).size,
    noFace: e.photos.filter((_, i) => !e.faces[i]).map((p) => p.file),
    noFaceInCard: e.photos.filter((_, i) => e.faces[i] && !e.cards[i]).map((p) => p.file),
    msPerFace: e.msPerFace,
    sets,
  };
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)} %`);
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const dist = (d: Distribution) =>
  `${f2(d.min)} / ${f2(d.p05)} / ${f2(d.median)} / ${f2(d.p95)} / ${f2(d.max)}`;

/** The report as Markdown (the same table as the bake-off, plus the configured thresholds). */
export function formatReport(
  r: EvalReport,
  provenance: { model: string; thresholdsVersion: string },
): string {
  const out: string[] = [];
  out.push(`# Face match on ${r.photos} photos of ${r.people} people (${r.folder})`);
  out.push('');
  out.push(
    `Model ${provenance.model}, thresholds ${provenance.thresholdsVersion}. ` +
      `No face found in ${r.noFace.length} photo(s)${r.noFace.length ? ` (${r.noFace.join(', ')})` : ''}` +
      ` and in ${r.noFaceInCard.length} ID-card version(s); their pairs are left out. ` +
      `detect (detection + mesh + alignment + embedding): median ${r.msPerFace.toFixed(0)} ms per photo.`,
  );
  out.push('');
  out.push(
    '| pairs | n genuine / impostor | genuine min / p05 / median / p95 / max | impostor min / p05 / median / p95 / max | AUC | EER | FNMR @ FMR 0.1 % (thr) | FNMR @ FMR 0.01 % (thr) | 5-fold leave-people-out @ 0.1 %: FNMR / FMR |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const s of r.sets) {
    out.push(
      `| ${s.set === 'photo' ? 'photo vs photo' : 'selfie vs ID-card version'} | ${s.pairs.genuine} / ${s.pairs.impostor} | ${dist(s.genuine)} | ${dist(s.impostor)} | ${s.auc.toFixed(4)} | ${pct(s.eer)} | ${pct(s.at1e3.fnmr)} (${f2(s.at1e3.threshold)})${s.at1e3.resolvable ? '' : '*'} | ${pct(s.at1e4.fnmr)} (${f2(s.at1e4.threshold)})${s.at1e4.resolvable ? '' : '*'} | ${pct(s.cv.fnmr)} / ${pct(s.cv.fmr)} (thresholds ${s.cv.thresholds.map(f2).join(', ')}) |`,
    );
  }
  out.push('');
  out.push('At the configured thresholds:');
  out.push('');
  out.push('| pairs | threshold | value | FMR (false matches) | FNMR (false non-matches) |');
  out.push('|---|---|---|---|---|');
  for (const s of r.sets) {
    for (const c of s.configured) {
      out.push(
        `| ${s.set === 'photo' ? 'photo vs photo' : 'selfie vs ID-card version'} | ${c.name} | ${c.threshold} | ${pct(c.fmr)} (${c.falseMatches}/${s.pairs.impostor}) | ${pct(c.fnmr)} (${c.falseNonMatches}/${s.pairs.genuine}) |`,
      );
    }
  }
  out.push('');
  out.push('Threshold sweep (FMR / FNMR):');
  out.push('');
  out.push(
    `| threshold | ${r.sets.map((s) => (s.set === 'photo' ? 'photo vs photo' : 'selfie vs ID-card version')).join(' | ')} |`,
  );
  out.push(`|---|${r.sets.map(() => '---').join('|')}|`);
  for (const [i, row] of r.sets[0]!.sweep.entries()) {
    out.push(
      `| ${row.threshold.toFixed(3)} | ${r.sets.map((s) => `${pct(s.sweep[i]!.fmr)} / ${pct(s.sweep[i]!.fnmr)}`).join(' | ')} |`,
    );
  }
  out.push('');
  out.push(
    '`*` fewer impostor pairs than 1/FMR: the point means "no impostor accepted", the true FMR is not resolved. ' +
      'Leave-people-out: for each of 5 folds of people, the threshold for FMR 0.1 % is chosen on pairs of the other people only and measured on the pairs that involve the fold.',
  );
  return out.join('\n');
}
