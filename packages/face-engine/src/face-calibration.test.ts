/**
 * Pins THRESHOLDS.md on the calibration set (different photographs of 19 people, outside the
 * repository: CDK_FACES_CALIBRATION, default ../shared/data/faces-calibration): the face-match error
 * rates at the configured thresholds, the leave-people-out check, and the selfie-quality checks on
 * those photos, on degraded copies of them and on the testkit's selfies.
 *
 * Without the set the file skips and says how many tests it skipped; under CI (CI=true) a missing
 * set fails instead, because CI has it.
 *
 * Slow (about 2-3 minutes on a shared 2-core machine): about 330 face analyses.
 */
import path from 'node:path';
import { renderFaceFrame } from '@camdigikey/testkit/face-frames';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, qualityThresholds } from './config';
import { calibrationFolder, calibrationSetIfPresent } from './eval/dataset';
import { type EmbeddedSet, type EvalReport, embedSet, evaluateSet } from './eval/evaluate';
import { FaceEngine } from './face-engine';
import { assessSelfieQuality, measuresOf } from './quality';
import { cropSampleFaces } from './testing/samples';

const folder = calibrationSetIfPresent();
const TESTS = 7;

// Registered only when the set is absent (a skipped placeholder would count as a skipped test
// where nothing was skipped); the 7 tests below are then counted as skipped.
if (folder === null) {
  describe('calibration set absent', () => {
    it(`skips ${TESTS} calibration tests (set not found at ${calibrationFolder()})`, () => {
      // CI has the set: there, its absence is a failure, not a skip.
      expect(process.env.CI === 'true', `calibration set missing at ${calibrationFolder()}`).toBe(false);
    });
  });
}

describe.runIf(folder !== null)('face match and selfie quality on the calibration set', () => {
  const engine = new FaceEngine();
  let set: EmbeddedSet;
  let report: EvalReport;
  const photo = () => report.sets.find((s) => s.set === 'photo')!;
  const card = () => report.sets.find((s) => s.set === 'card')!;
  const at = (s: EvalReport['sets'][number], name: string) => s.configured.find((c) => c.name === name)!;

  beforeAll(async () => {
    await engine.init();
    set = await embedSet(engine, folder!);
    report = evaluateSet(engine, set);
  }, 900_000);
  afterAll(() => engine.close());

  it('finds a face in all 76 photos and in all 76 ID-card versions', () => {
    expect(report).toMatchObject({ photos: 76, people: 19, noFace: [], noFaceInCard: [] });
    expect(photo().pairs).toEqual({ genuine: 154, impostor: 2696, leftOut: 0 });
    expect(card().pairs).toEqual({ genuine: 308, impostor: 5392, leftOut: 0 });
    expect(set.faces.every((f) => f!.embedding.length === 512)).toBe(true);
  });

  it('photo vs photo: FNMR 0 % at FMR 0.1 % (goal <= 5 %), AUC 1.000; at match 0.45 FMR 1/2696, FNMR 1/154', () => {
    const p = photo();
    expect(p.at1e3.fnmr).toBeLessThanOrEqual(0.01); // measured 0/154
    expect(p.at1e3.threshold).toBeCloseTo(0.418, 1);
    expect(p.auc).toBeGreaterThan(0.999); // measured 1.0000
    expect(p.genuine.median).toBeCloseTo(0.735, 1);
    expect(p.impostor.median).toBeLessThan(0.05);
    const m = at(p, 'match');
    expect(m.falseMatches).toBeLessThanOrEqual(2); // FMR <= 0.07 %; measured 1
    expect(m.falseNonMatches).toBeLessThanOrEqual(3); // FNMR <= 2 %; measured 1
  });

  it('confident band (0.55): no impostor at all on either pair set; the genuine pairs below it go to an officer', () => {
    expect(at(photo(), 'confident').falseMatches).toBe(0); // highest impostor 0.49
    expect(at(card(), 'confident').falseMatches).toBe(0); // highest impostor 0.50
    expect(photo().impostor.max).toBeLessThan(DEFAULT_THRESHOLDS.confident - 0.03);
    expect(card().impostor.max).toBeLessThan(DEFAULT_THRESHOLDS.confident - 0.03);
    expect(at(photo(), 'confident').fnmr).toBeLessThanOrEqual(0.12); // measured 7.8 %
    expect(at(card(), 'confident').fnmr).toBeLessThanOrEqual(0.27); // measured 21 %
  });

  it('selfie vs ID-card version of another photo: FNMR about 2 % at FMR 0.1 %, 10 % at match, under 1 % at review', () => {
    const c = card();
    expect(c.at1e3.fnmr).toBeLessThanOrEqual(0.04); // measured 2.3 %
    expect(c.auc).toBeGreaterThan(0.999);
    expect(at(c, 'match').falseMatches).toBeLessThanOrEqual(4); // measured 2/5392
    expect(at(c, 'match').fnmr).toBeLessThanOrEqual(0.13); // measured 10 %
    expect(at(c, 'matchReview').fnmr).toBeLessThanOrEqual(0.015); // measured 0.65 %
    expect(at(c, 'matchReview').fmr).toBeLessThanOrEqual(0.006); // measured 0.43 %: an officer sees these
  });

  it('leave-people-out: a threshold chosen without the held-out people keeps FNMR low and FMR under 1 %', () => {
    // This is what a threshold tuned to these 19 people would fail: held-out FMR went up to 0.45 %
    // (the chosen thresholds range 0.29-0.43), which is why `match` keeps a margin above 0.418.
    for (const s of [photo(), card()]) {
      expect(s.cv.fmr).toBeLessThan(0.01);
      expect(s.cv.fnmr).toBeLessThan(0.05);
    }
    expect(DEFAULT_THRESHOLDS.match).toBeGreaterThan(Math.max(...photo().cv.thresholds));
  });

  it('selfie quality: every calibration photo of one person passes; the two with a second person are refused', () => {
    const th = qualityThresholds(engine.thresholds);
    const refused = set.allFaces
      .map((faces, i) => ({ file: set.photos[i]!.file, q: assessSelfieQuality(measuresOf(faces), th) }))
      .filter((x) => !x.q.ok);
    expect(refused.map((x) => [x.file, x.q.reasons])).toEqual([
      ['biden/fr-examples_knn_examples_train_biden_biden2.jpg', ['multiple_faces']],
      ['marissa_mayer/df-img23.jpg', ['multiple_faces']],
    ]);
  });

  it('selfie quality: degraded copies fail with the reason to fix; the testkit selfies pass', async () => {
    const th = qualityThresholds(engine.thresholds);
    const tally: Record<string, Record<string, number>> = {};
    const count = (kind: string, reasons: string[]) => {
      tally[kind] ??= {};
      for (const r of reasons.length ? reasons : ['ok']) tally[kind]![r] = (tally[kind]![r] ?? 0) + 1;
    };
    // Every 4th single-person photo (19 photos), four degradations each.
    const picks = set.photos
      .map((p, i) => ({ p, i }))
      .filter(({ i }) => set.allFaces[i]!.length === 1)
      .filter((_, k) => k % 4 === 0);
    for (const { p, i } of picks) {
      const file = await sharp(path.join(folder!, p.file)).toBuffer();
      const ied = set.faces[i]!.quality!.interEyePx;
      const { width } = await sharp(file).metadata();
      const variants = {
        // blurred by 2 px at the scale the recogniser sees (eye distance ~35 px in its crop)
        blurred: sharp(file).blur((2 * ied) / 35),
        dark: sharp(file).modulate({ brightness: 0.25 }),
        overexposed: sharp(file).linear(2.2, 60),
        small: sharp(file).resize(Math.round((width! * 16) / ied)), // eye distance 16 px
      };
      for (const [kind, img] of Object.entries(variants)) {
        count(kind, (await engine.assessSelfie(await img.jpeg({ quality: 90 }).toBuffer())).reasons);
      }
    }
    const n = picks.length;
    expect(n).toBe(19);
    expect(tally.blurred!.face_blurred ?? 0).toBeGreaterThanOrEqual(n - 1);
    expect(tally.dark!.too_dark).toBe(n);
    expect((tally.overexposed!.overexposed ?? 0) + (tally.overexposed!.no_face ?? 0)).toBe(n);
    expect(tally.small!.face_too_small).toBe(n);
    for (const kind of Object.keys(tally))
      expect(tally[kind]!.ok ?? 0, kind).toBeLessThanOrEqual(kind === 'blurred' ? 1 : 0);

    // The testkit's selfies: the drawn face of the registration walker and the sample-photo crops
    // the integration tests use.
    expect(
      assessSelfieQuality(measuresOf((await engine.detect(renderFaceFrame('center'))).faces), th),
    ).toMatchObject({
      ok: true,
    });
    const crops = await cropSampleFaces(engine);
    const bad = [];
    for (const c of crops) {
      const q = assessSelfieQuality(measuresOf((await engine.detect(c.crop)).faces), th);
      if (!q.ok) bad.push(`${c.id}: ${q.reasons.join(',')}`);
    }
    // s2f2 is a profile with a hand at the mouth: no usable face in its crop (THRESHOLDS.md).
    expect(bad).toEqual(['s2f2: no_face']);
  }, 600_000);
});
