/**
 * One clock (issue 13): product code reads the time only through the clock port
 * (`apps/server/src/ports/clock.ts`), so a test can pin or move time and the suite passes on any
 * date. This test reads the server and the shared packages and fails on any `Date.now()` or
 * argument-less `new Date()` outside the short allow-list below, each entry with its reason.
 *
 * Not scanned, on purpose: the browser apps (wallet, console, login pages' scripts) run on the
 * citizen's or officer's device, where the device's own clock is the one that matters (device
 * proofs carry it and the server checks the skew); the demo relying party stands for an
 * integrator's own server; test files, the testkit and measurement scripts are not product code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const ALLOWED: Record<string, string> = {
  'apps/server/src/ports/clock.ts': 'the clock adapter itself (systemClock, ManualClock default)',
  'apps/server/src/oidc/provider-time.ts':
    "oidc-provider stamps and judges its own records with the machine's clock (not configurable)",
  'packages/rp-protocol/src/pki.ts':
    'a library default when the caller has no clock; the server passes `now`',
  'packages/rp-protocol/src/chain.ts':
    'a library default when the caller has no clock; the server passes `now`',
  'packages/rp-protocol/src/tokens.ts':
    'a library default when the caller has no clock; the server passes `now`',
  'packages/sdk/src/client.ts': 'the SDK runs at a relying party, on its clock (tests pass `now`)',
};

const SCANNED = ['apps/server/src', ...packageSources()];
const SKIPPED = /(\.test\.tsx?$|\.test-helper\.ts$|\/testing\/|\/dist-types\/|\.d\.ts$)/;
const WALL_CLOCK = /Date\.now\(\)|new Date\(\s*\)/;

function packageSources(): string[] {
  return readdirSync(join(root, 'packages'))
    .filter((name) => name !== 'testkit')
    .map((name) => `packages/${name}/src`);
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* sourceFiles(path);
    } else if (/\.(ts|tsx|mjs|js)$/.test(entry.name)) {
      yield path;
    }
  }
}

function wallClockReads(): string[] {
  const found: string[] = [];
  for (const dir of SCANNED) {
    for (const file of sourceFiles(join(root, dir))) {
      const name = relative(root, file).split('\\').join('/');
      if (SKIPPED.test(name) || name in ALLOWED) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (WALL_CLOCK.test(line) && !line.trimStart().startsWith('*'))
            found.push(`${name}:${index + 1}: ${line.trim()}`);
        });
    }
  }
  return found;
}

describe('one clock', () => {
  it('finds no wall-clock read in product code outside the allow-list', () => {
    expect(wallClockReads()).toEqual([]);
  });

  it('would catch one (the scan is not empty-handed)', () => {
    expect(WALL_CLOCK.test('const t = Date.now();')).toBe(true);
    expect(WALL_CLOCK.test('const d = new Date();')).toBe(true);
    expect(WALL_CLOCK.test('const d = new Date(row.created_at);')).toBe(false);
    expect(SCANNED).toContain('packages/core/src');
  });

  it('keeps every allow-list entry necessary (each allowed file still reads the wall clock)', () => {
    for (const file of Object.keys(ALLOWED)) {
      expect(WALL_CLOCK.test(readFileSync(join(root, file), 'utf8')), file).toBe(true);
    }
  });
});
