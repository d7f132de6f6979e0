/**
 * Citizens' signatures (issue 17) at the PKI level: the citizen signing certificate profile, a
 * CMS signature made in two halves (signed attributes here, the signature by a key that stays
 * elsewhere, as on the phone), an RFC 3161 time-stamp over it (B-T), and a CRL. Everything is
 * checked twice: by this package and by OpenSSL (`cms -verify`, `ts -verify`, `verify -crl_check`).
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateInfo } from './cert-info';
import { verifyChain } from './chain';
import {
  assembleSignedData,
  ecdsaDerFromP1363,
  parseSignedData,
  serialHexOf,
  signatureTimeStampAttribute,
  signatureTimeStampOf,
  signedAttributes,
  verifySignerInfo,
  withUnsignedAttributes,
} from './cms';
import { buildCrl, verifyCrl } from './crl';
import { ChainError } from './errors';
import {
  CITIZEN_SIGNING_POLICY,
  clientIdOfCertificate,
  createRootCa,
  createSigningCa,
  issueCitizenCertificate,
  issueServerCertificate,
  issueTsaCertificate,
  TSA_POLICY,
} from './pki';
import {
  parseTimeStampRequest,
  timeStampRequest,
  timeStampResponse,
  timeStampToken,
  tokenOfResponse,
  verifyTimeStampToken,
} from './tsp';

const work = mkdtempSync(join(tmpdir(), 'cdk-signing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = (name: string, data: string | Uint8Array) => {
  const path = join(work, name);
  writeFileSync(path, data);
  return path;
};
const openssl = (...args: string[]) =>
  execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const now = new Date('2026-11-30T02:00:00Z');
const epoch = String(Math.floor(now.getTime() / 1000));
const root = createRootCa({ now });
const ca = createSigningCa(root, { now });
const tsa = issueTsaCertificate(ca, { now });
// The "phone": a P-256 key whose private half only signs here, like the app's WebCrypto key.
const phone = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const citizen = issueCitizenCertificate(ca, {
  publicKey: phone.publicKey.export({ format: 'jwk' }),
  camdigikeyId: '5b0c2f4e-8a51-4d7e-9a3c-0f4b1e2d3c4a',
  surname: 'SOK',
  givenName: 'DARA',
  validityDays: 30,
  now,
  crlUrl: 'http://localhost/pki/citizen-ca.crl',
  caIssuersUrl: 'http://localhost/pki/citizen-ca.crt',
});
const tsaIdentity = {
  certificate: tsa.certificate,
  privateKey: tsa.privateKey,
  issuers: [ca.certificate],
  policy: TSA_POLICY,
};

function signStatement(statement: Uint8Array) {
  const attributes = signedAttributes({
    contentDigest: createHash('sha256').update(statement).digest(),
    certificate: citizen.certificate,
    signingTime: now,
  });
  const p1363 = sign('sha256', attributes, { key: phone.privateKey, dsaEncoding: 'ieee-p1363' });
  return assembleSignedData({
    signedAttributes: attributes,
    signature: ecdsaDerFromP1363(p1363),
    certificates: [citizen.certificate, ca.certificate],
  });
}

describe('the citizen signing certificate', () => {
  it('certifies the phone key for signatures only, with the CamDigiKey ID and the CRL', () => {
    const info = certificateInfo(citizen.certificate);
    expect([...(info.keyUsage?.usages ?? [])].sort()).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(info.keyUsage?.critical).toBe(true);
    expect(info.extKeyUsage).toBeUndefined();
    expect(info.basicConstraints?.ca).toBe(false);
    expect(citizen.certificate.subject).toContain('serialNumber=5b0c2f4e-8a51-4d7e-9a3c-0f4b1e2d3c4a');
    expect(citizen.certificate.subject).toContain('CN=DARA SOK');
    expect(citizen.certificate.publicKey.equals(phone.publicKey)).toBe(true);
    const days = (Date.parse(citizen.certificate.validTo) - now.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    const text = openssl('x509', '-in', file('citizen.pem', citizen.pem), '-noout', '-text');
    expect(text).toContain('Digital Signature, Non Repudiation');
    expect(text).toContain('URI:http://localhost/pki/citizen-ca.crl');
    expect(text).toContain(`Policy: ${CITIZEN_SIGNING_POLICY}`);
    expect(
      verifyChain([citizen.pem, ca.pem, root.pem], root.pem, { now, purpose: 'documentSigning' }).leaf.raw,
    ).toEqual(citizen.certificate.raw);
  });

  it('binds no relying party and is no TSA; only P-256 device keys are certified', () => {
    // No extended key usage (NSS, which pdfsig uses, wants none or emailProtection for a signer);
    // a citizen certificate still cannot act as an RP: the client API binds RPs by their SAN URN.
    expect(clientIdOfCertificate(citizen.certificate)).toBeUndefined();
    expect(() =>
      verifyChain([citizen.pem, ca.pem, root.pem], root.pem, { now, purpose: 'timeStamping' }),
    ).toThrow(ChainError);
    const server = issueServerCertificate(ca, { dnsNames: ['example.kh'], now });
    expect(() =>
      verifyChain([server.pem, ca.pem, root.pem], root.pem, { now, purpose: 'documentSigning' }),
    ).toThrow(/not for signatures/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() =>
      issueCitizenCertificate(ca, {
        publicKey: other.publicKey,
        camdigikeyId: 'x',
        surname: 'A',
        givenName: 'B',
        validityDays: 1,
      }),
    ).toThrow(/P-256/);
  });
});

describe('a statement signature (CMS, signed on the phone)', () => {
  const statement = new TextEncoder().encode('{"text":{"en":"I agree to the loan of 1,000 USD."}}');
  const cms = signStatement(statement);

  it('verifies here, with the signing time and the signer', () => {
    const parsed = parseSignedData(cms);
    const verified = verifySignerInfo(parsed, { bytes: statement });
    expect(verified.signingTime?.toISOString()).toBe(now.toISOString());
    expect(serialHexOf(verified.signer)).toBe(serialHexOf(citizen.certificate));
  });

  it('verifies with OpenSSL against the platform root', () => {
    const out = execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        file('statement.p7s', cms),
        '-content',
        file('statement.json', statement),
        '-CAfile',
        file('root.pem', root.pem),
        '-purpose',
        'any',
        '-attime',
        epoch,
        '-out',
        join(work, 'out.json'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');
  });

  it('fails for other content, a changed signature or a foreign certificate', () => {
    const parsed = parseSignedData(cms);
    expect(() =>
      verifySignerInfo(parsed, { bytes: new TextEncoder().encode('{"text":{"en":"2,000"}}') }),
    ).toThrow(/message digest/);
    const bad = Buffer.from(parsed.signature);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    expect(() => verifySignerInfo({ ...parsed, signature: bad }, { bytes: statement })).toThrow(ChainError);
    const foreign = issueCitizenCertificate(ca, {
      publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      camdigikeyId: 'other',
      surname: 'X',
      givenName: 'Y',
      validityDays: 1,
      now,
    });
    expect(() => verifySignerInfo({ ...parsed, signer: foreign.certificate }, { bytes: statement })).toThrow(
      /signing-certificate-v2|bad signature/,
    );
  });
});

describe('the time-stamping authority (RFC 3161) and B-T', () => {
  const digest = createHash('sha256').update('what was signed').digest();

  it('answers a request with a token OpenSSL accepts, with the nonce and the policy', () => {
    const nonce = randomBytes(8);
    nonce[0] = (nonce[0] ?? 0) & 0x7f;
    const request = parseTimeStampRequest(timeStampRequest(digest, { nonce, certReq: true }));
    expect(request.certReq).toBe(true);
    const token = timeStampToken(tsaIdentity, request, now, randomBytes(16));
    const response = timeStampResponse({ token });
    expect(tokenOfResponse(response)).toEqual(token);
    const verified = verifyTimeStampToken(token, digest);
    expect(verified.time.toISOString()).toBe(now.toISOString());
    expect(verified.policy).toBe(TSA_POLICY);
    expect(() =>
      verifyChain([tsa.pem, ca.pem, root.pem], root.pem, { now, purpose: 'timeStamping' }),
    ).not.toThrow();
    const out = openssl(
      'ts',
      '-verify',
      '-in',
      file('ts.tsr', response),
      '-digest',
      digest.toString('hex'),
      '-CAfile',
      file('root.pem', root.pem),
      '-attime',
      epoch,
    );
    expect(out).toContain('Verification: OK');
    const text = openssl('ts', '-reply', '-in', join(work, 'ts.tsr'), '-text');
    expect(text).toContain(`Policy OID: ${TSA_POLICY}`);
    // OpenSSL prints the nonce as an INTEGER (its own padding of leading zeros): compare values.
    const printed = /Nonce: 0x([0-9A-F]+)/.exec(text)?.[1];
    expect(printed && BigInt(`0x${printed}`)).toBe(BigInt(`0x${nonce.toString('hex')}`));
  });

  it('refuses other hashes and other policies with the RFC failure bits', () => {
    const sha1 = Buffer.from(`3021300906052b0e03021a05000414${'00'.repeat(20)}`, 'hex');
    const request = Buffer.concat([
      Buffer.from([0x30, 3 + sha1.length]),
      Buffer.from([0x02, 0x01, 0x01]),
      sha1,
    ]);
    expect(() => parseTimeStampRequest(request)).toThrow(/SHA-256/);
    expect(() =>
      timeStampToken(tsaIdentity, { hashedMessage: digest, policy: '1.2.3' }, now, randomBytes(8)),
    ).toThrow(/policy/);
    const refused = timeStampResponse({ failure: 'badAlg', text: 'only SHA-256' });
    expect(() => tokenOfResponse(refused)).toThrow(/only SHA-256/);
    expect(openssl('ts', '-reply', '-in', file('refused.tsr', refused), '-text')).toContain(
      'unrecognized or unsupported',
    );
  });

  it('time-stamps the signature value of a CMS signature (B-T) and OpenSSL still verifies it', () => {
    const statement = new TextEncoder().encode('{"text":{"km":"ខ្ញុំយល់ព្រម"}}');
    const cms = signStatement(statement);
    const signature = parseSignedData(cms).signature;
    const token = timeStampToken(
      tsaIdentity,
      { hashedMessage: createHash('sha256').update(signature).digest() },
      new Date(now.getTime() + 2000),
      randomBytes(16),
    );
    const bt = withUnsignedAttributes(cms, [signatureTimeStampAttribute(token)]);
    const parsed = parseSignedData(bt);
    expect(parsed.signedAttributes).toEqual(parseSignedData(cms).signedAttributes);
    const stamped = signatureTimeStampOf(parsed);
    expect(stamped).toBeDefined();
    expect(
      verifyTimeStampToken(stamped!, createHash('sha256').update(parsed.signature).digest()).time.getTime(),
    ).toBe(now.getTime() + 2000);
    openssl(
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      file('bt.p7s', bt),
      '-content',
      file('bt.json', statement),
      '-CAfile',
      file('root.pem', root.pem),
      '-purpose',
      'any',
      '-attime',
      epoch,
      '-out',
      join(work, 'bt.out'),
    );
  });
});

describe('the citizen CA revocation list', () => {
  it('lists revoked certificates; OpenSSL then refuses them and accepts the others', () => {
    const other = issueCitizenCertificate(ca, {
      publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      camdigikeyId: 'still-good',
      surname: 'KEO',
      givenName: 'SOPHEA',
      validityDays: 30,
      now,
    });
    const crl = buildCrl({
      issuer: ca,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 3600_000),
      number: 7,
      revoked: [{ serial: serialHexOf(citizen.certificate), revokedAt: now, reason: 'cessationOfOperation' }],
    });
    const parsed = verifyCrl(crl, ca.certificate);
    expect([...parsed.revoked.keys()]).toEqual([serialHexOf(citizen.certificate)]);
    expect(() => verifyCrl(crl, root.certificate)).toThrow(/signature/);
    const crlPem = openssl('crl', '-inform', 'DER', '-in', file('ca.crl', crl));
    const chain = file('chain.pem', `${ca.pem}${root.pem}`);
    const check = (leaf: string) =>
      execFileSync(
        'openssl',
        [
          'verify',
          '-crl_check',
          '-CRLfile',
          file('ca.crl.pem', crlPem),
          '-CAfile',
          chain,
          '-attime',
          epoch,
          file('leaf.pem', leaf),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
    expect(() => check(citizen.pem)).toThrow(/certificate revoked/);
    expect(check(other.pem)).toContain('OK');
    expect(openssl('crl', '-in', join(work, 'ca.crl.pem'), '-noout', '-text')).toContain(
      'Cessation Of Operation',
    );
  });
});
