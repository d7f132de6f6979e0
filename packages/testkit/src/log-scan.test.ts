import { describe, expect, it } from 'vitest';
import { findLogLeaks, sentSecrets } from './log-scan';

const sms = 'CamDigiKey: your code is 482913. It expires in 5 minutes.';
const mail = 'Not you? Lock your account: http://localhost:8080/lock?token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5';
const sent = sentSecrets([sms, mail, 'លេខកូដ ៤៨២៩១៤']);

describe('log scan', () => {
  it('collects the codes and link tokens a run sent, Khmer numerals included', () => {
    expect(sent.codes.sort()).toEqual(['482913', '482914']);
    expect(sent.tokens).toEqual(['Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5']);
  });

  it('finds a sent code or token anywhere in a line, and masks it in the finding', () => {
    const leaks = findLogLeaks(
      [
        '{"msg":"incoming request","url":"/lock?token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"}',
        '{"msg":"verify","detail":"482913 was wrong"}',
      ],
      sent,
    );
    expect(leaks.map((l) => [l.line, l.what])).toEqual([
      [0, 'link token'],
      [1, 'sent code'],
    ]);
    expect(leaks.every((l) => !l.sample.includes('482913') && !l.sample.includes('Zm9vYmFyYmF6'))).toBe(true);
  });

  it('finds secret-shaped values whatever their value', () => {
    const leaks = findLogLeaks(
      [
        '{"body":{"pin":"135790"}}',
        '{"headers":{"authorization":"Bearer abc.def"}}',
        '{"token":"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"}',
        '{"selfie":"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD"}',
        '{"body":{"code":"135790"}}',
      ],
      { codes: [], tokens: [] },
    );
    expect(new Set(leaks.map((l) => l.what))).toEqual(
      new Set(['a secret-named value', 'an Authorization header', 'a JWT', 'an image', 'a one-time code']),
    );
  });

  it('leaves censored values, request ids, times and durations alone', () => {
    const leaks = findLogLeaks(
      [
        '{"pin":"[redacted]","authorization":"[redacted]"}',
        '{"reqId":"9f482913-0000-4000-8000-000000482913","time":1733482913000,"responseTime":12.482913}',
        '{"action":"pin.failed","field":"pin"}',
        '{"err":{"code":"rate_limited"},"msg":"refused"}',
      ],
      sent,
    );
    expect(leaks).toEqual([]);
  });
});
