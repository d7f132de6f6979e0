import { describe, expect, it } from 'vitest';
import { parseLoginLink, platformOf } from './login-link';

const QR = 'CDK1.4b1c2d3e-1111-4222-8333-944455556666.12.Zm9vYmFyYmF6cXV4';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJ4In0.c2lnbmF0dXJl';

describe('login links and QR codes', () => {
  it('reads a website login QR code', () => {
    expect(parseLoginLink(QR)).toEqual({ kind: 'qr', qr: QR });
    expect(parseLoginLink(`  ${QR}\n`)).toEqual({ kind: 'qr', qr: QR });
  });

  it('reads the app-to-app deep links and their https and web+ forms', () => {
    const token = { kind: 'token', token: TOKEN };
    expect(parseLoginLink(`camdigikey://login?token=${TOKEN}`)).toEqual(token);
    expect(parseLoginLink(`web+camdigikey://login?token=${encodeURIComponent(TOKEN)}`)).toEqual(token);
    expect(parseLoginLink(`https://id.example.gov.kh/app/login?token=${TOKEN}`)).toEqual(token);
    expect(
      parseLoginLink(
        `https://id.example.gov.kh/app/login?link=${encodeURIComponent(`web+camdigikey://login?token=${TOKEN}`)}`,
      ),
    ).toEqual(token);
  });

  it('keeps a "+" of a base64 token that the calling app did not encode', () => {
    const token = 'AQhGUJzU+HelHKU4/qzdF==.MIGIAkIAzHjz+qiP==';
    expect(parseLoginLink(`camdigikey://login?token=${token}`)).toEqual({ kind: 'token', token });
    expect(parseLoginLink(`https://id.example.gov.kh/app/login?token=${encodeURIComponent(token)}`)).toEqual({
      kind: 'token',
      token,
    });
  });

  it('reads the same-phone website link with its QR payload', () => {
    expect(parseLoginLink(`camdigikey://login?qr=${encodeURIComponent(QR)}`)).toEqual({ kind: 'qr', qr: QR });
    expect(parseLoginLink(`http://localhost:8080/app/login?qr=${encodeURIComponent(QR)}`)).toEqual({
      kind: 'qr',
      qr: QR,
    });
  });

  it('refuses foreign codes', () => {
    for (const foreign of [
      'https://example.com/',
      'https://example.com/app/other?token=abcdefghijkl',
      'WIFI:S:home;T:WPA;P:secret;;',
      'CDK2.abc.1.def',
      'camdigikey://login?token=short',
      'javascript:alert(1)',
      '',
    ]) {
      expect(parseLoginLink(foreign), foreign).toBeUndefined();
    }
  });

  it('tells Android from iOS for the return to the calling app', () => {
    expect(platformOf('Mozilla/5.0 (Linux; Android 14; SM-A546E)')).toBe('android');
    expect(platformOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)')).toBe('ios');
    expect(platformOf('Mozilla/5.0 (X11; Linux x86_64)')).toBeUndefined();
  });
});
