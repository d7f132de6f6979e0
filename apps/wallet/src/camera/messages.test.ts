// The camera texts: the same keys in Khmer and English, none empty, Khmer written in Khmer script,
// the same placeholders in both, and every key the components ask for present.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KNOWN_ACTIONS } from './liveness-plan';
import messages, { en, km } from './messages';
import type { CameraProblem } from './useCamera';

const dir = fileURLToPath(new URL('.', import.meta.url));
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('camera messages', () => {
  it('has the same keys, all under camera., in both languages', () => {
    expect(Object.keys(km).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(en).every((k) => k.startsWith('camera.'))).toBe(true);
    expect(messages).toEqual({ km, en });
  });

  it('has no empty text, Khmer script in every Khmer text and the same placeholders', () => {
    for (const [key, text] of Object.entries(en)) {
      const khmer = km[key as keyof typeof km];
      expect(text.trim(), key).not.toBe('');
      expect(khmer.trim(), key).not.toBe('');
      expect(khmer, key).toMatch(/[\u1780-\u17ff]/);
      expect(placeholders(khmer), key).toEqual(placeholders(text));
      expect(text, key).not.toMatch(/\{\{/);
    }
  });

  it('has every key the components use', () => {
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
      for (const match of readFileSync(`${dir}/${file}`, 'utf8').matchAll(/t\('(camera\.[\w.]+)'/g)) {
        used.add(match[1]!);
      }
    }
    const problems: CameraProblem[] = [
      'denied',
      'not_found',
      'busy',
      'insecure',
      'unsupported',
      'ended',
      'failed',
    ];
    for (const problem of problems) {
      used.add(`camera.common.problem.${problem}.title`);
      used.add(`camera.common.problem.${problem}.body`);
    }
    for (const action of ['center', ...KNOWN_ACTIONS]) used.add(`camera.liveness.action.${action}`);
    expect(used.size).toBeGreaterThan(30);
    const missing = [...used].filter((key) => !(key in en) || !(key in km));
    expect(missing).toEqual([]);
  });
});
