/**
 * Tests of the strict base64 rules (rp-protocol.md §2.3 standard-with-padding for the envelope,
 * §4.2 either alphabet for token parts, never mixed, as Java's decoder choice implies).
 */
import { describe, expect, it } from 'vitest';
import { fromBase64AnyAlphabet, fromBase64Strict, toBase64, toBase64UrlPadded } from './base64';

describe('base64', () => {
  const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x01]);

  it('encodes standard and URL-safe with padding', () => {
    expect(toBase64(bytes)).toBe('+/+/AAE=');
    expect(toBase64UrlPadded(bytes)).toBe('-_-_AAE=');
  });

  it('decodes only canonical standard base64 strictly', () => {
    expect(fromBase64Strict('+/+/AAE=')).toEqual(bytes);
    for (const bad of ['+/+/AAE', '-_-_AAE=', '+/+/AAF=', '+/+/ AAE=', '+/+/AAE==', '=AAA']) {
      expect(fromBase64Strict(bad)).toBeUndefined();
    }
  });

  it('decodes token parts in either alphabet with or without padding, but not mixed', () => {
    for (const good of ['+/+/AAE=', '+/+/AAE', '-_-_AAE=', '-_-_AAE'])
      expect(fromBase64AnyAlphabet(good)).toEqual(bytes);
    for (const bad of ['+_-/AAE=', '+/+/A', '+/+/AA=', '+/+/AAE=x', '+/+/AA E']) {
      expect(fromBase64AnyAlphabet(bad)).toBeUndefined();
    }
  });
});
