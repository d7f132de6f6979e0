/**
 * Loads @vladmandic/human (WASM build) in Node with its bundled models read straight from disk.
 *
 * Why this file exists: the package's `exports` map lacks `./`, so `dist/human.node-wasm.js` must be
 * required by file path; and Node's fetch cannot read `file://`, so tfjs would fail to load the graph
 * models. We register a tfjs IO load router that answers only for URLs under the package's own
 * `models/` folder and reads `model.json` + weight shards with `fs`. Nothing is fetched over the
 * network, no HTTP server is started. The router also hashes every byte it loads, so each result can
 * name the exact model files that produced it (`modelDigest`).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import type { Config, Human } from '@vladmandic/human';

export type Tf = typeof tfjs;
export type HumanModule = typeof import('@vladmandic/human');

const require = createRequire(import.meta.url);
/** `require.resolve('@vladmandic/human')` points at dist/human.node.js; we only need its folder. */
const humanDir = path.dirname(path.dirname(require.resolve('@vladmandic/human')));
const modelsDir = path.join(humanDir, 'models');
const modelsUrl = pathToFileURL(`${modelsDir}${path.sep}`).href;
const wasmUrl = pathToFileURL(
  `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`,
).href;

let humanModule: HumanModule | undefined;

/** The human module (synchronous, cached by Node's require). Loading it also loads tfjs-core. */
export function loadHumanModule(): HumanModule {
  humanModule ??= require(path.join(humanDir, 'dist', 'human.node-wasm.js')) as HumanModule;
  return humanModule;
}

/** Digest of all model files loaded so far in this process, in load order. */
const loadedModelFiles = new Map<string, string>();

export function modelDigest(): string {
  const h = createHash('sha256');
  for (const [name, digest] of [...loadedModelFiles.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    h.update(`${name}:${digest}\n`);
  }
  return `sha256:${h.digest('hex').slice(0, 16)}`;
}

async function readHashed(file: string): Promise<Buffer> {
  const bytes = await readFile(file);
  loadedModelFiles.set(path.relative(modelsDir, file), createHash('sha256').update(bytes).digest('hex'));
  return bytes;
}

let routerRegistered = false;

/** Registers (once per process) the tfjs load router for `file://…/human/models/*.json`. */
function registerModelRouter(tf: Tf): void {
  if (routerRegistered) return;
  routerRegistered = true;
  // tfjs's IORouter type says IOHandler, but routers answer null for URLs they do not handle.
  const router = (url: string | string[]): tfjs.io.IOHandler | null => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== 'string' || !u.startsWith(modelsUrl)) return null;
    const jsonPath = fileURLToPath(u);
    return {
      load: async () => {
        const json = JSON.parse((await readHashed(jsonPath)).toString('utf8')) as tfjs.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const shards: Buffer[] = [];
          for (const group of manifest) {
            for (const p of group.paths) shards.push(await readHashed(path.join(path.dirname(jsonPath), p)));
          }
          const all = Buffer.concat(shards);
          const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
          return [manifest.flatMap((g) => g.weights), data];
        });
      },
    };
  };
  tf.io.registerLoadRouter(router as Parameters<Tf['io']['registerLoadRouter']>[0]);
}

/** The models this engine enables, by human config key → model file (without .json). */
export const MODEL_FILES = {
  detector: 'blazeface',
  mesh: 'facemesh',
  iris: 'iris',
  description: 'faceres',
  antispoof: 'antispoof',
  liveness: 'liveness',
} as const;

/**
 * Human configuration for server-side identity proofing: face pipeline only, no result caching or
 * frame skipping (every call analyses its own image from scratch), no image filters.
 */
export function humanConfig(maxFaces: number): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: wasmUrl,
    wasmPlatformFetch: false,
    modelBasePath: modelsUrl,
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    debug: false,
    warmup: 'none',
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: maxFaces, minConfidence: 0.2, return: false },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: true },
      emotion: { enabled: false },
      description: { enabled: true },
      antispoof: { enabled: true },
      liveness: { enabled: true },
      gear: { enabled: false },
    },
  };
}

export interface Runtime {
  human: Human;
  tf: Tf;
}

/** Creates a Human instance and loads its models from disk (about 0.3 s). */
export async function createRuntime(maxFaces: number): Promise<Runtime> {
  const { Human: HumanClass } = loadHumanModule();
  const human = new HumanClass(humanConfig(maxFaces));
  const tf = human.tf as Tf;
  registerModelRouter(tf);
  await human.load();
  const missing = Object.values(MODEL_FILES).filter((file) => !human.models.models[file]);
  if (missing.length > 0) throw new Error(`face-engine: models failed to load: ${missing.join(', ')}`);
  return { human, tf };
}
