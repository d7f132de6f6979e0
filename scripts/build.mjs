// `npm run build`: the whole release. The identity server compiled to JavaScript (esbuild,
// scripts/build-server.mjs) and the two front-ends built by Vite (the officer console and the
// citizen app), each with a hash of its inputs stored next to the output so that `npm start`
// can tell when a build is up to date. `--if-stale` builds only what changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from './build-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each front-end: its workspace, and the folders its bundle is made from. */
export const FRONT_ENDS = [
  {
    name: 'console',
    workspace: '@camdigikey/console',
    inputs: ['apps/console', 'packages/contracts/src', 'packages/brand/src'],
  },
  {
    name: 'wallet',
    workspace: '@camdigikey/wallet',
    inputs: [
      'apps/wallet',
      'packages/contracts/src',
      'packages/messages/src',
      'packages/mrz-reader/src',
      'packages/core/src',
      'packages/brand/src',
    ],
  },
];

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'dist-types'].includes(entry.name) || entry.name.endsWith('.tsbuildinfo'))
      continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (!/\.test\.tsx?$/.test(entry.name)) yield path;
  }
}

export function frontEndHash(app) {
  const hash = createHash('sha256');
  for (const dir of app.inputs) {
    for (const file of [...walk(join(root, dir))].sort()) {
      hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex');
}

const stampOf = (app) => join(root, 'apps', app.name, 'dist', '.source-hash');

export function frontEndIsCurrent(app) {
  const stamp = stampOf(app);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === frontEndHash(app);
}

export function buildFrontEnd(app, { ifStale = false } = {}) {
  const hash = frontEndHash(app);
  const stamp = stampOf(app);
  if (ifStale && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return false;
  console.log(`building the ${app.name} (vite)…`);
  const result = spawnSync('npm', ['run', 'build', '--silent', '-w', app.workspace], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`the ${app.name} build failed (exit ${result.status})`);
  writeFileSync(stamp, hash);
  return true;
}

/**
 * One build at a time on this checkout: test files that need the release start in parallel, and
 * two Vite builds writing one dist folder would mix their files. The lock is a folder (mkdir is
 * atomic); a lock older than 15 minutes was left by a killed build and is taken over.
 */
async function withBuildLock(run) {
  const lock = join(root, 'node_modules', '.camdigikey-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function buildAll({ ifStale = false, quiet = false } = {}) {
  await withBuildLock(async () => {
    await buildServer({ ifStale, quiet });
    for (const app of FRONT_ENDS) {
      const built = buildFrontEnd(app, { ifStale });
      if (!built && !quiet) console.log(`${app.name} build is up to date`);
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await buildAll({ ifStale: process.argv.includes('--if-stale') });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
