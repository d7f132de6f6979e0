/**
 * @camdigikey/face-engine: server-side face detection (@vladmandic/human, WASM), face match (512-d
 * fr_feature embeddings of the five-point aligned crop, onnxruntime-node), selfie quality checks and
 * active liveness (turn / nod challenges).
 * See face-engine.ts for the API and THRESHOLDS.md for how the default thresholds were chosen.
 */
export { DEFAULT_THRESHOLDS, type FaceEngineOptions, THRESHOLDS_VERSION, type Thresholds } from './config';
export { meterStages, takeStageCosts } from './cost';
export { type DeferredDetection, FaceEngine, sharedFaceEngine } from './face-engine';
export { ImageDecodeError } from './image';
export { DEFAULT_ACTION_THRESHOLDS, MEASURED_ACTIONS } from './liveness-actions';
export { PAD_THRESHOLDS, type PadSignals } from './pad';
export {
  assessSelfieQuality,
  type QualityAssessment,
  type QualityMeasures,
  type QualityThresholds,
  SELFIE_QUALITY_REASONS,
  type SelfieQualityReason,
} from './quality';
export {
  EMBEDDING_SAMPLE,
  type FaceSignature,
  faceHash,
  framesToEmbed,
  hashDistance,
  judgeRecording,
  RECORDING_THRESHOLDS,
  type RecordingJudgement,
  type SelfieBinding,
} from './recording';
export type * from './types';
