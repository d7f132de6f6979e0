/**
 * `npm run bench:evidence`: the cost of the identity-proofing evidence of one registration, split by
 * kind, and of decoding an Open KYC liveness video, with p50/p95 wall time and the p50 CPU time
 * (user + system of the whole process, every thread: tfjs WASM, onnxruntime, libvips, the MRZ
 * worker) over N runs, peak RSS and heap, the engine/model/reader/ffmpeg versions, and each p50 as a
 * ratio against baselines measured in the same run on the same machine (never a timed assertion).
 * Goal (issue 14): the evidence of one registration <= 5 s CPU on this machine.
 *
 *   baseline A: SHA-256 of the document photo's bytes;  baseline B: one JPEG decode of it with sharp.
 *
 *  0. selfie quality:  the checks at the liveness upload (one detection + embedding + measures);
 *  1. face match:      the selfie analysed (the job analyses it once, evidence.ts) and matched against
 *                      the document photo (two detections + embeddings), as the job does;
 *  2. liveness:        the judge on a 15-frame turn-left / turn-right / nod sequence of a real face
 *                      (the old measure, kept for comparison);
 * 2t. timed liveness:  judgeRecording, with the selfie binding on the job's selfie analysis, on the
 *                      recording the app sends for a 5-action timed challenge (scripts/timed-recording.ts:
 *                      39 frames, 400 px JPEG q70, every 362 ms; 640 px selfie), then one more run
 *                      split by stage;
 *  3. document OCR:    decode + MRZ read (worker thread) + parse of a rendered Khmer ID card;
 *  4. video decode:    ffmpeg → 8 fps JPEG frames of the same sequence as an H.264 MP4 (Open KYC only).
 * "one registration's evidence" = 0 + 1 + 2t + 3.
 * Plus the worst event-loop delay while the MRZ of a 4000 px photo is read (goal ≈ idle: off-thread).
 *
 * Measured (BENCH_N=3, shared 2-core VM, CPU): before the recogniser ran on a subset of the frames,
 * timed liveness 5.33 s and one registration 6.07 s; after, 4.92 s and 5.64 s (goal not met: the
 * detection of 56 pictures alone is ~4 s). By stage after: detection 4.01 s, recogniser 0.52 s (37
 * faces, was 56 and ~0.95 s), decode 0.18 s, passive signal 0.26 s, selfie scene 0.15 s, rest 0.12 s.
 * Re-measured at load 12-15 (c875534), three runs: one registration 5.51 / 4.98 / 5.30 s (the goal is inside the noise);
 * a second pass (per-model profile, smaller detector, GC flags, shared decodes) found no verdict-neutral
 * cut large enough (THRESHOLDS.md, Cost, second pass). Third pass (decided): the app sends at most 40
 * frames (39 here, every 362 ms), the job analyses the selfie once, the passive signal takes the
 * detection's decode: one registration 3.78-4.52 s against 5.12-5.54 s before, three interleaved
 * runs each at load 6.5-10; 4.76 s against 5.87 s at load 12-14 (THRESHOLDS.md, Cost, third pass).
 * Details and what was tried: packages/face-engine/src/THRESHOLDS.md (Cost), docs/liveness-attacks.md.
 *
 * N = BENCH_N (default 10; liveness runs max(3, N/3) times as each run takes seconds).
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { judgeRecording, meterStages, sharedFaceEngine, takeStageCosts } from '@camdigikey/face-engine';
import { cropSampleFaces, idCardVersion } from '@camdigikey/face-engine/testing/samples';
import {
  LEFT_RIGHT_NOD_PLAN,
  motionSource,
  renderPose,
} from '@camdigikey/face-engine/testing/synthetic-motion';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument } from '@camdigikey/testkit/document-image';
import sharp from 'sharp';
import { closeMrzPool, MRZ_READER_VERSION, readDocumentMrz } from '../apps/server/src/proofing/document-ocr';
import { decodeVideoFrames, ffmpegVersion } from '../apps/server/src/proofing/video-frames';
import { encodeVideo } from '../apps/server/src/proofing/video-testing';
import { timedRecording } from './timed-recording';

const N = Number(process.env.BENCH_N ?? 10);
const MB = 1024 * 1024;

let peakRss = 0;
let peakHeap = 0;
const sampleMemory = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sampleMemory, 25);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

/** CPU ms (user + system, all threads of the process) of each run, by the times array it belongs to. */
const cpuOf = new WeakMap<number[], number[]>();

async function runs(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  await fn(); // warm-up, not counted
  const out: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    sampleMemory();
  }
  cpuOf.set(out, cpu);
  return out;
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`.padStart(10);
function row(name: string, times: number[], base: { a: number; b: number }, cpuMs?: number) {
  const p50 = quantile(times, 0.5);
  const cpu = cpuMs ?? quantile(cpuOf.get(times) ?? [Number.NaN], 0.5);
  console.log(
    `${name.padEnd(42)} p50 ${ms(p50)}  p95 ${ms(quantile(times, 0.95))}  cpu ${ms(cpu)}  n=${String(times.length).padEnd(3)}` +
      `  ${(p50 / base.a).toFixed(0).padStart(6)}× SHA-256  ${(p50 / base.b).toFixed(1).padStart(6)}× JPEG decode`,
  );
  return { wall: p50, cpu };
}

async function main() {
  const engine = sharedFaceEngine();
  await engine.init();
  const faces = await cropSampleFaces(engine, [3]);
  const crop = faces.find((f) => f.id === 's3f2')!.crop;
  const citizen = makeCitizen(9921, { documentType: 'id_card' });
  const documentPhoto = renderDocument(citizen, { format: 'jpeg', portrait: await idCardVersion(crop) });
  const src = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
  const poses = LEFT_RIGHT_NOD_PLAN.map((p) => renderPose(src, p));
  const issued = Date.now();
  const frames = poses.map((image, i) => ({ t: issued + 400 + i * 200, image }));
  const challenge = {
    actions: ['turn_left', 'turn_right', 'nod'] as ('turn_left' | 'turn_right' | 'nod')[],
    issuedAt: new Date(issued).toISOString(),
    timeLimitSeconds: 10,
  };
  const video = await encodeVideo(poses, { fps: 8, codec: 'h264' });
  const timed = await timedRecording(src);
  const p = engine.provenance();

  console.log(`CamDigiKey evidence bench — ${availableParallelism()} cores, Node ${process.version}, N=${N}`);
  console.log(`  face engine   ${p.engine} / ${p.model} (digest ${String(p.modelDigest).slice(0, 12)}…)`);
  console.log(`  thresholds    ${p.thresholdsVersion}`);
  console.log(`  MRZ reader    ${MRZ_READER_VERSION}`);
  console.log(`  ffmpeg        ${await ffmpegVersion()}`);
  console.log(
    `  inputs        document photo ${(documentPhoto.length / 1024).toFixed(0)} KB JPEG, ` +
      `15 liveness frames, video ${(video.length / 1024).toFixed(0)} KB H.264 MP4`,
  );
  console.log(
    `  timed         ${timed.challenge.actions.join(', ')}: ${timed.frames.length} frames ` +
      `${timed.width}×${timed.height} JPEG q70 every ${timed.interval} ms (${(timed.bytes / 1024).toFixed(0)} KB), ` +
      `selfie ${timed.selfieWidth} px JPEG q85\n`,
  );

  const a = quantile(await runs(N * 10, () => createHash('sha256').update(documentPhoto).digest()), 0.5);
  const b = quantile(await runs(N, () => sharp(documentPhoto).raw().toBuffer()), 0.5);
  const base = { a, b };
  console.log(`baseline A: SHA-256 of the photo     p50 ${ms(a)}`);
  console.log(`baseline B: JPEG decode (sharp)      p50 ${ms(b)}\n`);

  const quality = row(
    'selfie quality (at upload)',
    await runs(N, async () => {
      const q = await engine.assessSelfie(crop);
      if (!q.ok) throw new Error(`sample selfie refused: ${q.reasons.join(', ')}`);
    }),
    base,
  );
  const face = row(
    'face match (selfie vs document)',
    await runs(N, async () => engine.matchFaces(await engine.detect(crop), documentPhoto)),
    base,
  );
  // The evidence job analyses the selfie once and hands the analysis to the binding (evidence.ts).
  const selfieAnalysis = await engine.detect(timed.selfie);
  const live = row(
    'liveness (15 frames, 3 actions)',
    await runs(Math.max(3, Math.round(N / 3)), async () => {
      const r = await engine.judgeLiveness(frames, challenge);
      if (!r.passed) throw new Error(`liveness sample did not pass: ${r.reason}`);
    }),
    base,
  );
  const timedLive = row(
    `liveness (timed, ${timed.challenge.actions.length} actions, ${timed.frames.length} frames)`,
    await runs(Math.max(2, Math.round(N / 3)), async () => {
      const r = await judgeRecording(engine, timed.frames, timed.challenge, {
        selfie: timed.selfie,
        selfieAnalysis,
        receivedAt: new Date(timed.frames.at(-1)!.t + 500),
      });
      if (!r.liveness.passed || !r.binding?.passed)
        throw new Error(`timed sample did not pass: ${r.liveness.reason ?? r.binding?.reason}`);
    }),
    base,
  );
  // One more run of the timed recording, split by stage (not counted above).
  meterStages(true);
  const stageStart = process.cpuUsage();
  await judgeRecording(engine, timed.frames, timed.challenge, {
    selfie: timed.selfie,
    selfieAnalysis,
    receivedAt: new Date(timed.frames.at(-1)!.t + 500),
  });
  const stageAll = process.cpuUsage(stageStart);
  const stages = takeStageCosts();
  meterStages(false);
  const stageTotal = (stageAll.user + stageAll.system) / 1000;
  const counted = Object.values(stages).reduce((sum, v) => sum + v.cpuMs, 0);
  console.log(
    `  by stage (one run, cpu ${ms(stageTotal)}): ` +
      [...Object.entries(stages), ['rest', { cpuMs: stageTotal - counted, calls: 1 }] as const]
        .map(([k, v]) => `${k} ${v.cpuMs.toFixed(0)} ms${v.calls > 1 ? ` (${v.calls}×)` : ''}`)
        .join(', '),
  );
  const ocr = row(
    'document OCR (decode + MRZ + parse)',
    await runs(N, async () => {
      const r = await readDocumentMrz(documentPhoto, new Date());
      if (!r.ok) throw new Error(`MRZ not read: ${r.reason}`);
    }),
    base,
  );
  const decode = row(
    'video decode (ffmpeg, 8 fps JPEG)',
    await runs(N, () => decodeVideoFrames(video)),
    base,
  );
  console.log('─'.repeat(130));
  const total = quality.cpu + face.cpu + live.cpu + ocr.cpu;
  row('registration evidence (0+1+2+3)', [quality.wall + face.wall + live.wall + ocr.wall], base, total);
  row(
    'Open KYC liveness API (2×1+2+4)',
    [2 * face.wall + live.wall + decode.wall],
    base,
    2 * face.cpu + live.cpu + decode.cpu,
  );
  const real = quality.cpu + face.cpu + timedLive.cpu + ocr.cpu;
  row(
    'registration, timed liveness (0+1+2t+3)',
    [quality.wall + face.wall + timedLive.wall + ocr.wall],
    base,
    real,
  );
  console.log(
    `\n15-frame recording (old measure): ${(total / 1000).toFixed(2)} s CPU` +
      `\none registration's evidence: ${(real / 1000).toFixed(2)} s CPU (goal ≤ 5 s: ${real <= 5000 ? 'met' : 'NOT met'};` +
      ` selfie quality + face match + timed ${timed.challenge.actions.length}-action liveness + document OCR)`,
  );

  // Event loop while a large photo's MRZ is read (the reader runs in a worker thread).
  const big = await sharp(documentPhoto).resize(4000).jpeg().toBuffer();
  const idle = monitorEventLoopDelay({ resolution: 5 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 300));
  idle.disable();
  const busy = monitorEventLoopDelay({ resolution: 5 });
  busy.enable();
  await Promise.all(Array.from({ length: 4 }, () => readDocumentMrz(big, new Date())));
  busy.disable();
  const worstIdle = idle.max / 1e6;
  const worstBusy = busy.max / 1e6;
  console.log(
    `\nworst event-loop delay, 4 × MRZ of a 4000 px photo  ${ms(worstBusy)}  idle ${ms(worstIdle)}  ratio ${(worstBusy / worstIdle).toFixed(1)}×  (goal: tens of ms, not the 0.2 s a read takes)`,
  );
  sampleMemory();
  console.log(`peak RSS ${(peakRss / MB).toFixed(0)} MB, peak heap ${(peakHeap / MB).toFixed(0)} MB`);
  clearInterval(sampler);
  await closeMrzPool();
  engine.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
