/**
 * @camdigikey/face-engine: server-side face detection, face match (1024-dim faceres embeddings) and
 * active liveness (turn / nod challenges) on @vladmandic/human with its bundled models, WASM backend.
 * See face-engine.ts for the API and THRESHOLDS.md for how the default thresholds were chosen.
 */
export { DEFAULT_THRESHOLDS, type FaceEngineOptions, THRESHOLDS_VERSION, type Thresholds } from './config';
export { FaceEngine, sharedFaceEngine } from './face-engine';
export { ImageDecodeError } from './image';
export type * from './types';
