// The full test suite as one command (`npm test`), in phases: type check, lint, unit tests
// (beside the code), integration tests (tests/), the end-to-end journeys in Chromium (tests/e2e),
// and, in CI or with --shifted-clock, the date-sensitive files again with the machine's clock
// moved 400 days forward and back (Debian's `faketime`). Ends with the time each phase took and
// the plain line "N passed, N failed, N skipped" that CI reads (it cannot read vitest's summary).
//
// Honest totals: tests that could not run here (no Chromium, no faketime) are counted as skipped,
// never left out; in CI (CI=true, set by .ci/run, which installs both) a skipped browser test or a
// missing shifted-clock pass is a failure.
//
//   npm test                          everything
//   npm test -- <filters>             unit + integration files matching the filters (no e2e)
//   npm test -- --no-static           without type check and lint
//   npm test -- --no-e2e              without the browser journeys
//   npm test -- --shifted-clock       also the ±400-day pass (on by default in CI)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Files whose answers depend on dates: run again with the machine's clock moved (issue 13). */
const DATE_SENSITIVE = [
  'packages/core/src/calendar',
  'packages/core/src/identity',
  'packages/rp-protocol',
  'packages/sdk',
  'tests/integration/client-api',
  'tests/integration/sdk',
  'tests/integration/sandbox',
  'tests/integration/oidc-',
  'tests/integration/recovery',
  'tests/integration/platform',
  'tests/integration/officer-review',
];
const SHIFTS = ['+400d', '-400d'];

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];
const phases = [];
/** Every failed test, named with its file and first error line: printed again at the very end so
 *  that the tail of a long CI log (often all that is kept) says what failed. */
const failures = [];

function run(label, command, commandArgs, env = process.env) {
  console.log(`\n▶ ${label}: ${command} ${commandArgs.join(' ')}`);
  return spawnSync(command, commandArgs, { stdio: 'inherit', env }).status ?? 1;
}

/** Runs a phase, keeping its wall time for the closing split. */
function phase(label, body) {
  const started = process.hrtime.bigint();
  const counts = body() ?? {};
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  phases.push({ label, seconds, ...counts });
}

const firstLine = (text) =>
  String(text ?? '')
    .split('\n')
    .find((line) => line.trim() !== '')
    ?.trim()
    .slice(0, 300) ?? '(no message)';

function readReport(label, report, status) {
  if (!existsSync(report)) {
    problems.push(`${label}: no report`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const counts = {
    passed: json.numPassedTests ?? 0,
    failed: json.numFailedTests ?? 0,
    skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
  };
  // A file that failed to load has no tests but is a failure all the same.
  for (const file of json.testResults ?? []) {
    const where = String(file.name ?? '').replace(`${process.cwd()}/`, '');
    const results = file.assertionResults ?? [];
    if (file.status === 'failed' && results.length === 0) {
      counts.failed += 1;
      failures.push(`${label}: ${where}: ${firstLine(file.message)}`);
    }
    for (const test of results) {
      if (test.status === 'failed')
        failures.push(`${label}: ${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
  }
  if (status !== 0 && counts.failed === 0) problems.push(`${label}: exit ${status}`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  return counts;
}

function vitest(label, report, extra, env = process.env, prefix = []) {
  rmSync(report, { force: true });
  const command = prefix.length > 0 ? prefix[0] : 'npx';
  const commandArgs = [
    ...prefix.slice(1),
    ...(prefix.length > 0 ? ['npx'] : []),
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  ];
  const status = run(label, command, commandArgs, env);
  return readReport(label, report, status);
}

/** How many tests a vitest config would run (collected, not run): for honest skipped counts. */
function countTests(extra) {
  const listed = spawnSync('npx', ['vitest', 'list', '--json', ...extra], { encoding: 'utf8' });
  try {
    const tests = JSON.parse(listed.stdout);
    return Array.isArray(tests) ? tests.length : 0;
  } catch {
    return 0;
  }
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

mkdirSync('test-results', { recursive: true });

if (!args.includes('--no-static')) {
  phase('type check', () => {
    if (run('type check', 'npx', ['tsc', '-b']) !== 0) problems.push('typecheck');
  });
  phase('lint', () => {
    if (run('lint', 'npx', ['biome', 'check', '.']) !== 0) problems.push('lint');
  });
}

if (filters.length > 0) {
  phase('filtered tests', () => vitest('filtered tests', 'test-results/vitest.json', filters));
} else {
  const scope = (name) => ({ ...process.env, CDK_TEST_SCOPE: name });
  phase('unit', () => vitest('unit tests', 'test-results/vitest-unit.json', [], scope('unit')));
  phase('integration', () =>
    vitest('integration tests', 'test-results/vitest-integration.json', [], scope('integration')),
  );
}

const e2eConfig = ['--config', 'tests/e2e/vitest.config.ts'];
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (args.includes('--no-e2e') || filters.length > 0) {
  console.log('\n(end-to-end journeys not run: a filtered run or --no-e2e)');
} else if (existsSync(chromium)) {
  phase('e2e', () => {
    // The release build (the server, the console and the app the journeys use), unless the
    // integration tests' `npm start` already built it from the same sources.
    if (run('release build', 'node', ['scripts/build.mjs', '--if-stale']) !== 0)
      problems.push('release build');
    return vitest('end-to-end journeys (Chromium)', 'test-results/vitest-e2e.json', e2eConfig);
  });
} else {
  const skipped = countTests(e2eConfig);
  totals.skipped += skipped;
  phases.push({ label: 'e2e', seconds: 0, passed: 0, failed: 0, skipped });
  console.log(
    `\n(${skipped} end-to-end journeys skipped: no Chromium at ${chromium}; apt-get install -y chromium)`,
  );
  if (inCi) problems.push(`${skipped} browser tests skipped in CI (no Chromium)`);
}

if ((inCi || args.includes('--shifted-clock')) && filters.length === 0) {
  if (!has('faketime')) {
    const skipped = countTests(DATE_SENSITIVE) * SHIFTS.length;
    totals.skipped += skipped;
    console.log(`\n(${skipped} shifted-clock runs skipped: no faketime; apt-get install -y faketime)`);
    if (inCi) problems.push('shifted-clock pass not run in CI (no faketime)');
  } else {
    for (const shift of SHIFTS) {
      // libfaketime moves the clock of every process the run starts (node, its workers, Chromium
      // is not involved); FAKETIME_DONT_FAKE_MONOTONIC keeps timers and timeouts real.
      const env = { ...process.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
      phase(`clock ${shift}`, () =>
        vitest(
          `date-sensitive files, clock ${shift}`,
          `test-results/vitest-clock${shift}.json`,
          DATE_SENSITIVE,
          env,
          ['faketime', '-f', shift],
        ),
      );
    }
  }
}

totals.failed += problems.length;
if (failures.length) console.log(`\nfailed tests:\n${failures.map((f) => `  ✗ ${f}`).join('\n')}`);
if (problems.length) console.log(`\nfailed outside the test counts: ${problems.join(', ')}`);
console.log('\ntime per phase:');
for (const p of phases) {
  const counts =
    p.passed === undefined ? '' : `  ${p.passed} passed, ${p.failed} failed, ${p.skipped} skipped`;
  console.log(`  ${p.label.padEnd(16)} ${p.seconds.toFixed(0).padStart(5)} s${counts}`);
}
const total = phases.reduce((sum, p) => sum + p.seconds, 0);
console.log(`  ${'total'.padEnd(16)} ${total.toFixed(0).padStart(5)} s`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
