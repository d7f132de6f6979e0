/**
 * The demo bank's signing pages (issue 17) against a stand-in for the SDK's client-API calls: what
 * the bank asks CamDigiKey to show, the states the page shows, and that a result which does not
 * verify never becomes a signed contract. The real signature, PDF and pdfsig run in the Chromium
 * journey (tests/e2e/signing.e2e.test.ts).
 */
import { createHash } from 'node:crypto';
import { type CamDigiKeyClient, preparePdf, type SignatureRequest } from '@camdigikey/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoRp, type DemoRp } from './app';
import { contractFileName, loanContractPdf } from './loan-contract';

const REQUEST_ID = '0f6c1d3e-8a8b-4c55-9d7e-2b7b0e7d1a42';
const NOW = new Date('2026-03-14T09:30:00Z');

interface Fake {
  sent: SignatureRequest[];
  statuses: Record<string, unknown>[];
}

function portal(fake: Fake): DemoRp {
  const sdk = {
    getUserAccessToken: async () => ({ data: { accessToken: 'user-access-token' } }),
    validateJwt: async () => ({
      is_valid: true,
      payload: {
        camdigikey_id: 'acc-1717',
        first_name_en: 'Dara',
        last_name_en: 'Sok',
        first_name_kh: 'ដារា',
        last_name_kh: 'សុខ',
      },
    }),
    requestSignature: async (accessToken: string, request: SignatureRequest) => {
      expect(accessToken).toBe('user-access-token');
      fake.sent.push(request);
      return { data: { signRequestId: REQUEST_ID, verificationCode: '4821', expiresAt: NOW.toISOString() } };
    },
    getSignatureStatus: async (id: string) => {
      expect(id).toBe(REQUEST_ID);
      return { data: fake.statuses.shift() ?? { id, state: 'pending' } };
    },
    trustRoot: undefined,
  } as unknown as CamDigiKeyClient;
  return createDemoRp({
    issuer: 'http://127.0.0.1:1/oidc',
    clientId: 'demo-bank',
    clientSecret: 'unused',
    baseUrl: 'http://127.0.0.1:3009',
    name: { km: 'ធនាគារសាកល្បង', en: 'Demo Bank Plc.' },
    clientApi: sdk,
    now: () => NOW,
  });
}

let rp: DemoRp | undefined;
afterEach(async () => {
  await rp?.app.close();
  rp = undefined;
});

/** Logs in through the client-API callback; answers the session cookie. */
async function logIn(app: DemoRp['app']): Promise<string> {
  const response = await app.inject({ url: '/camdigikey/callback?authToken=auth-token&lang=en' });
  expect(response.statusCode).toBe(303);
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return cookies.map((c) => c.split(';')[0]).join('; ');
}

describe('the demo bank’s loan contract', () => {
  it('writes a one-page PDF whose cross-reference table points at every object, and preparePdf takes it', async () => {
    const pdf = Buffer.from(
      loanContractPdf({
        number: 'LN-2026-0001',
        bank: 'Demo Bank Plc.',
        borrower: 'Dara (Sok) \\ Ñ',
        amountUsd: 5000,
        months: 24,
        ratePercentPerMonth: 1.1,
        date: NOW,
      }),
    );
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.7\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(7);
    offsets.forEach((offset, i) => {
      expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
    // Parentheses and backslashes escaped, anything outside ASCII printed as '?'.
    expect(text).toContain('(Borrower: Dara \\(Sok\\) \\\\ ?) Tj');
    expect(text).toContain('/CreationDate (D:20260314093000Z)');
    const prepared = await preparePdf(pdf, { signingTime: NOW });
    expect(prepared.documentSha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(prepared.pdf.subarray(0, pdf.length).equals(pdf)).toBe(true);
  });
});

describe('the signing pages', () => {
  it('asks for the signature with the contract’s text, file name and digests, and shows the code while it waits', async () => {
    const fake: Fake = { sent: [], statuses: [] };
    rp = portal(fake);
    const cookie = await logIn(rp.app);
    const home = await rp.app.inject({ url: '/', headers: { cookie } });
    expect(home.body).toContain('id="sign-loan"');
    const offer = await rp.app.inject({ url: '/sign', headers: { cookie } });
    expect(offer.statusCode).toBe(200);
    expect(offer.body).toContain('<dd id="loan-borrower">Dara Sok</dd>');
    expect(offer.body).toContain('id="sign-request"');

    const started = await rp.app.inject({
      method: 'POST',
      url: '/sign',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect([started.statusCode, started.headers.location]).toEqual([303, `/sign/${REQUEST_ID}`]);
    const [sent] = fake.sent;
    const number = /LN-2026-\d{4}/.exec(sent?.text.en ?? '')?.[0] ?? '';
    expect(number).not.toBe('');
    expect(sent).toMatchObject({ format: 'markdown', document: { name: contractFileName(number) } });
    expect(sent?.text.en).toBe(
      `I, Dara Sok, agree to borrow **5,000 USD** from Demo Bank Plc. over 24 months at 1.1% per month under loan contract ${number}.`,
    );
    expect(sent?.text.km).toContain('ខ្ញុំ សុខ ដារា');
    expect(sent?.text.km).toContain(number);
    expect(sent?.document?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(sent?.document?.pades?.byteRangeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(sent?.document?.pades?.byteRangeSha256).not.toBe(sent?.document?.sha256);

    const waiting = await rp.app.inject({ url: `/sign/${REQUEST_ID}`, headers: { cookie } });
    expect(waiting.body).toContain('<dd class="code" id="verification-code">4821</dd>');
    expect(waiting.body).toContain(`<dd id="file-name">${contractFileName(number)}</dd>`);
    expect(waiting.body).toContain('data-state="pending"');
    expect(waiting.body).toContain('<meta http-equiv="refresh"');
    expect(waiting.body).not.toContain('id="download"');
  });

  it('shows "declined" and stops reloading when the citizen declines', async () => {
    const fake: Fake = { sent: [], statuses: [{ id: REQUEST_ID, state: 'declined' }] };
    rp = portal(fake);
    const cookie = await logIn(rp.app);
    await rp.app.inject({ method: 'POST', url: '/sign', headers: { cookie } });
    const page = await rp.app.inject({ url: `/sign/${REQUEST_ID}?lang=km`, headers: { cookie } });
    expect(page.body).toContain('data-state="declined"');
    expect(page.body).toContain('លោកអ្នកបានបដិសេធមិនចុះហត្ថលេខា');
    expect(page.body).not.toContain('http-equiv="refresh"');
    expect(fake.statuses).toHaveLength(0);
  });

  it('never counts a result that does not verify as signed, and has nothing to download', async () => {
    const forged = {
      id: REQUEST_ID,
      state: 'signed',
      statement: { id: REQUEST_ID },
      signature: Buffer.from('not a CMS').toString('base64'),
      padesSignature: Buffer.from('not a CMS either').toString('base64'),
    };
    const fake: Fake = { sent: [], statuses: [forged] };
    rp = portal(fake);
    const cookie = await logIn(rp.app);
    await rp.app.inject({ method: 'POST', url: '/sign', headers: { cookie } });
    const page = await rp.app.inject({ url: `/sign/${REQUEST_ID}`, headers: { cookie } });
    expect(page.body).toContain('data-state="failed"');
    expect(page.body).not.toContain('id="download"');
    const pdf = await rp.app.inject({ url: `/sign/${REQUEST_ID}/pdf`, headers: { cookie } });
    expect(pdf.statusCode).toBe(404);
  });

  it('keeps requests to their session, and asks an OIDC-less visitor to log in first', async () => {
    const fake: Fake = { sent: [], statuses: [] };
    rp = portal(fake);
    const cookie = await logIn(rp.app);
    await rp.app.inject({ method: 'POST', url: '/sign', headers: { cookie } });
    const stranger = await rp.app.inject({ url: `/sign/${REQUEST_ID}` });
    expect(stranger.statusCode).toBe(404);
    const otherCitizen = await logIn(rp.app);
    expect(
      (await rp.app.inject({ url: `/sign/${REQUEST_ID}`, headers: { cookie: otherCitizen } })).statusCode,
    ).toBe(404);
    const anonymous = await rp.app.inject({ method: 'POST', url: '/sign' });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/sign']);
    expect((await rp.app.inject({ url: '/sign' })).headers.location).toBe('/');
    expect(fake.sent).toHaveLength(1);
  });
});
