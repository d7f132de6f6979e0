/**
 * Opt-in CPU accounting by stage (decode, detection, embedding, ...) for `npm run bench:evidence`.
 *
 * Off by default: then `stage()` only calls its function. When on, each stage adds the process's
 * CPU time (user + system, every thread: WASM, onnxruntime, libvips) spent while it ran. That is
 * only meaningful when one judgement runs at a time, as in the bench; a server under concurrent
 * load would mix its requests' costs, so it never turns this on.
 */
const totals = new Map<string, { cpuMs: number; calls: number }>();
let enabled = false;

/** Turns the accounting on or off and clears what was counted. */
export function meterStages(on: boolean): void {
  enabled = on;
  totals.clear();
}

/** CPU ms and calls per stage since the last `meterStages(true)` (or reset), and clears them. */
export function takeStageCosts(): Record<string, { cpuMs: number; calls: number }> {
  const out = Object.fromEntries([...totals.entries()].map(([k, v]) => [k, { ...v }]));
  totals.clear();
  return out;
}

export async function stage<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  if (!enabled) return fn();
  const start = process.cpuUsage();
  try {
    return await fn();
  } finally {
    const d = process.cpuUsage(start);
    const t = totals.get(name) ?? { cpuMs: 0, calls: 0 };
    t.cpuMs += (d.user + d.system) / 1000;
    t.calls++;
    totals.set(name, t);
  }
}
