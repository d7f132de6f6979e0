/**
 * Decode and read timings as User Timing measures (`camera:qr-decode`, `camera:mrz-read`,
 * `camera:mrz-roundtrip`, `camera:frame-encode`), visible in the browser's performance panel and to
 * the end-to-end tests. Only the newest entries of each name are kept.
 */
const KEEP = 100;

export function recordTiming(name: string, ms: number): void {
  if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return;
  const full = `camera:${name}`;
  try {
    if (performance.getEntriesByName(full, 'measure').length >= KEEP) performance.clearMeasures(full);
    const end = performance.now();
    performance.measure(full, { start: Math.max(0, end - ms), end });
  } catch {
    // Timings are diagnostics only.
  }
}
