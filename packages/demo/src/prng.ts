// Small deterministic helpers (seeded PRNG, ISO date arithmetic) shared by the synthetic data generators.

/** A seeded pseudo-random source returning floats in [0, 1). */
export type Rng = () => number;

/** Mulberry32: a fast 32-bit seeded PRNG. Same seed, same sequence, on every platform. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [min, max] (inclusive). */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Uniformly picks one element of a non-empty array. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new RangeError('pick() from an empty array');
  return item;
}

/** Zero-pads a non-negative integer to `width` digits. */
export function digits(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Formats a Date as its UTC calendar day `YYYY-MM-DD`. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Parses `YYYY-MM-DD` as a UTC midnight Date. */
export function parseIsoDate(iso: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got '${iso}'`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** Adds whole years to an ISO date; 29 February falls back to 28 February in non-leap years. */
export function addYears(iso: string, years: number): string {
  const d = parseIsoDate(iso);
  const target = new Date(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return isoDate(target);
}

/** Adds (or with a negative value subtracts) days to an ISO date. */
export function addDays(iso: string, days: number): string {
  const d = parseIsoDate(iso);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

/** Age in completed years on `today` (UTC calendar days) of someone born on `birthDate`. */
export function ageOn(birthDate: string, today: Date): number {
  const b = parseIsoDate(birthDate);
  let age = today.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday =
    today.getUTCMonth() < b.getUTCMonth() ||
    (today.getUTCMonth() === b.getUTCMonth() && today.getUTCDate() < b.getUTCDate());
  if (beforeBirthday) age--;
  return age;
}
