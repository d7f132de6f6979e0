/**
 * A face evaluation set on disk: either a `manifest.json` (an array of `{file, person}`, paths
 * relative to the folder) or one sub-folder per person holding that person's photos (.jpg, .jpeg,
 * .png, .webp). The calibration set (`CDK_FACES_CALIBRATION`, default
 * `../shared/data/faces-calibration` from the repository root) has both.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export interface LabelledPhoto {
  /** Path relative to the set's folder (stable id in reports). */
  file: string;
  person: string;
}

const manifestSchema = z.array(
  z.object({ file: z.string().min(1), person: z.string().min(1) }).passthrough(),
);

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** The labelled photos of a set, sorted by person then file. Throws when the folder holds neither layout. */
export function loadFaceSet(folder: string): LabelledPhoto[] {
  const manifest = path.join(folder, 'manifest.json');
  let photos: LabelledPhoto[];
  if (existsSync(manifest)) {
    const parsed = manifestSchema.parse(JSON.parse(readFileSync(manifest, 'utf8')));
    photos = parsed.map(({ file, person }) => ({ file, person }));
  } else {
    photos = [];
    for (const person of readdirSync(folder)) {
      const dir = path.join(folder, person);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir)) if (IMAGE.test(f)) photos.push({ file: `${person}/${f}`, person });
    }
  }
  if (photos.length === 0)
    throw new Error(`no photos in ${folder}: expected manifest.json or one folder per person`);
  return photos.sort((a, b) => a.person.localeCompare(b.person) || a.file.localeCompare(b.file));
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Where the development machines keep the project's shared folder (a checkout elsewhere, e.g. in /tmp). */
const MACHINE_SHARED_SET = '/work/shared/data/faces-calibration';

/**
 * The calibration set's folder: `CDK_FACES_CALIBRATION`; else `../shared/data/faces-calibration`
 * beside the repository, as CI lays it out; else, for a clone made elsewhere (a temporary folder),
 * the development machine's shared copy when there is one. The one place that decides it (tests,
 * `face:eval`, and so `npm test` and `.ci/run`).
 */
export function calibrationFolder(): string {
  if (process.env.CDK_FACES_CALIBRATION) return path.resolve(repoRoot, process.env.CDK_FACES_CALIBRATION);
  const beside = path.resolve(repoRoot, '../shared/data/faces-calibration');
  return existsSync(beside) || !existsSync(MACHINE_SHARED_SET) ? beside : MACHINE_SHARED_SET;
}

/** The calibration folder when it holds a readable set, else null (tests then skip and say so). */
export function calibrationSetIfPresent(): string | null {
  const folder = calibrationFolder();
  try {
    loadFaceSet(folder);
    return folder;
  } catch {
    return null;
  }
}
