import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMessageId } from '@camdigikey/messages';
import { describe, expect, it } from 'vitest';
import camera from '../camera/messages';
import { PUSH_TEXT_KEYS } from '../pwa/push';
import en from './en.json';
import { isServerMessageId } from './index';
import km from './km.json';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** The app's sources (the camera folder has its own catalogue and test). */
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'camera' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
const texts = () => sources(SRC).map((file) => readFileSync(file, 'utf8'));
const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
const KHMER = /[\u1780-\u17ff]/;

describe("the app's catalogue", () => {
  it('has every key in Khmer and English, never empty, with the same placeholders', () => {
    expect(Object.keys(km).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const khmer = km[key as keyof typeof km];
      expect(text.trim(), key).not.toBe('');
      expect(khmer.trim(), key).not.toBe('');
      expect(holes(khmer), key).toEqual(holes(text));
    }
  });

  it('writes Khmer in Khmer script', () => {
    const brandOnly = ['app.title', 'home.title'];
    const latin = Object.entries(km).filter(([key, text]) => !KHMER.test(text) && !brandOnly.includes(key));
    expect(latin.map(([key]) => key)).toEqual([]);
  });

  it('knows every key the screens ask for', () => {
    const used = new Set<string>();
    for (const text of texts()) {
      for (const m of text.matchAll(/\bt\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(
        /\bt\([^()]*?\?\s*'([a-z_]+\.[a-z0-9_.]+)'\s*:\s*'([a-z_]+\.[a-z0-9_.]+)'/g,
      )) {
        used.add(m[1]!);
        used.add(m[2]!);
      }
      for (const m of text.matchAll(/label="([a-z_]+\.[a-z0-9_.]+)"/g)) used.add(m[1]!);
    }
    for (const key of PUSH_TEXT_KEYS) used.add(key);
    expect(used.size).toBeGreaterThan(150);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });

  it('has keys for every code the screens build keys from', () => {
    const codes: Record<string, readonly string[]> = {
      month: Array.from({ length: 12 }, (_, i) => String(i + 1)),
      'requests.outcome': ['approved', 'rejected', 'blocked', 'expired'],
      'push.security': [
        'new_login',
        'pin_locked',
        'pin_blocked',
        'phone_changed',
        'email_changed',
        'account_recovered',
      ],
      history: [
        'login.scanned',
        'login.approved',
        'login.rejected',
        'login.wrong_code',
        'login.app_approved',
        'login.app_rejected',
        'login.backchannel_approved',
        'login.backchannel_rejected',
        'login.backchannel_not_me',
        'consent.granted',
        'consent.revoked',
        'account.pin_changed',
        'account.exported',
        'account.recovered',
        'other',
      ],
    };
    const missing = Object.entries(codes).flatMap(([prefix, list]) =>
      list.map((code) => `${prefix}.${code}`).filter((key) => !(key in en)),
    );
    expect(missing).toEqual([]);
    const prefixes = new Set<string>();
    for (const text of texts())
      for (const m of text.matchAll(/\bt\(\s*`([a-z_.]+\.)\$\{/g)) prefixes.add(m[1]!);
    expect([...prefixes].filter((p) => !Object.keys(en).some((key) => key.startsWith(p)))).toEqual([]);
  });

  it('uses server message ids that packages/messages knows', () => {
    const ids = new Set<string>();
    for (const text of texts())
      for (const m of text.matchAll(/\bserver\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g)) ids.add(m[1]!);
    expect(ids.size).toBeGreaterThan(5);
    expect([...ids].filter((id) => !isMessageId(id) || !isServerMessageId(id))).toEqual([]);
  });

  // Issue 16, item 8: "Face ID" is Apple's word; Android phones read "fingerprint or face unlock".
  it('names the biometric unlock in Android words wherever a text says Face ID', () => {
    const all = { en: en as Record<string, string>, km: km as Record<string, string> };
    const apple = Object.keys(all.en).filter(
      (key) => !key.endsWith('.android') && /Face ID/.test(all.en[key]!),
    );
    expect(apple.length).toBeGreaterThan(10);
    expect(apple.filter((key) => !(`${key}.android` in all.en))).toEqual([]);
    for (const lang of ['en', 'km'] as const)
      expect(
        apple.filter((key) => /Face ID/.test(all[lang][`${key}.android`] ?? 'Face ID')),
        lang,
      ).toEqual([]);
  });

  it("does not collide with the camera screens' keys", () => {
    expect(Object.keys(camera.en).filter((key) => key in en)).toEqual([]);
  });
});
