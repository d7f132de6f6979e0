/**
 * The process's face engine with the thresholds from configuration (FACE_MATCH_THRESHOLD, ...).
 * tfjs is a process singleton, so there is one engine per process: the first server built in a
 * process sets its thresholds, and a second configuration asking for different ones is refused
 * rather than silently judged with the first one's numbers.
 */
import { type FaceEngine, sharedFaceEngine, type Thresholds } from '@camdigikey/face-engine';

export function configureFaceEngine(thresholds: Partial<Thresholds>): FaceEngine {
  const engine = sharedFaceEngine({ thresholds });
  const clash = (Object.keys(thresholds) as (keyof Thresholds)[]).filter(
    (k) => thresholds[k] !== undefined && engine.thresholds[k] !== thresholds[k],
  );
  if (clash.length > 0) {
    throw new Error(
      `The face engine of this process already runs with other thresholds (${clash.join(', ')}); one process, one set`,
    );
  }
  return engine;
}
