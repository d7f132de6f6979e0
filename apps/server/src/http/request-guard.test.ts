import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  cleanUtf8,
  isCleanForm,
  isCleanJson,
  isCleanText,
  malformedPart,
  strictDecode,
} from './request-guard';

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** A request as Node hands it over: URL and header values as latin1 strings. */
function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { url, headers: lower, rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage;
}

describe('strict percent-decoding', () => {
  it('decodes clean UTF-8, Khmer and emoji included, and + as a space in forms', () => {
    expect(strictDecode(bytes('%E1%9E%80a%20b'))).toBe('ក' + 'a b');
    expect(strictDecode(bytes('%F0%9F%98%80'))).toBe('😀');
    expect(strictDecode(bytes('a+b'), true)).toBe('a b');
    expect(strictDecode(bytes('a+b'))).toBe('a+b');
  });

  it('refuses bad escapes, NUL, invalid UTF-8 and encoded surrogates', () => {
    for (const bad of [
      '%',
      '%4',
      '%zz',
      '%00',
      'a%00b',
      '%ff',
      '%c0%af',
      '%e0%80',
      '%ed%a0%80',
      '%f4%90%80%80',
      '\u00ff',
    ])
      expect(strictDecode(bytes(bad)), bad).toBeUndefined();
  });
});

describe('clean text', () => {
  it('tells NUL and lone surrogates from clean strings', () => {
    expect(isCleanText('សុខ 😀')).toBe(true);
    for (const bad of ['\u0000', 'a\ud800', '\udfff', `${'a'.repeat(59)}\ud83d`])
      expect(isCleanText(bad)).toBe(false);
    expect(cleanUtf8(Buffer.from([0x61, 0xff]))).toBeUndefined();
    expect(cleanUtf8(Buffer.from('a\u0000'))).toBeUndefined();
  });

  it('walks JSON keys and values at any depth', () => {
    expect(isCleanJson({ a: ['x', { b: 'ក' }], n: 1, z: null })).toBe(true);
    expect(isCleanJson({ a: ['x', { b: 'a\u0000' }] })).toBe(false);
    expect(isCleanJson({ ['\ud800']: 1 })).toBe(false);
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(isCleanJson(deep)).toBe(false); // no recursion: no stack overflow
  });

  it('checks every name and value of a form', () => {
    expect(isCleanForm(bytes('a=1&b=%E1%9E%80&c'))).toBe(true);
    expect(isCleanForm(bytes('client_id=%00'))).toBe(false);
    expect(isCleanForm(bytes('%zz=1'))).toBe(false);
  });
});

describe('malformedPart', () => {
  it('passes a clean request', () => {
    expect(
      malformedPart(
        request('/api/x/%E1%9E%80?q=a+b&lang=km', {
          cookie: 'cdk_console=abc; lang=km; q="x%20y"',
          authorization: `Basic ${Buffer.from('client:secret').toString('base64')}`,
        }),
      ),
    ).toBeUndefined();
  });

  it('names the part that is malformed', () => {
    expect(malformedPart(request('/a/%ff'))).toBe('path');
    expect(malformedPart(request('/a?x=%00'))).toBe('query');
    expect(malformedPart(request('/a', { cookie: 'cdk_console=%ff' }))).toBe('cookie');
    expect(malformedPart(request('/a', { cookie: '=x' }))).toBe('cookie');
    expect(malformedPart(request('/a', { 'user-agent': 'x\u00ff' }))).toBe('header');
    expect(malformedPart(request('/a', { 'x-big': 'a'.repeat(8193) }))).toBe('header_too_large');
    const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
    expect(malformedPart(request('/a', basic('rp\u0000:x')))).toBe('authorization');
    expect(malformedPart(request('/a', basic('no-colon')))).toBe('authorization');
    expect(malformedPart(request('/a', { authorization: 'Basic !!' }))).toBe('authorization');
    // client_secret_basic percent-encodes both halves (RFC 6749 §2.3.1): only the provider decodes them.
    expect(malformedPart(request('/oidc/token', basic('client%00:x')))).toBe('authorization');
    expect(malformedPart(request('/api/2.0/kyc/info', basic('client%:x')))).toBeUndefined();
  });
});
