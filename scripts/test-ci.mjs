// The full test suite as one command (`npm test`): type check, lint, every unit and integration
// test (vitest), then the end-to-end journeys in Chromium (tests/e2e, when /usr/bin/chromium or
// CHROMIUM_PATH exists; `.ci/run` installs it). Ends with the plain line
// "N passed, N failed, N skipped" that CI reads (it cannot read vitest's own summary).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const run = (label, command, args) => {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  return result.status ?? 1;
};

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];
const args = process.argv.slice(2);
if (!args.includes('--no-static')) {
  if (run('type check', 'npx', ['tsc', '-b']) !== 0) problems.push('typecheck');
  if (run('lint', 'npx', ['biome', 'check', '.']) !== 0) problems.push('lint');
}

function vitest(label, report, extra) {
  rmSync(report, { force: true });
  const status = run(label, 'npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  ]);
  if (!existsSync(report)) {
    problems.push(`${label}: no report`);
    return;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += json.numPassedTests ?? 0;
  totals.failed += json.numFailedTests ?? 0;
  totals.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  // A file that failed to load has no tests but is a failure all the same.
  for (const file of json.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) totals.failed += 1;
  }
  if (status !== 0 && (json.numFailedTests ?? 0) === 0) problems.push(`${label}: exit ${status}`);
}

mkdirSync('test-results', { recursive: true });
const filters = args.filter((a) => !a.startsWith('--'));
vitest('unit and integration tests', 'test-results/vitest.json', filters);

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (args.includes('--no-e2e') || filters.length > 0) {
  console.log('\n(end-to-end journeys not run for a filtered run)');
} else if (existsSync(chromium)) {
  // The console's browser build, served by the server at /console/ (the e2e journeys use it).
  if (run('console build', 'npm', ['run', 'build', '--silent']) !== 0) problems.push('console build');
  vitest('end-to-end journeys (Chromium)', 'test-results/vitest-e2e.json', [
    '--config',
    'tests/e2e/vitest.config.ts',
  ]);
} else {
  console.log(`\n(end-to-end journeys skipped: no Chromium at ${chromium}; apt-get install -y chromium)`);
}

totals.failed += problems.length;
if (problems.length) console.log(`\nfailed outside the test counts: ${problems.join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
