// Public API of @camdigikey/mrz-reader: reads the machine-readable zone of ID cards (TD1) and passports
// (TD3) from photos, in pure TypeScript (browser-safe; Node-only helpers live in ./node).

export type { ConsensusOptions, ConsensusState, FrameReading } from './consensus';
export { averageReadings, MrzConsensus } from './consensus';
export type { CorrectionLimits, Reading } from './correct';
export type { GrayImage, RgbaImageLike } from './image';
export { rgbaToGray } from './image';
export { checkDigit } from './layout';
export type { MrzFormat } from './locate';
export type {
  CertaintyPolicy,
  MrzRead,
  MrzReadError,
  ReadingTable,
  ReadMrzOptions,
  UncertainMrz,
} from './reader';
export { DEFAULT_CERTAINTY, readMrz } from './reader';
export type { RenderGlyph, SerializedTemplates, TemplateSet } from './templates';
export {
  buildTemplates,
  deserializeTemplates,
  MRZ_ALPHABET,
  serializeTemplates,
  TEMPLATE_HEIGHT,
  TEMPLATE_WIDTH,
} from './templates';
export { OCR_B_TEMPLATES } from './templates.generated';
