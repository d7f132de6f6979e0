import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_DETAIL_MAX_CHARS, auditText, storableDetails, storableText } from './audit-text';

/** What PostgreSQL text gives back: the UTF-8 round trip (lone surrogates become U+FFFD). */
const throughUtf8 = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('audit text', () => {
  it('cuts by code point, never inside a surrogate pair', () => {
    const id = `${'a'.repeat(59)}😀`;
    expect(id.slice(0, 60)).not.toBe(throughUtf8(id.slice(0, 60)));
    expect(auditText(id, 60)).toBe(id);
    expect(auditText(`${id}b`, 60)).toBe(id);
    expect(auditText('😀😀😀', 2)).toBe('😀😀');
  });

  it('replaces lone surrogates and NUL, and normalises to NFC', () => {
    expect(storableText('a\uD83Db')).toBe('a\uFFFDb');
    expect(storableText('\uDE00x')).toBe('\uFFFDx');
    expect(storableText(`x${String.fromCharCode(0)}y`)).toBe('x\uFFFDy');
    expect(storableText('Cafe\u0301')).toBe('Café');
    expect(storableText('កម្ពុជា 😀')).toBe('កម្ពុជា 😀');
  });

  it('gives a string that survives storage unchanged, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 80 }), (s, n) => {
        const out = auditText(s, n);
        expect(throughUtf8(out)).toBe(out);
        expect(out.normalize('NFC')).toBe(out);
        expect(out.includes(String.fromCharCode(0))).toBe(false);
        expect([...out].length).toBeLessThanOrEqual(n);
      }),
    );
  });

  it('reduces details to the plain JSON they are stored as', () => {
    const when = new Date('2026-11-23T02:00:00Z');
    expect(
      storableDetails({
        when,
        n: Number.POSITIVE_INFINITY,
        gone: undefined,
        ['k\uD800']: ['x\uDC00'],
        long: 'é'.repeat(3000),
      }),
    ).toEqual({
      when: '2026-11-23T02:00:00.000Z',
      n: null,
      'k\uFFFD': ['x\uFFFD'],
      long: 'é'.repeat(AUDIT_DETAIL_MAX_CHARS),
    });
  });
});
