/**
 * Tests of the platform PKI and of full chain verification (rp-protocol.md §2.2, §4.3, §10):
 * honest chains verify; a foreign intermediate, an expired or not-yet-valid certificate, a leaf
 * signed by another CA, a rogue signer next to the genuine root (accepted by the official Node
 * library!), a look-alike root, a non-CA issuer and a broken path length all fail.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyChain, verifySignerChainBody } from './chain';
import { ChainError } from './errors';
import type { CertificateAuthority } from './pki';
import {
  chainOf,
  clientIdOfCertificate,
  createRootCa,
  createSubordinateCa,
  issueClientCertificate,
  issueServerCertificate,
  issueSignerCertificate,
  signerChainBody,
} from './pki';

const root = createRootCa();
const sub = createSubordinateCa(root);
const signer = issueSignerCertificate(sub);
const client = issueClientCertificate(sub, {
  clientId: 'Zm9vYmFy+/=',
  organisation: 'ធនាគារ ABC',
  domain: 'localhost:3002',
});
const DAY = 24 * 3600 * 1000;

function chainError(run: () => unknown): ChainError {
  try {
    run();
  } catch (error) {
    if (error instanceof ChainError) return error;
    throw error;
  }
  throw new Error('expected a ChainError');
}

describe('issuance', () => {
  it('builds the §4.3 chain signer first, root last, and the §4.3 body', () => {
    expect(chainOf(signer)).toEqual([signer.pem, sub.pem, root.pem]);
    expect(signerChainBody(signer)).toEqual({ data: [signer.pem, sub.pem, root.pem] });
    expect(signer.certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
    expect(signer.certificate.ca).toBe(false);
    expect(sub.certificate.ca && root.certificate.ca).toBe(true);
  });

  it('binds a client certificate to its client id and organisation (Khmer kept)', () => {
    expect(clientIdOfCertificate(client.certificate)).toBe('Zm9vYmFy+/=');
    expect(clientIdOfCertificate(client.pem)).toBe('Zm9vYmFy+/=');
    expect(client.certificate.subject).toContain('O=ធនាគារ ABC');
    expect(client.certificate.subjectAltName).toContain('URI:urn:camdigikey:domain:localhost:3002');
    expect(client.certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(clientIdOfCertificate(signer.certificate)).toBeUndefined();
  });

  it('does not let a child outlive its issuer by default', () => {
    const shortRoot = createRootCa({ notAfter: new Date(Date.now() + 30 * DAY) });
    const leaf = issueSignerCertificate(shortRoot);
    expect(Date.parse(leaf.certificate.validTo)).toBe(Date.parse(shortRoot.certificate.validTo));
  });
});

describe('verifyChain: honest chains', () => {
  it('verifies signer, client and server chains with and without a sub-CA', () => {
    expect(verifyChain(chainOf(signer), root.pem, { purpose: 'tokenSigning' }).leaf.raw).toEqual(
      signer.certificate.raw,
    );
    expect(
      verifyChain(chainOf(client), root.certificate, { purpose: 'clientAuth' }).certificates,
    ).toHaveLength(3);
    const direct = issueSignerCertificate(root);
    expect(verifyChain(direct.chain, root.pem).certificates).toHaveLength(2);
    const server = issueServerCertificate(sub, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    expect(verifyChain(server.chain, root.pem, { purpose: 'serverAuth' }).leaf.checkIP('127.0.0.1')).toBe(
      '127.0.0.1',
    );
  });

  it('reads the §4.3 body and returns the signer', () => {
    expect(verifySignerChainBody(signerChainBody(signer), root.pem).raw).toEqual(signer.certificate.raw);
    expect(chainError(() => verifySignerChainBody({ data: 'x' }, root.pem)).code).toBe(100);
    expect(chainError(() => verifySignerChainBody([signer.pem, root.pem], root.pem)).code).toBe(100);
  });
});

describe('verifyChain: every link is checked', () => {
  const foreignRoot = createRootCa();
  const foreignSub = createSubordinateCa(foreignRoot);

  it('rejects a foreign intermediate in front of the genuine root', () => {
    const leaf = issueSignerCertificate(foreignSub);
    const error = chainError(() => verifyChain([leaf.pem, foreignSub.pem, root.pem], root.pem));
    expect([error.code, error.index]).toEqual([100, 1]);
  });

  it('rejects a foreign intermediate that copies the genuine sub-CA name under a look-alike root', () => {
    const lookalikeRoot = createRootCa(); // same default DN as `root`, another key
    const lookalikeSub = createSubordinateCa(lookalikeRoot); // same DN as `sub`
    const leaf = issueSignerCertificate(lookalikeSub);
    expect(chainError(() => verifyChain([leaf.pem, lookalikeSub.pem, root.pem], root.pem)).index).toBe(1);
    expect(chainError(() => verifyChain([leaf.pem, sub.pem, root.pem], root.pem)).index).toBe(0);
    expect(chainError(() => verifyChain(leaf.chain, root.pem)).index).toBe(2);
  });

  it('rejects a leaf signed by another CA (and a rogue signer next to the genuine root, §10)', () => {
    const rogue = issueSignerCertificate(foreignRoot);
    expect(chainError(() => verifyChain([rogue.pem, sub.pem, root.pem], root.pem)).index).toBe(0);
    expect(chainError(() => verifyChain([rogue.pem, root.pem], root.pem)).index).toBe(0);
    expect(chainError(() => verifySignerChainBody({ data: [rogue.pem, root.pem] }, root.pem)).code).toBe(100);
  });

  it('rejects an expired or not-yet-valid certificate anywhere in the chain', () => {
    const past = { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) };
    const expiredSub = createSubordinateCa(root, past);
    const leaf = issueSignerCertificate(expiredSub, { notAfter: new Date(Date.now() + DAY) });
    expect(chainError(() => verifyChain(leaf.chain, root.pem)).index).toBe(1);
    const expiredLeaf = issueSignerCertificate(sub, past);
    expect(chainError(() => verifyChain(expiredLeaf.chain, root.pem)).message).toContain('validity');
    const future = issueSignerCertificate(sub, { notBefore: new Date(Date.now() + DAY) });
    expect(chainError(() => verifyChain(future.chain, root.pem)).index).toBe(0);
    expect(verifyChain(future.chain, root.pem, { now: Date.now() + 2 * DAY }).leaf).toBeInstanceOf(
      X509Certificate,
    );
    const expiredRoot = createRootCa(past);
    const underExpired = issueSignerCertificate(expiredRoot, { notAfter: new Date(Date.now() + DAY) });
    expect(chainError(() => verifyChain(underExpired.chain, expiredRoot.pem)).index).toBe(1);
  });

  it('rejects an issuer that is not a CA, and a broken path length', () => {
    const fakeCa = { ...signer, isCa: true } as CertificateAuthority;
    const leaf = issueSignerCertificate(fakeCa);
    expect(chainError(() => verifyChain(leaf.chain, root.pem)).message).toContain('not a CA');
    const deeper = createSubordinateCa(sub); // sub has pathLength 0
    const deepLeaf = issueSignerCertificate(deeper);
    expect(chainError(() => verifyChain(deepLeaf.chain, root.pem)).message).toContain('path length');
  });

  it('rejects chains that are incomplete, reordered, duplicated or not for the purpose', () => {
    expect(chainError(() => verifyChain([signer.pem, sub.pem], root.pem)).message).toContain('trusted root');
    expect(chainError(() => verifyChain([root.pem], root.pem)).code).toBe(100);
    expect(() => verifyChain([sub.pem, signer.pem, root.pem], root.pem)).toThrow(ChainError);
    expect(() => verifyChain([signer.pem, sub.pem, sub.pem, root.pem], root.pem)).toThrow('twice');
    expect(() => verifyChain([signer.pem + sub.pem, root.pem], root.pem)).toThrow('exactly one');
    expect(() => verifyChain(['junk', root.pem], root.pem)).toThrow('exactly one');
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => verifyChain([broken, root.pem], root.pem)).toThrow('not a certificate');
    expect(() => verifyChain(client.chain, root.pem, { purpose: 'serverAuth' })).toThrow('serverAuth');
    expect(() => verifyChain(chainOf(sub), root.pem)).toThrow('the leaf is a CA');
  });
});
