/**
 * Tests of the RP keystore and trust store (rp-protocol.md §2.1, §2.2, §10): both load in Node's
 * `tls.createSecureContext` / node-forge (the parser the official Node library bundles) with the
 * password and fail with a wrong one; aliases, chain order and the key match the dev files.
 */
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEY_ALIAS,
  DEFAULT_TRUSTED_ROOT_ALIAS,
  keystoreP12,
  p12FileNames,
  readPkcs12,
  truststoreP12,
} from './pkcs12';
import { createRootCa, createSubordinateCa, issueClientCertificate, issueSignerCertificate } from './pki';

const root = createRootCa();
const sub = createSubordinateCa(root);
const client = issueClientCertificate(sub, {
  clientId: 'client-1',
  organisation: 'Org',
  domain: 'localhost:3002',
});
const password = 'k3y-st0re pass!';
const keystore = keystoreP12(client.certificate, client.privateKey, client.chain, password);
const truststore = truststoreP12(root.pem, password);

describe('keystore', () => {
  it('loads in tls.createSecureContext with the password, and not with a wrong one', () => {
    expect(() => createSecureContext({ pfx: keystore, passphrase: password })).not.toThrow();
    expect(() => createSecureContext({ pfx: keystore, passphrase: 'wrong' })).toThrow();
    expect(() => createSecureContext({ pfx: keystore })).toThrow();
  });

  it('reads in node-forge: key entry camdigikey_tls_key, chain leaf, sub-CA, root', () => {
    const entries = readPkcs12(keystore, password);
    const certificates = entries.flatMap((entry) => (entry.certificate ? [entry.certificate] : []));
    expect(certificates.map((c) => c.raw)).toEqual([
      client.certificate.raw,
      sub.certificate.raw,
      root.certificate.raw,
    ]);
    const keyEntry = entries.find((entry) => entry.privateKey);
    expect(keyEntry?.friendlyName).toBe(DEFAULT_KEY_ALIAS);
    expect(keyEntry?.privateKey && client.certificate.checkPrivateKey(keyEntry.privateKey)).toBe(true);
    expect(entries[0]?.friendlyName).toBe(DEFAULT_KEY_ALIAS);
  });

  it('fails in node-forge with a wrong password (the MAC error the Node library shows, §10)', () => {
    expect(() => readPkcs12(keystore, 'wrong')).toThrow('PKCS#12 MAC could not be verified');
  });

  it('uses 3DES for the key, clear certificate bags and a SHA-1 MAC (Java 8 and OpenSSL 3 both read these)', () => {
    const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(keystore.toString('binary')), password);
    expect(pfx.safeContents.map((c) => c.encrypted)).toEqual([false, false]);
    const text = keystore.toString('binary');
    const oid = (dotted: string) => forge.asn1.oidToDer(dotted).getBytes();
    expect(text).toContain(oid('1.2.840.113549.1.12.1.3')); // pbeWithSHAAnd3-KeyTripleDES-CBC
    expect(text).toContain(oid('1.3.14.3.2.26')); // SHA-1 MAC
  });

  it('refuses a key that does not match, and unusable passwords', () => {
    const other = issueSignerCertificate(root);
    expect(() => keystoreP12(client.certificate, other.privateKey, client.chain, password)).toThrow(
      TypeError,
    );
    expect(() => keystoreP12(client.certificate, client.privateKey, client.chain, '')).toThrow(RangeError);
    expect(() => keystoreP12(client.certificate, client.privateKey, client.chain, 'ពាក្យសម្ងាត់')).toThrow(
      RangeError,
    );
  });

  it('honours another alias and skips a repeated leaf in the chain argument', () => {
    const renamed = keystoreP12(client.pem, client.privateKey, [sub.pem, root.pem], password, {
      alias: 'my_key',
    });
    const entries = readPkcs12(renamed, password);
    expect(entries.filter((e) => e.certificate)).toHaveLength(3);
    expect(entries.find((e) => e.privateKey)?.friendlyName).toBe('my_key');
  });
});

describe('trust store', () => {
  it('holds only the root, first bag, under alias camdx-rootca (§2.2)', () => {
    const entries = readPkcs12(truststore, password);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.friendlyName).toBe(DEFAULT_TRUSTED_ROOT_ALIAS);
    expect(entries[0]?.certificate?.raw).toEqual(root.certificate.raw);
  });

  it('fails with a wrong password', () => {
    expect(() => readPkcs12(truststore, 'wrong')).toThrow('PKCS#12 MAC could not be verified');
  });

  it('suggests the dev file names', () => {
    expect(p12FileNames('acme_dev')).toEqual({
      keystore: 'acme_dev_tls_client_keystore.p12',
      truststore: 'acme_dev_tls_client_truststore.p12',
    });
  });
});
