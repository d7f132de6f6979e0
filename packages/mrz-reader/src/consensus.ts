// Consensus over several camera frames of one document: each frame's reading table (every position's
// best readings with their template scores, certain or not) is kept for the last few frames; the scores
// are averaged per position and character, and the average is decided on exactly like a single photo
// (check digits, then every character's nearest valid rival). The MRZ is accepted only when that
// consensus is certain, it rests on at least `minFrames` frames, and at every position the winning
// character is also the best reading of most of those frames (a vote per character), so one frame
// that happened to read a character wrong, however sure of it, cannot decide.
import type { CorrectionLimits, Reading } from './correct';
import type { MrzFormat } from './locate';
import type { CertaintyPolicy, MrzRead, ReadingTable } from './reader';
import { decide } from './reader';

export interface ConsensusOptions {
  /** Frames with a reading needed before accepting (default 3). */
  minFrames?: number;
  /** Most recent frames with a reading that take part (default 6). */
  window?: number;
  /** Frames in a row without any MRZ after which the document is taken to be gone (default 4). */
  missesToForget?: number;
  certainty?: CertaintyPolicy;
  limits?: CorrectionLimits;
}

/** One frame's reading: what readMrz answered, certain (`value`) or `mrz_uncertain` (its detail). */
export interface FrameReading {
  format: MrzFormat;
  readings: ReadingTable;
}

export interface ConsensusState {
  /** Frames of the current format taking part. */
  frames: number;
  /** The consensus lines so far (undefined before any reading or when they do not pass their checks). */
  lines?: string[];
  /** Positions still unsure or outvoted, [line, column]. */
  unsure: Array<[number, number]>;
}

/** Scores averaged over frames; a character missing from a frame's kept readings counts as just below its last. */
export function averageReadings(tables: readonly ReadingTable[]): ReadingTable {
  const first = tables[0];
  if (first === undefined) return [];
  return first.map((line, l) =>
    line.map((_, c) => {
      const sums = new Map<string, number>();
      for (const table of tables) {
        for (const r of table[l]?.[c] ?? []) sums.set(r.char, 0);
      }
      for (const table of tables) {
        const options = table[l]?.[c] ?? [];
        const floor = (options.at(-1)?.score ?? 0) - 0.02;
        for (const char of sums.keys()) {
          const score = options.find((o) => o.char === char)?.score ?? floor;
          sums.set(char, sums.get(char)! + score);
        }
      }
      return [...sums.entries()]
        .map(([char, sum]): Reading => ({ char, score: sum / tables.length }))
        .sort((a, b) => b.score - a.score);
    }),
  );
}

export class MrzConsensus {
  private frames: FrameReading[] = [];
  private misses = 0;
  private last: ConsensusState = { frames: 0, unsure: [] };
  private readonly minFrames: number;
  private readonly window: number;
  private readonly missesToForget: number;

  constructor(private readonly opts: ConsensusOptions = {}) {
    this.minFrames = opts.minFrames ?? 3;
    this.window = opts.window ?? 6;
    this.missesToForget = opts.missesToForget ?? 4;
    if (!Number.isInteger(this.minFrames) || this.minFrames < 1 || this.window < this.minFrames) {
      throw new RangeError('minFrames must be a whole number ≥ 1 and window ≥ minFrames');
    }
  }

  /**
   * Adds one frame (undefined when the frame showed no MRZ reading at all) and answers the accepted
   * MRZ once the consensus is certain, else undefined.
   */
  push(frame: FrameReading | undefined): MrzRead | undefined {
    if (frame === undefined || frame.readings.length === 0) {
      this.misses++;
      if (this.misses >= this.missesToForget) this.reset();
      return undefined;
    }
    this.misses = 0;
    // A frame of the other format means another document: the frames of the old one leave.
    this.frames = [...this.frames.filter((f) => f.format === frame.format), frame].slice(-this.window);
    const tables = this.frames.map((f) => f.readings);
    const decision = decide(frame.format, averageReadings(tables), {
      ...(this.opts.certainty ? { certainty: this.opts.certainty } : {}),
      ...(this.opts.limits ? { limits: this.opts.limits } : {}),
    });
    if (decision.kind === 'unreadable') {
      this.last = { frames: tables.length, unsure: [] };
      return undefined;
    }
    const { read } = decision;
    const outvoted: Array<[number, number]> = [];
    read.lines.forEach((line, l) => {
      [...line].forEach((char, c) => {
        const votes = tables.filter((t) => t[l]?.[c]?.[0]?.char === char).length;
        if (2 * votes <= tables.length) outvoted.push([l, c]);
      });
    });
    const unsure = [...decision.unsure, ...outvoted];
    this.last = { frames: tables.length, lines: read.lines, unsure };
    if (decision.kind !== 'certain' || outvoted.length > 0 || tables.length < this.minFrames)
      return undefined;
    return read;
  }

  /** Where the consensus stands after the last frame. */
  get state(): ConsensusState {
    return this.last;
  }

  reset(): void {
    this.frames = [];
    this.misses = 0;
    this.last = { frames: 0, unsure: [] };
  }
}
