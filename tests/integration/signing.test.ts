/**
 * Sign with CamDigiKey (issue 17) over HTTP against a real server: the citizen's signing
 * certificate (issued at activation, renewed for the same key before it runs out, revoked with the
 * device, listed in the CRL that the SDK and OpenSSL read), a signature
 * request over OpenID CIBA with `authorization_details` type `camdigikey_sign` and over the client
 * API (v3 envelope), the phone's side (prepare, the app's own check, sign with the device key,
 * approve with the PIN), what the relying party receives (verified offline with the SDK and with
 * OpenSSL), a PDF signed by two citizens in turn (PAdES B-T, verified by the SDK and by poppler's
 * pdfsig) and one signed B-T then B-B (an instance with SIGNING_TIMESTAMP=false), the platform TSA over HTTP, the history in "Me", declining and "this wasn't me".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CamDigiKeyClient,
  checkRevocation,
  embedPadesSignature,
  preparePdf,
  type SignatureResult,
  verifyPdfSignatures,
  verifySignature,
} from '@camdigikey/client';
import { SIGN_TEXT_MAX } from '@camdigikey/contracts/signing';
import {
  serialHexOf,
  timeStampRequest,
  tokenOfResponse,
  verifyChain,
  verifyTimeStampToken,
} from '@camdigikey/rp-protocol';
import { insertDevice } from '@camdigikey/server/accounts/create-account';
import { platformKeys } from '@camdigikey/server/client-api/platform-keys';
import { loanContractPdf } from '@camdigikey/testkit/loan-contract';
import { approveSignature, prepareSignature, signPrepared } from '@camdigikey/testkit/signing-walker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { issueClientApi, sdkFor } from '../support/client-api';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let dara: ActiveCitizen;
let sokha: ActiveCitizen;
let bank: { clientId: string; clientSecret: string };
let rootPem: string;
const work = mkdtempSync(join(tmpdir(), 'cdk-signing-it-'));

beforeAll(async () => {
  // pdfsig judges certificates by the machine's clock (it has no -attime): the platform issues
  // them from a clock that starts at the machine's time, as for the TLS listener's peers.
  server = await startTestServer({ start: new Date().toISOString() });
  dara = await activeCitizen(server, 1701);
  sokha = await activeCitizen(server, 1702);
  bank = await registerRelyingParty(server, {
    organisation: 'Demo Bank Plc.',
    appName: 'Demo Bank loans',
    domain: 'loans.demobank.example.kh',
    allowedScopes: ['openid', 'profile', 'ciba'],
    // CIBA names the citizen by the sub this bank received: here the account id.
    subjectType: 'public',
  });
  rootPem = (await platformKeys(server.deps)).root.pem;
}, 120_000);
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const basic = (c: { clientId: string; clientSecret: string }) =>
  `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64')}`;
const form = (path: string, fields: Record<string, string>) =>
  fetch(`${server.url}/oidc${path}`, {
    method: 'POST',
    headers: { authorization: basic(bank), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const cibaSign = (citizen: ActiveCitizen, detail: Record<string, unknown>, bindingMessage: string) =>
  form('/backchannel', {
    scope: 'openid',
    login_hint: citizen.accountId,
    binding_message: bindingMessage,
    authorization_details: JSON.stringify([{ type: 'camdigikey_sign', ...detail }]),
  });
const poll = (authReqId: string) =>
  form('/token', { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId });
const pending = async (citizen: ActiveCitizen) =>
  (
    await citizen.device.call<{
      requests: { id: string; verificationCode: string; statement: { text: object } }[];
    }>('GET', '/api/device/v1/signing/requests')
  ).body.requests;
const file = (name: string, data: string | Uint8Array) => {
  const path = join(work, name);
  writeFileSync(path, data);
  return path;
};

/** poppler's pdfsig report of a PDF, with an NSS database that trusts the platform root. */
function pdfsig(path: string): string {
  const nss = join(work, 'nss');
  if (!existsSync(nss)) {
    mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', [
      '-A',
      '-d',
      `sql:${nss}`,
      '-n',
      'CamDigiKey root',
      '-t',
      'C,C,C',
      '-i',
      file('root.pem', rootPem),
    ]);
  }
  // (poppler 22.12's `-no-ocsp` makes every chain "Unknown issue"; the certificates name no OCSP
  // responder, so without it nothing is fetched either)
  return execFileSync('pdfsig', ['-nssdir', `sql:${nss}`, path], { encoding: 'utf8' });
}

describe("the citizen's signing certificate", () => {
  it('is issued for the device key when the account becomes active, and chains to the platform root', async () => {
    const rows = await server.deps.db
      .selectFrom('citizen_certificates')
      .innerJoin('devices', 'devices.id', 'citizen_certificates.device_id')
      .select([
        'citizen_certificates.certificate_der',
        'devices.public_jwk',
        'citizen_certificates.not_after',
      ])
      .where('citizen_certificates.account_id', '=', dara.accountId)
      .execute();
    expect(rows).toHaveLength(1);
    const certificate = new X509Certificate(Buffer.from(rows[0]!.certificate_der));
    expect(certificate.subject).toContain(`serialNumber=${dara.accountId}`);
    expect(certificate.subject).toContain(`CN=${dara.citizen.latinGivenName.toUpperCase()}`);
    expect(certificate.publicKey.export({ format: 'jwk' })).toMatchObject({
      x: dara.device.publicJwk.x,
      y: dara.device.publicJwk.y,
    });
    const days = (rows[0]!.not_after.getTime() - server.clock.now().getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(server.deps.config.signing.certificateDays);
    const ca = new X509Certificate(
      Buffer.from(await (await fetch(`${server.url}/pki/citizen-ca.crt`)).arrayBuffer()),
    );
    expect(
      verifyChain([certificate, ca, rootPem], rootPem, {
        now: server.clock.now(),
        purpose: 'documentSigning',
      }).leaf.serialNumber,
    ).toBe(certificate.serialNumber);
  });
});

describe('signing text over OpenID CIBA (authorization_details camdigikey_sign)', () => {
  const text = {
    km: 'ខ្ញុំ​យល់ព្រម​ផ្ទេរ​ប្រាក់ **២០០ ដុល្លារ** ទៅ​គណនី 0123។',
    en: 'I agree to transfer **200 USD** to account 0123.',
  };

  it('shows the text and the code on the phone, signs with the PIN, and the bank verifies it offline and with OpenSSL', async () => {
    const started = await cibaSign(dara, { text, format: 'markdown' }, '4821');
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const authReqId = String(started.body.auth_req_id);
    expect((await poll(authReqId)).body.error).toBe('authorization_pending');

    // On the phone: a signature request (not a login approval) with the RP and the same code.
    const [request] = await pending(dara);
    expect(request).toMatchObject({ id: authReqId, verificationCode: '4821', statement: { text } });
    const approvals = await dara.device.call<{ approvals: unknown[] }>('GET', '/api/device/v1/approvals');
    expect(approvals.body.approvals).toEqual([]);
    expect(await pending(sokha)).toEqual([]);
    expect(
      (await sokha.device.call('POST', `/api/device/v1/signing/requests/${authReqId}/prepare`)).status,
    ).toBe(404);

    const approved = await approveSignature(dara.device, authReqId, dara.citizen.pin);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const tokens = await poll(authReqId);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const [detail] = tokens.body.authorization_details as { type: string; signature: SignatureResult }[];
    expect(detail?.type).toBe('camdigikey_sign');
    const verified = verifySignature(detail!.signature, {
      trustedRoot: rootPem,
      expected: { clientId: bank.clientId, text, verificationCode: '4821', id: authReqId },
    });
    expect(verified.signer.camdigikeyId).toBe(dara.accountId);
    expect(verified.statement.relyingParty).toEqual({
      clientId: bank.clientId,
      name: 'Demo Bank loans',
      domain: 'loans.demobank.example.kh',
    });
    expect(verified.signedAt.toISOString()).toBe(
      server.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, '.000Z'),
    );
    expect(verified.timestamp?.time.getTime()).toBeGreaterThanOrEqual(verified.signedAt.getTime());
    expect(() =>
      verifySignature(detail!.signature, {
        trustedRoot: rootPem,
        expected: { text: { en: 'I agree to 2,000 USD' } },
      }),
    ).toThrow(/another text/);

    const out = execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        file('text.p7s', Buffer.from(detail!.signature.signature!, 'base64')),
        '-content',
        file('text.json', Buffer.from(detail!.signature.statementBytes!, 'base64')),
        '-CAfile',
        file('root.pem', rootPem),
        '-purpose',
        'any',
        '-attime',
        String(Math.floor(server.clock.now().getTime() / 1000)),
        '-out',
        join(work, 'text.out'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');
    expect((await poll(authReqId)).body.error).toBe('invalid_grant');

    // "Me": the history shows what was signed, for whom.
    const history = await dara.device.call<{ signatures: Record<string, unknown>[] }>(
      'GET',
      '/api/device/v1/me/signatures',
    );
    expect(history.body.signatures[0]).toMatchObject({
      id: authReqId,
      state: 'signed',
      text,
      relyingParty: { name: 'Demo Bank loans', domain: 'loans.demobank.example.kh' },
    });
  });

  it('keeps the request pending after a wrong PIN, refuses a forged signature, and signs nothing twice', async () => {
    const started = await cibaSign(dara, { text: { en: 'Open a savings account.' } }, '1155');
    const id = String(started.body.auth_req_id);
    const prepared = await prepareSignature(dara.device, id);
    const signatures = await signPrepared(dara.device, prepared);
    const wrongPin = dara.citizen.pin === '135790' ? '135791' : '135790';
    const refused = await dara.device.call<{ error: { code: string } }>(
      'POST',
      `/api/device/v1/signing/requests/${id}/approve`,
      { pin: wrongPin, signatures },
    );
    expect([refused.status, refused.body.error.code]).toEqual([400, 'pin_invalid']);
    const forged = Buffer.from(signatures.statement, 'base64url');
    forged[10] = (forged[10] ?? 0) ^ 0xff;
    const bad = await dara.device.call<{ error: { code: string } }>(
      'POST',
      `/api/device/v1/signing/requests/${id}/approve`,
      { pin: dara.citizen.pin, signatures: { statement: forged.toString('base64url') } },
    );
    expect([bad.status, bad.body.error.code]).toEqual([400, 'signature_invalid']);
    // Face ID alone never signs: the body has no place for an assertion.
    const faceOnly = await dara.device.call('POST', `/api/device/v1/signing/requests/${id}/approve`, {
      assertion: { id: 'x' },
      signatures,
    });
    expect(faceOnly.status).toBe(400);
    expect((await poll(id)).body.error).toBe('authorization_pending');
    const ok = await dara.device.call('POST', `/api/device/v1/signing/requests/${id}/approve`, {
      pin: dara.citizen.pin,
      signatures,
    });
    expect(ok.status).toBe(200);
    const again = await dara.device.call<{ error: { code: string } }>(
      'POST',
      `/api/device/v1/signing/requests/${id}/approve`,
      { pin: dara.citizen.pin, signatures },
    );
    expect([again.status, again.body.error.code]).toEqual([410, 'signing_request_expired']);
  });

  it('tells the bank when the citizen declines, and "this wasn\'t me" blocks the bank for this citizen', async () => {
    const first = await cibaSign(sokha, { text: { en: 'Increase my card limit.' } }, '7001');
    const id = String(first.body.auth_req_id);
    expect((await sokha.device.call('POST', `/api/device/v1/signing/requests/${id}/reject`, {})).status).toBe(
      200,
    );
    expect((await poll(id)).body.error).toBe('access_denied');

    // A second later (the history is newest first; two requests in the same instant have no order).
    server.clock.advance(1000);
    const second = await cibaSign(sokha, { text: { en: 'Close my account.' } }, '7002');
    const notMe = await sokha.device.call<{ blocked: boolean }>(
      'POST',
      `/api/device/v1/signing/requests/${second.body.auth_req_id}/reject`,
      { notMe: true },
    );
    expect(notMe.body.blocked).toBe(true);
    const third = await cibaSign(sokha, { text: { en: 'Anything.' } }, '7003');
    expect([third.status, third.body.error]).toEqual([400, 'access_denied']);
    const history = await sokha.device.call<{ signatures: { state: string; notMe: boolean }[] }>(
      'GET',
      '/api/device/v1/me/signatures',
    );
    expect(history.body.signatures.map((s) => [s.state, s.notMe])).toEqual([
      ['declined', true],
      ['declined', false],
    ]);
  });

  it('refuses details that break the contract, and camdigikey_sign outside CIBA', async () => {
    for (const detail of [
      { text: { en: 'x'.repeat(SIGN_TEXT_MAX + 1) } },
      { text: { en: 'Pay 100\u202e0001' } },
      { text: {} },
      { text: { en: 'Sign' }, document: { name: 'a.pdf', sha256: 'nothex' } },
    ]) {
      const refused = await cibaSign(dara, detail, '1000');
      expect([refused.status, refused.body.error], JSON.stringify(detail)).toEqual([
        400,
        'invalid_authorization_details',
      ]);
    }
    const par = await form('/request', {
      response_type: 'code',
      client_id: bank.clientId,
      redirect_uri: 'http://127.0.0.1:9999/callback',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([{ type: 'camdigikey_sign', text: { en: 'Sign' } }]),
    });
    expect([par.status, par.body.error]).toEqual([400, 'invalid_authorization_details']);
  });
});

describe('signing a PDF over the client API, two citizens in turn (PAdES B-T)', () => {
  let sdk: CamDigiKeyClient;

  const userAccessToken = async (citizen: ActiveCitizen) => {
    const { data } = await sdk.getLoginToken();
    const approved = await citizen.device.call<{ authToken: string }>(
      'POST',
      '/api/device/v1/app-login/approve',
      {
        loginToken: data!.loginToken,
        pin: citizen.citizen.pin,
      },
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    return (await sdk.getUserAccessToken(approved.body.authToken)).data!.accessToken;
  };

  beforeAll(async () => {
    const rp = await registerRelyingParty(server, {
      organisation: 'Demo Bank Plc.',
      appName: 'Demo Bank app',
      domain: 'localhost:3002',
      iosBundleId: 'kh.demobank.app',
      allowedScopes: ['openid', 'profile'],
    });
    const issued = await issueClientApi(server, rp.clientId, {
      successCallbackUrl: 'http://localhost:3002/callback',
      errorCallbackUrl: 'http://localhost:3002/error',
    });
    sdk = sdkFor(server, issued);
  });

  it('gives the bank a PDF signed by both that the SDK and pdfsig validate', async () => {
    const contract = await loanContractPdf({
      borrower: 'Dara Sok and Sokha Keo',
      amountUsd: 5000,
      months: 24,
      ratePercent: 1.1,
      contractNumber: 'LN-2026-0042',
      date: server.clock.now(),
    });
    let pdf: Uint8Array = contract;
    for (const citizen of [dara, sokha]) {
      const prepared = await preparePdf(pdf, { signingTime: server.clock.now(), reason: 'Loan contract' });
      const accessToken = await userAccessToken(citizen);
      const { data: created } = await sdk.requestSignature(accessToken, {
        text: {
          en: 'I sign loan contract LN-2026-0042 for 5,000 USD.',
          km: 'ខ្ញុំចុះហត្ថលេខាលើកិច្ចសន្យាខ្ចីប្រាក់ LN-2026-0042។',
        },
        document: {
          name: 'loan-contract-LN-2026-0042.pdf',
          sha256: prepared.documentSha256,
          pades: { byteRangeSha256: prepared.byteRangeSha256 },
        },
      });
      expect(created!.verificationCode).toMatch(/^\d{4}$/);
      const [request] = await pending(citizen);
      expect(request).toMatchObject({
        id: created!.signRequestId,
        verificationCode: created!.verificationCode,
      });
      expect((await sdk.getSignatureStatus(created!.signRequestId)).data?.state).toBe('pending');
      const approved = await approveSignature(citizen.device, created!.signRequestId, citizen.citizen.pin);
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      const { data: result } = await sdk.getSignatureStatus(created!.signRequestId);
      const verified = verifySignature(result!, {
        trustedRoot: sdk.trustRoot,
        expected: { documentSha256: prepared.documentSha256 },
      });
      expect(verified.signer.camdigikeyId).toBe(citizen.accountId);
      pdf = await embedPadesSignature(prepared, String(result!.padesSignature));
    }

    const signatures = verifyPdfSignatures(pdf, { trustedRoot: rootPem });
    expect(signatures.map((s) => s.signer.camdigikeyId)).toEqual([dara.accountId, sokha.accountId]);
    expect(signatures.map((s) => s.coversWholeFile)).toEqual([false, true]);
    expect(signatures.every((s) => s.subFilter === 'ETSI.CAdES.detached' && s.timestamp)).toBe(true);
    // The first signature's bytes are untouched: the original contract is a prefix of the result.
    expect(Buffer.from(pdf).subarray(0, contract.length).equals(Buffer.from(contract))).toBe(true);
    const tampered = Buffer.from(pdf);
    const middle = Math.floor(contract.length / 2); // inside the contract both signatures cover
    tampered[middle] = (tampered[middle] ?? 0) ^ 1;
    expect(() => verifyPdfSignatures(tampered, { trustedRoot: rootPem })).toThrow(/digest/);

    const report = pdfsig(file('signed.pdf', pdf));
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(report).toContain(`Signer full Distinguished Name: `);
    expect(report).toContain(
      `${dara.citizen.latinGivenName.toUpperCase()} ${dara.citizen.latinSurname.toUpperCase()}`,
    );
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).not.toMatch(/Certificate Validation: (?!Certificate is Trusted)/);
  });

  it("answers 119 for another client's request, and 110 for a text that breaks the rules", async () => {
    const accessToken = await userAccessToken(dara);
    await expect(sdk.getSignatureStatus('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      errorCode: 119,
    });
    await expect(sdk.requestSignature(accessToken, { text: { en: 'Pay\u202e 100' } })).rejects.toMatchObject({
      errorCode: 110,
    });
  });
});

describe('PAdES B-B: an instance without the time-stamp, after a B-T signer', () => {
  let bb: TestServer;
  let vanna: ActiveCitizen;

  beforeAll(async () => {
    // Another instance on the same database (the same CA, relying parties and requests), set to
    // B-B; the citizen's phone talks to it (a device proof names the URL it was made for).
    bb = await startTestServer({ shareWith: server, env: { SIGNING_TIMESTAMP: 'false' } });
    vanna = await activeCitizen(bb, 1703);
  }, 120_000);
  afterAll(async () => bb?.close());

  const signPdf = async (citizen: ActiveCitizen, pdf: Uint8Array, code: string) => {
    const prepared = await preparePdf(pdf, { signingTime: server.clock.now(), reason: 'Guarantee' });
    const started = await cibaSign(
      citizen,
      {
        text: { en: 'I guarantee loan contract LN-2026-0043.' },
        document: {
          name: 'guarantee-LN-2026-0043.pdf',
          sha256: prepared.documentSha256,
          pades: { byteRangeSha256: prepared.byteRangeSha256 },
        },
      },
      code,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = String(started.body.auth_req_id);
    const approved = await approveSignature(citizen.device, id, citizen.citizen.pin);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const tokens = await poll(id);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const [detail] = tokens.body.authorization_details as { signature: SignatureResult }[];
    return { signature: detail!.signature, prepared };
  };

  it('gives a PDF signed B-T then B-B that the SDK, OpenSSL and pdfsig validate', async () => {
    const contract = await loanContractPdf({
      borrower: 'Dara Sok, guaranteed by Vanna',
      amountUsd: 3000,
      months: 12,
      ratePercent: 1.2,
      contractNumber: 'LN-2026-0043',
      date: server.clock.now(),
    });
    const first = await signPdf(dara, contract, '5101'); // on the B-T instance
    const afterFirst = await embedPadesSignature(first.prepared, String(first.signature.padesSignature));
    const second = await signPdf(vanna, afterFirst, '5102'); // on the B-B instance
    const pdf = await embedPadesSignature(second.prepared, String(second.signature.padesSignature));

    // The statement signature: no time-stamp, still verified offline and by OpenSSL.
    const verified = verifySignature(second.signature, {
      trustedRoot: rootPem,
      expected: { clientId: bank.clientId, documentSha256: second.prepared.documentSha256 },
    });
    expect(verified.signer.camdigikeyId).toBe(vanna.accountId);
    expect(verified.timestamp).toBeUndefined();
    const out = execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        file('bb.p7s', Buffer.from(second.signature.signature!, 'base64')),
        '-content',
        file('bb.json', Buffer.from(second.signature.statementBytes!, 'base64')),
        '-CAfile',
        file('root.pem', rootPem),
        '-purpose',
        'any',
        '-attime',
        String(Math.floor(server.clock.now().getTime() / 1000)),
        '-out',
        join(work, 'bb.out'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');

    const signatures = verifyPdfSignatures(pdf, { trustedRoot: rootPem });
    expect(signatures.map((s) => s.signer.camdigikeyId)).toEqual([dara.accountId, vanna.accountId]);
    // B-T, then B-B (no signature-time-stamp attribute)
    expect(signatures.map((s) => s.timestamp !== undefined)).toEqual([true, false]);
    expect(signatures.map((s) => s.subFilter)).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached']);

    const report = pdfsig(file('signed-bt-bb.pdf', pdf));
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(report.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(2);
    expect(report).toContain(`serialNumber=${vanna.accountId}`);
    expect(report).toContain('Total document signed');
  });
});

describe('revocation and the platform TSA', () => {
  it('issues a certificate for a second phone, and lists it in the CRL once that phone is signed out', async () => {
    const tablet = await server.device();
    const tabletId = randomUUID();
    await server.deps.db
      .transaction()
      .execute((trx) =>
        insertDevice(
          trx,
          dara.accountId,
          tabletId,
          { thumbprint: tablet.thumbprint, jwk: { ...tablet.publicJwk } },
          undefined,
          server.clock.now(),
        ),
      );
    // No certificate yet: the first signature request it opens issues one.
    const started = await cibaSign(dara, { text: { en: 'Sign on the tablet.' } }, '3003');
    const prepared = await prepareSignature(tablet, String(started.body.auth_req_id));
    const certificate = new X509Certificate(prepared.certificate);
    expect(certificate.publicKey.export({ format: 'jwk' })).toMatchObject({ x: tablet.publicJwk.x });
    const ca = new X509Certificate(
      Buffer.from(await (await fetch(`${server.url}/pki/citizen-ca.crt`)).arrayBuffer()),
    );
    const crl = async () =>
      new Uint8Array(await (await fetch(`${server.url}/pki/citizen-ca.crl`)).arrayBuffer());
    expect(checkRevocation(certificate, await crl(), ca)).toEqual({ revoked: false });
    // …and the same answers from OpenSSL, reading the served CRL (an independent implementation)
    const opensslVerify = async () => {
      const crlPem = execFileSync('openssl', ['crl', '-inform', 'DER', '-outform', 'PEM'], {
        input: await crl(),
      });
      const answer = spawnSync(
        'openssl',
        [
          'verify',
          '-crl_check',
          '-CAfile',
          file('root.pem', rootPem),
          '-untrusted',
          file('citizen-ca.pem', ca.toString()),
          '-CRLfile',
          file('citizen-ca.crl.pem', crlPem),
          '-attime',
          String(Math.floor(server.clock.now().getTime() / 1000)),
          file('tablet.pem', certificate.toString()),
        ],
        { encoding: 'utf8' },
      );
      return { status: answer.status, output: `${answer.stdout}${answer.stderr}` };
    };
    const good = await opensslVerify();
    expect(good, good.output).toMatchObject({ status: 0, output: expect.stringContaining(': OK') });

    const signedOut = await dara.device.call('DELETE', `/api/device/v1/me/devices/${tabletId}`, {
      pin: dara.citizen.pin,
    });
    expect(signedOut.status, JSON.stringify(signedOut.body)).toBe(200);
    const second = Math.floor(server.clock.now().getTime() / 1000) * 1000; // CRL dates are whole seconds
    expect(checkRevocation(certificate, await crl(), ca)).toEqual({ revoked: true, at: new Date(second) });
    const revoked = await opensslVerify();
    expect(revoked.status, revoked.output).not.toBe(0);
    expect(revoked.output).toContain('certificate revoked');
    // …and it can no longer sign what it had opened.
    const signatures = await signPrepared(tablet, prepared);
    const refused = await tablet.call('POST', `/api/device/v1/signing/requests/${prepared.id}/approve`, {
      pin: dara.citizen.pin,
      signatures,
    });
    expect(refused.status).toBe(401);
    await dara.device.call('POST', `/api/device/v1/signing/requests/${prepared.id}/reject`, {});
  });

  it('time-stamps a SHA-256 digest over HTTP (RFC 3161)', async () => {
    const digest = Buffer.alloc(32, 7);
    const answer = await fetch(`${server.url}/pki/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: timeStampRequest(digest, { certReq: true }),
    });
    expect(answer.headers.get('content-type')).toContain('application/timestamp-reply');
    const token = tokenOfResponse(new Uint8Array(await answer.arrayBuffer()));
    expect(verifyTimeStampToken(token, digest).time.getTime()).toBe(
      Math.floor(server.clock.now().getTime() / 1000) * 1000,
    );
    const wrongType = await fetch(`${server.url}/pki/tsa`, { method: 'POST', body: 'x' });
    expect(wrongType.status).toBe(415);
    const sha1 = await fetch(`${server.url}/pki/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: Buffer.from(`3024020101301f300706052b0e03021a0414${'00'.repeat(20)}`, 'hex'),
    });
    const rejected = new Uint8Array(await sha1.arrayBuffer());
    expect(() => tokenOfResponse(rejected)).toThrow(/SHA-256/);
    // 120 a minute per address: the 2 time-stamp requests above (the 415 never reached the TSA)
    // and 118 more pass, the next is refused (the test clock stands still: one window)
    const ask = () =>
      fetch(`${server.url}/pki/tsa`, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: timeStampRequest(digest),
      }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 119; i++) statuses.push(await ask());
    expect(statuses.slice(0, 118).every((s) => s === 200)).toBe(true);
    expect(statuses[118]).toBe(429);
  });
});

describe('renewal', () => {
  it('renews the certificate for the same key once fewer than the renewal days are left, and not before', async () => {
    const current = async () =>
      server.deps.db
        .selectFrom('citizen_certificates')
        .innerJoin('devices', 'devices.id', 'citizen_certificates.device_id')
        .select(['citizen_certificates.serial', 'citizen_certificates.not_after'])
        .where('citizen_certificates.account_id', '=', dara.accountId)
        .where('devices.status', '=', 'active')
        .orderBy('citizen_certificates.not_after', 'desc')
        .execute();
    const [issued, ...others] = await current();
    expect(others).toEqual([]);
    const renewAt = issued!.not_after.getTime() - server.deps.config.signing.renewDays * 86_400_000;
    const serialOf = (pem: string) => serialHexOf(new X509Certificate(pem));
    const open = async (code: string) => {
      const started = await cibaSign(dara, { text: { en: `Renewal check ${code}.` } }, code);
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      return prepareSignature(dara.device, String(started.body.auth_req_id));
    };

    // An hour before the renewal point: the same certificate.
    server.clock.set(new Date(renewAt - 3600_000));
    const before = await open('6001');
    expect(serialOf(before.certificate)).toBe(issued!.serial);
    await dara.device.call('POST', `/api/device/v1/signing/requests/${before.id}/reject`, {});

    // An hour after it: a new certificate for the same key, valid from about now, full length.
    server.clock.set(new Date(renewAt + 3600_000));
    const after = await open('6002');
    const renewed = new X509Certificate(after.certificate);
    expect(serialOf(after.certificate)).not.toBe(issued!.serial);
    expect(renewed.publicKey.export({ format: 'jwk' })).toMatchObject({
      x: dara.device.publicJwk.x,
      y: dara.device.publicJwk.y,
    });
    const now = Math.floor(server.clock.now().getTime() / 1000) * 1000;
    // issued now (back-dated a little for the verifiers' clock skew, never to before the renewal point)
    expect(new Date(renewed.validFrom).getTime()).toBeLessThanOrEqual(now);
    expect(new Date(renewed.validFrom).getTime()).toBeGreaterThan(renewAt);
    expect(Math.round((new Date(renewed.validTo).getTime() - now) / 86_400_000)).toBe(
      server.deps.config.signing.certificateDays,
    );
    expect((await current()).map((r) => r.serial)).toEqual([serialHexOf(renewed), issued!.serial]);

    // The citizen signs with it; renewal is not revocation: the old certificate is not listed.
    const approved = await approveSignature(dara.device, after.id, dara.citizen.pin);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const [detail] = (await poll(after.id)).body.authorization_details as { signature: SignatureResult }[];
    const verified = verifySignature(detail!.signature, { trustedRoot: rootPem });
    expect(verified.signer.certificate.serialNumber).toBe(renewed.serialNumber);
    const ca = new X509Certificate(
      Buffer.from(await (await fetch(`${server.url}/pki/citizen-ca.crt`)).arrayBuffer()),
    );
    const crl = new Uint8Array(await (await fetch(`${server.url}/pki/citizen-ca.crl`)).arrayBuffer());
    const old = new X509Certificate(
      Buffer.from(
        (
          await server.deps.db
            .selectFrom('citizen_certificates')
            .select('certificate_der')
            .where('serial', '=', issued!.serial)
            .executeTakeFirstOrThrow()
        ).certificate_der,
      ),
    );
    expect(checkRevocation(old, crl, ca)).toEqual({ revoked: false });
  });
});
