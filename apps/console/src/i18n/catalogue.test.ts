import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { km } from './km';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });

describe('the console catalogue', () => {
  it('has every key in Khmer and English, never empty, with the same placeholders', () => {
    expect(Object.keys(km).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const khmer = km[key as keyof typeof km];
      expect(text.trim(), key).not.toBe('');
      expect(khmer.trim(), key).not.toBe('');
      const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(holes(khmer), key).toEqual(holes(text));
    }
  });

  it('knows every key the screens ask for', () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g))
        used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((key) => !(key in en));
    expect(missing).toEqual([]);
  });

  it('writes Khmer in Khmer script', () => {
    const latinOnly = Object.entries(km).filter(
      ([key, text]) =>
        !/[\u1780-\u17ff]/.test(text) &&
        !['app.other_language', 'app.signed_in_as', 'common.none'].includes(key),
    );
    expect(latinOnly.map(([key]) => key)).toEqual([]);
  });
});
