/**
 * `npm run bench:soak`: QR logins (PIN and Face ID alternating) at half the measured maximum rate
 * for BENCH_SOAK_SECONDS (default 600), against the server in a process of its own
 * (scripts/bench-server.ts). Prints the server's RSS and heap at the start and the end (after a
 * full GC in the server, so the heap is what is live; goal: growth ≤ 10 %) and p50/p99 of a whole
 * login for every minute (BENCH_SOAK_WINDOW seconds). The maximum is measured first in the same
 * run (closed loop, BENCH_SECONDS per method).
 */
import { loginDriver, type Method } from './bench-logins';
import { figure, loadAverage, percentile, startBenchServer } from './bench-support';

const SOAK_MS = Number(process.env.BENCH_SOAK_SECONDS ?? 600) * 1000;
const WINDOW_MS = Number(process.env.BENCH_SOAK_WINDOW ?? 60) * 1000;
const MAX_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const mb = (bytes: number) => bytes / 1024 / 1024;

async function main() {
  console.log(`CamDigiKey soak — load average before: ${loadAverage()}`);
  const server = await startBenchServer({ exposeGc: true });
  try {
    console.log(
      `server in its own process (pid ${server.pid}): database ${server.dbKind}, hot state ${server.hotKind}, LOG_LEVEL ${server.logLevel}`,
    );
    const timings = new Map<string, number[]>();
    const { oneLogin, closedLoop } = await loginDriver(server, CONCURRENCY, timings);
    const pin = await closedLoop('pin', MAX_MS, CONCURRENCY);
    const face = await closedLoop('face_id', MAX_MS, CONCURRENCY);
    // Half the maximum of the alternating mix: the harmonic mean of the two closed-loop rates.
    const max = 2 / (1 / pin.rate + 1 / face.rate);
    const rate = max / 2;
    console.log(
      `maximum: PIN ${pin.rate.toFixed(1)}/s, Face ID ${face.rate.toFixed(1)}/s, mixed ${max.toFixed(1)}/s → soak at ${rate.toFixed(2)} logins/s for ${SOAK_MS / 1000} s\n`,
    );

    await server.call('gc');
    const start = await server.usage();
    const all: number[] = [];
    let window: number[] = [];
    let failures = 0;
    let windowEnd = performance.now() + WINDOW_MS;
    let minute = 1;
    const flush = () => {
      console.log(
        `  minute ${String(minute).padStart(2)}  logins ${String(window.length).padStart(5)}  p50 ${percentile(window, 0.5).toFixed(0).padStart(6)} ms  p99 ${percentile(window, 0.99).toFixed(0).padStart(6)} ms  (load ${loadAverage()})`,
      );
      window = [];
      minute++;
    };
    const started: Promise<void>[] = [];
    const begin = performance.now();
    let next = 0;
    while (performance.now() - begin < SOAK_MS) {
      const n = next++;
      const method: Method = n % 2 === 0 ? 'pin' : 'face_id';
      const t = performance.now();
      started.push(
        oneLogin(method, Math.floor(n / 2) % CONCURRENCY).then(
          () => {
            const ms = performance.now() - t;
            window.push(ms);
            all.push(ms);
          },
          () => {
            failures++;
          },
        ),
      );
      // Open loop: the next login starts on schedule, whether or not the last one has finished.
      const due = begin + (n + 1) * (1000 / rate);
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      if (performance.now() >= windowEnd) {
        flush();
        windowEnd += WINDOW_MS;
      }
    }
    await Promise.all(started);
    if (window.length) flush();
    await server.call('gc');
    const end = await server.usage();

    console.log('');
    figure(
      'soak: server RSS at the end',
      mb(end.rss),
      'MB',
      mb(start.rss),
      'start; goal ≤ 1.10×',
      end.rss <= 1.1 * start.rss,
    );
    figure(
      'soak: server heap used at the end',
      mb(end.heapUsed),
      'MB',
      mb(start.heapUsed),
      'start; goal ≤ 1.10×',
      end.heapUsed <= 1.1 * start.heapUsed,
    );
    figure(
      'soak: login p99, whole run',
      percentile(all, 0.99),
      'ms',
      percentile(all, 0.5),
      `p50; n=${all.length}, ${failures} failed`,
    );
  } finally {
    await server.stop();
  }
  console.log(`\nload average after: ${loadAverage()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
