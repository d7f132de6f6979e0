/**
 * Which frames of a recording get an embedding (framesToEmbed), on numeric pose tracks: the frames
 * the verdicts rely on always, a CSPRNG-drawn share of the rest.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from './config';
import type { TimedObservation } from './liveness-judge';
import { EMBEDDING_SAMPLE, framesToEmbed } from './recording';

const th = { ...DEFAULT_THRESHOLDS };

/** One frame per [yaw, pitch]; the shape moves with the pose. */
const track = (poses: [number, number][]): TimedObservation[] =>
  poses.map(([yaw, pitch], i) => ({
    t: 1000 + i * 250,
    box: { x: 0, y: 0, width: 200, height: 200 },
    score: 1,
    embedding: [],
    quality: null,
    real: 0.9,
    live: 0.9,
    pose: { yaw, pitch, roll: 0 },
    eyes: null,
    landmarks: [],
    shape: new Float32Array([yaw / 100, pitch / 100]),
  }));

// 30 frames: still, a turn to the left (frames 10-12 past the 12° threshold), still, a nod (20-21).
const poses: [number, number][] = Array.from({ length: 30 }, (_, i): [number, number] =>
  i >= 10 && i <= 12 ? [20, 0] : i === 9 || i === 13 ? [6, 0] : i === 20 || i === 21 ? [0, 15] : [0, 0],
);

describe('framesToEmbed', () => {
  it('always takes the neutral start, every frame that reaches an action, the gesture events and the most motion', () => {
    const chosen = framesToEmbed(track(poses), th, [], () => 0);
    // neutral 0-1; turn 10-12 (max motion there too); nod 20-21 and its event at 22 (head back up).
    for (const i of [0, 1, 10, 11, 12, 20, 21, 22]) expect(chosen.has(i)).toBe(true);
  });

  it("adds the caller's frames and a drawn share of the rest, each drawn frame distinct", () => {
    const must = framesToEmbed(track(poses), th, [], () => 0);
    const withAlso = framesToEmbed(track(poses), th, [5, 27], () => 0);
    expect(withAlso.has(5) && withAlso.has(27)).toBe(true);
    // 30 frames, 8 always taken: 22 left, ceil(0.4 · 22) = 9 drawn.
    const rest = 30 - 8;
    const drawn = Math.max(EMBEDDING_SAMPLE.minRandom, Math.ceil(rest * EMBEDDING_SAMPLE.randomShare));
    expect(must.size).toBe(8 + drawn);
    expect(withAlso.size).toBe(10 + Math.ceil((rest - 2) * EMBEDDING_SAMPLE.randomShare));
  });

  it('draws the share with the given source: different draws, different frames', () => {
    const first = framesToEmbed(track(poses), th, [], () => 0);
    const last = framesToEmbed(track(poses), th, [], (max) => max - 1);
    expect([...first].sort()).not.toEqual([...last].sort());
    // Every frame is embedded when the recording is short.
    expect(framesToEmbed(track(poses.slice(0, 6)), th).size).toBe(6);
  });
});
