// MrzConsensus on hand-made reading tables: it needs several frames, votes per character (one frame
// sure of a wrong character cannot decide), averages the scores so that a character unsure in one frame
// can be settled by others, forgets a document that left the picture, and starts over on another format.
import { CITIZENS } from '@camdigikey/testkit/citizens';
import { describe, expect, it } from 'vitest';
import { averageReadings, MrzConsensus } from './consensus';
import type { Reading } from './correct';
import { ALPHABETS } from './layout';
import type { MrzFormat } from './locate';
import type { ReadingTable } from './reader';

const td1 = CITIZENS[0]!.mrz; // … / SOK<<DARA<<…
const td3 = CITIZENS[10]!.mrz;

/** A frame's readings: the printed character scores 0.9, every other allowed one 0.4, plus overrides. */
function frame(
  format: MrzFormat,
  lines: readonly string[],
  overrides: Record<string, Record<string, number>> = {},
): { format: MrzFormat; readings: ReadingTable } {
  const readings = lines.map((line, l) =>
    [...line].map((truth, c): Reading[] => {
      const extra = overrides[`${l}:${c}`] ?? {};
      return [...ALPHABETS[format][l]![c]!]
        .map((char) => ({ char, score: extra[char] ?? (char === truth ? 0.9 : 0.4) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 4);
    }),
  );
  return { format, readings };
}

describe('MrzConsensus', () => {
  it('accepts a clear MRZ on the third frame, not before', () => {
    const c = new MrzConsensus();
    expect(c.push(frame('TD1', td1))).toBeUndefined();
    expect(c.push(frame('TD1', td1))).toBeUndefined();
    expect(c.state).toMatchObject({ frames: 2, lines: td1, unsure: [] });
    expect(c.push(frame('TD1', td1))?.lines).toEqual(td1);
  });

  it('outvotes one frame that was sure of a wrong name character', () => {
    const c = new MrzConsensus();
    // Frame 1 reads SOK as ZOK, clearly: a name character no check digit protects.
    expect(c.push(frame('TD1', td1, { '2:0': { Z: 0.95, S: 0.5 } }))).toBeUndefined();
    expect(c.push(frame('TD1', td1))).toBeUndefined();
    // Two against one, and the averaged scores favour S: accepted, with the S.
    expect(c.push(frame('TD1', td1))?.lines).toEqual(td1);
  });

  it('keeps refusing while the frames are split on a character', () => {
    const c = new MrzConsensus();
    const z = frame('TD1', td1, { '2:0': { Z: 0.92, S: 0.88 } });
    const s = frame('TD1', td1, { '2:0': { S: 0.92, Z: 0.88 } });
    for (const f of [z, s, z, s, z, s]) expect(c.push(f)).toBeUndefined();
    expect(c.state.unsure).toContainEqual([2, 0]);
  });

  it('settles a character unsure in one frame by the clear frames around it', () => {
    const unsure = frame('TD1', td1, { '2:1': { O: 0.8, Q: 0.79 } });
    const single = new MrzConsensus({ minFrames: 1, window: 1 });
    expect(single.push(unsure)).toBeUndefined();
    const c = new MrzConsensus();
    for (const f of [unsure, frame('TD1', td1)]) expect(c.push(f)).toBeUndefined();
    expect(c.push(frame('TD1', td1))?.lines).toEqual(td1);
  });

  it('forgets the frames after several frames without any MRZ, and on a change of format', () => {
    const c = new MrzConsensus();
    c.push(frame('TD1', td1));
    c.push(frame('TD1', td1));
    for (let i = 0; i < 4; i++) c.push(undefined);
    expect(c.state.frames).toBe(0);
    expect(c.push(frame('TD1', td1))).toBeUndefined();
    expect(c.push(frame('TD3', td3))).toBeUndefined();
    expect(c.state.frames).toBe(1);
    c.push(frame('TD3', td3));
    expect(c.push(frame('TD3', td3))?.lines).toEqual(td3);
  });

  it('rejects impossible settings', () => {
    expect(() => new MrzConsensus({ minFrames: 0 })).toThrow(RangeError);
    expect(() => new MrzConsensus({ minFrames: 4, window: 3 })).toThrow(RangeError);
  });
});

describe('averageReadings', () => {
  it('averages per character; a character a frame did not keep counts just below that frame’s last', () => {
    const a: ReadingTable = [
      [
        [
          { char: 'A', score: 0.9 },
          { char: 'B', score: 0.5 },
        ],
      ],
    ];
    const b: ReadingTable = [
      [
        [
          { char: 'B', score: 0.8 },
          { char: 'C', score: 0.6 },
        ],
      ],
    ];
    const [[cell]] = averageReadings([a, b]) as [[Reading[]]];
    expect(cell!.map((r) => r.char)).toEqual(['A', 'B', 'C']);
    expect(cell![0]!.score).toBeCloseTo((0.9 + 0.58) / 2, 6);
    expect(cell![1]!.score).toBeCloseTo(0.65, 6);
    expect(cell![2]!.score).toBeCloseTo((0.48 + 0.6) / 2, 6);
  });
});
