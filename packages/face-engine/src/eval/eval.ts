/**
 * `npm run face:eval -- [<folder>] [--json]`: the face engine as configured, on any folder laid out
 * like the calibration set (a `manifest.json` of `{file, person}`, or one sub-folder per person).
 * Prints the bake-off table for the engine's own pipeline and the FMR/FNMR at the configured
 * `confident`, `match` and `matchReview` thresholds, with leave-people-out cross-validation.
 * Default folder: the calibration set (CDK_FACES_CALIBRATION, see dataset.ts).
 */
import path from 'node:path';
import { FaceEngine } from '../face-engine';
import { calibrationFolder } from './dataset';
import { embedSet, evaluateSet, formatReport } from './evaluate';

const args = process.argv.slice(2);
const folder = path.resolve(args.find((a) => !a.startsWith('--')) ?? calibrationFolder());
const engine = new FaceEngine();
await engine.init();
const embedded = await embedSet(engine, folder, {
  onProgress: (done, total) => {
    if (done % 10 === 0 || done === total) process.stderr.write(`  ${done}/${total} photos\n`);
  },
});
const report = evaluateSet(engine, embedded);
const p = engine.provenance();
console.log(
  args.includes('--json') ? JSON.stringify({ provenance: p, report }, null, 2) : formatReport(report, p),
);
await engine.close();
