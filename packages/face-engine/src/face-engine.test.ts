/**
 * FaceEngine on real photos (the face-api demo group photos, read from node_modules): model loading
 * from disk, detection output, pose conventions, compare/matchFaces and their error cases, no tensor
 * leaks. One engine for the whole file.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, THRESHOLDS_VERSION } from './config';
import { FaceEngine, sharedFaceEngine } from './face-engine';
import { ImageDecodeError } from './image';
import { cropSampleFaces, idCardVersion, type SampleFace, samplePhotoPath } from './testing/samples';

const engine = new FaceEngine({ maxFaces: 8 });
let group3: Buffer;
let faces: SampleFace[];
const blank = () =>
  sharp({ create: { width: 400, height: 400, channels: 3, background: '#8a8' } })
    .png()
    .toBuffer();

beforeAll(async () => {
  await engine.init();
  group3 = await sharp(samplePhotoPath(3)).toBuffer();
  faces = await cropSampleFaces(engine, [3, 4]);
});
afterAll(() => engine.close());

describe('init and provenance', () => {
  it('loads the bundled models from disk and names them in every result', async () => {
    await engine.init(); // idempotent
    const p = engine.provenance();
    expect(p).toMatchObject({
      engine: 'human@3.3.6',
      backend: 'wasm',
      model: 'fr_feature',
      models: ['blazeface', 'facemesh', 'iris', 'antispoof', 'liveness', 'fr_feature'],
      thresholdsVersion: THRESHOLDS_VERSION,
      customThresholds: false,
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(p.modelDigest).toMatch(/^sha256:[0-9a-f]{16}$/);
  });
  it('marks overridden thresholds', () => {
    const custom = new FaceEngine({ thresholds: { match: 0.5 } });
    expect(custom.thresholds.match).toBe(0.5);
    expect(sharedFaceEngine()).toBe(sharedFaceEngine({ maxFaces: 1 }));
  });
});

describe('detect', () => {
  it('finds the three faces of sample3 with embeddings, scores, pose and eye openness', async () => {
    const r = await engine.detect(group3);
    expect(r.image).toEqual({ width: 1280, height: 900 });
    expect(r.faces).toHaveLength(3);
    const areas = r.faces.map((f) => f.box.width * f.box.height);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
    for (const f of r.faces) {
      expect(f.embedding).toHaveLength(512);
      expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 5);
      expect(f.quality!.interEyePx).toBeGreaterThan(20);
      expect(f.score).toBeGreaterThan(0.9);
      expect(f.box.x).toBeGreaterThanOrEqual(0);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(1280 + 1);
      for (const v of [f.real, f.live]) expect(v).toBeGreaterThanOrEqual(0);
      expect(Math.abs(f.pose!.yaw)).toBeLessThan(45);
      expect(f.eyes!.mean).toBeGreaterThan(0.1);
      expect(f.eyes!.mean).toBeLessThan(0.6);
      expect(f.landmarks).toHaveLength(478);
    }
  });
  it('reports no face on a blank image and throws ImageDecodeError on garbage', async () => {
    expect((await engine.detect(await blank())).faces).toEqual([]);
    await expect(engine.detect(Buffer.from('not an image'))).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(engine.detect(Buffer.alloc(0))).rejects.toBeInstanceOf(ImageDecodeError);
  });
  it('yaw > 0 = subject turned to their own left; mirroring the image flips yaw, not pitch', async () => {
    // s4f2 was checked by eye: nose toward the image's right edge, i.e. turned to her own left.
    const crop = faces.find((f) => f.id === 's4f2')!.crop;
    const a = (await engine.detect(crop)).faces[0]!.pose!;
    const b = (await engine.detect(await sharp(crop).flop().png().toBuffer())).faces[0]!.pose!;
    expect(a.yaw).toBeGreaterThan(15);
    expect(b.yaw).toBeLessThan(-15);
    expect(Math.abs(a.pitch - b.pitch)).toBeLessThan(4);
  });
  it('roll > 0 = top of the head toward the image right', async () => {
    const crop = faces.find((f) => f.id === 's3f0')!.crop;
    const level = (await engine.detect(crop)).faces[0]!.pose!.roll;
    const clockwise = await sharp(crop).rotate(15, { background: '#808080' }).png().toBuffer();
    const tilted = (await engine.detect(clockwise)).faces[0]!.pose!.roll;
    expect(tilted - level).toBeGreaterThan(10);
  });
  it('detectDeferred: the same faces without embeddings until described, then the same embedding as detect', async () => {
    const full = await engine.detect(group3);
    const deferred = await engine.detectDeferred(group3);
    expect(deferred.image).toEqual(full.image);
    expect(deferred.faces.map((f) => f.box)).toEqual(full.faces.map((f) => f.box));
    expect(deferred.faces.every((f) => f.embedding.length === 0 && f.quality === null)).toBe(true);
    const second = await deferred.describe(1);
    expect(second.embedding).toEqual(full.faces[1]!.embedding);
    expect(second.quality).toEqual(full.faces[1]!.quality);
    expect(await deferred.describe(1)).toBe(second);
    await expect(deferred.describe(7)).rejects.toThrow(RangeError);
  });
  it('does not leak tensors', async () => {
    await engine.detect(faces[0]!.crop);
    const before = engine.stats().tensors;
    for (let i = 0; i < 3; i++) await engine.detect(faces[i % faces.length]!.crop);
    expect(engine.stats().tensors).toBe(before);
  });
});

describe('compare and matchFaces', () => {
  it('compare is symmetric, 1 for identical and 0 for incomparable descriptors', async () => {
    const [a, b] = (await engine.detect(group3)).faces;
    expect(engine.compare(a!.embedding, a!.embedding)).toBeCloseTo(1, 6);
    expect(engine.compare(a!.embedding, b!.embedding)).toBe(engine.compare(b!.embedding, a!.embedding));
    // Two people of one photo (same light, same camera) score 0.33: never a match, at most a review.
    expect(engine.compare(a!.embedding, b!.embedding)).toBeLessThan(DEFAULT_THRESHOLDS.match);
    expect(engine.compare([], [])).toBe(0);
    expect(engine.compare(a!.embedding, a!.embedding.slice(1))).toBe(0);
  });
  it('matches a selfie crop against its ID-card version', async () => {
    const f = faces.find((x) => x.id === 's3f1')!;
    const r = await engine.matchFaces(f.crop, await idCardVersion(f.crop));
    if ('error' in r) throw new Error(r.error);
    expect(r.decision).toBe('match');
    expect(r.similarity).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.match);
    expect(r.selfieFace.embedding).toHaveLength(512);
    expect(r.provenance.thresholds.match).toBe(DEFAULT_THRESHOLDS.match);
  });
  it('rejects different people and uses the largest face of the reference', async () => {
    const [s3f0, s3f1] = ['s3f0', 's3f1'].map((id) => faces.find((x) => x.id === id)!);
    const r = await engine.matchFaces(s3f0!.crop, await idCardVersion(s3f1!.crop));
    expect('error' in r ? r.error : r.decision).toBe('no_match');
    const g = await engine.matchFaces(faces.find((x) => x.id === 's3f0')!.crop, group3);
    if ('error' in g) throw new Error(g.error);
    const largest = (await engine.detect(group3)).faces[0]!;
    expect(g.referenceFace.box).toEqual(largest.box);
  });
  it('reports the error cases', async () => {
    const crop = faces[0]!.crop;
    expect(await engine.matchFaces(await blank(), crop)).toMatchObject({ error: 'no_face_in_selfie' });
    expect(await engine.matchFaces(crop, await blank())).toMatchObject({ error: 'no_face_in_reference' });
    expect(await engine.matchFaces(group3, crop)).toMatchObject({ error: 'multiple_faces_in_selfie' });
  });
});
