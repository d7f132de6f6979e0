/**
 * Tests of §4 tokens (rp-protocol.md): exact header, payload opacity, the §4.4 double-hash DER
 * signature, RP-side verification failures (another key, another alg, truncated or re-encoded
 * signature, malformed tokens, expired signer) and server-side opening (expiry, kind, tampering).
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenClaimsInput } from './claims';
import { TokenError } from './errors';
import type { IssuedCertificate } from './pki';
import { createRootCa, issueSignerCertificate } from './pki';
import { generatePayloadKey } from './token-payload';
import { openToken, signToken, verifyToken } from './tokens';

let signer: IssuedCertificate;
const payloadKey = generatePayloadKey();
const user: TokenClaimsInput = {
  type: 'USER',
  client_id: 'client-1',
  domain: 'localhost:3002',
  camdigikey_id: 'cdk-42',
};

beforeAll(() => {
  signer = issueSignerCertificate(createRootCa());
});

function tokenError(run: () => unknown): TokenError {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenError) return error;
    throw error;
  }
  throw new Error('expected a TokenError');
}

const b64url = (value: string) => Buffer.from(value).toString('base64url');

describe('token format', () => {
  it('has the exact §4.2 header, an opaque payload and a DER P-521 signature', () => {
    const { token, jwtId, claims } = signToken(user, {
      signerKey: signer.privateKey,
      payloadKey,
      lifetimeMs: 60_000,
    });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(Buffer.from(header, 'base64url').toString()).toBe(
      `{"alg":"SHA512withECDSA","typ":"JWT","jwtId":"${jwtId}"}`,
    );
    expect(jwtId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(header).not.toMatch(/[=+/_-]/);
    expect(Buffer.from(payload, 'base64').toString('latin1')).not.toContain('cdk-42');
    expect(payload).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    const der = Buffer.from(signature, 'base64');
    expect(der[0]).toBe(0x30);
    expect(der.length).toBeGreaterThanOrEqual(130);
    expect(der.length).toBeLessThanOrEqual(139);
    expect(claims).toMatchObject({ ...user, jti: jwtId, iss: 'CamDX-CamDigiKey' });
    expect(claims.exp - claims.iat).toBe(60_000);
  });

  it('signs SHA-512 of SHA-512(header.payload) (§4.4 double hash)', () => {
    const { token } = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 1000 });
    const [h, p, s] = token.split('.') as [string, string, string];
    const d = createHash('sha512').update(`${h}.${p}`).digest();
    const der = Buffer.from(s, 'base64');
    expect(verify('sha512', d, signer.certificate.publicKey, der)).toBe(true);
    expect(verify('sha512', Buffer.from(`${h}.${p}`), signer.certificate.publicKey, der)).toBe(false);
  });

  it('refuses a non-P-521 key and a non-positive lifetime', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => signToken(user, { signerKey: p256, payloadKey, lifetimeMs: 1000 })).toThrow(TypeError);
    expect(() => signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('verifyToken (what an RP computes)', () => {
  it('accepts a good token, also URL-encoded and in the standard alphabet', () => {
    const { token, jwtId } = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 1000 });
    expect(verifyToken(token, signer.pem).jwtId).toBe(jwtId);
    expect(verifyToken(encodeURIComponent(token), signer.certificate).token).toBe(token);
    const [h, p, s] = token.split('.') as [string, string, string];
    const standard = Buffer.from(s, 'base64').toString('base64');
    expect(verifyToken(`${h}.${p}.${standard}`, signer.certificate).jwtId).toBe(jwtId);
    expect(verifyToken(token, createPublicKey(signer.privateKey)).jwtId).toBe(jwtId);
  });

  it('rejects a token signed by another key (code 101)', () => {
    const other = issueSignerCertificate(createRootCa());
    const { token } = signToken(user, { signerKey: other.privateKey, payloadKey, lifetimeMs: 1000 });
    const error = tokenError(() => verifyToken(token, signer.certificate));
    expect([error.code, error.reason]).toEqual([101, 'bad_signature']);
  });

  it('rejects a validly signed header with another alg, and a swapped header', () => {
    const header = b64url(JSON.stringify({ alg: 'ES512', typ: 'JWT', jwtId: 'x' }));
    const d = createHash('sha512').update(`${header}.AAAA`).digest();
    const sig = sign('sha512', d, signer.privateKey).toString('base64url');
    expect(tokenError(() => verifyToken(`${header}.AAAA.${sig}`, signer.certificate)).reason).toBe(
      'bad_header',
    );
    const { token } = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 1000 });
    const [, p, s] = token.split('.');
    const swapped = `${b64url('{"alg":"none","typ":"JWT","jwtId":"x"}')}.${p}.${s}`;
    expect(tokenError(() => verifyToken(swapped, signer.certificate)).reason).toBe('bad_signature');
  });

  it('rejects a truncated signature, and a flipped payload bit', () => {
    const { token } = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 1000 });
    const [h, p, s] = token.split('.') as [string, string, string];
    const der = Buffer.from(s, 'base64');
    for (const cut of [der.subarray(0, der.length - 1), der.subarray(0, 70), Buffer.alloc(0)]) {
      expect(
        tokenError(() => verifyToken(`${h}.${p}.${cut.toString('base64') || 'A'}`, signer.certificate))
          .reason,
      ).toBe('bad_signature');
    }
    const payload = Buffer.from(p, 'base64url');
    payload[10] = (payload[10] ?? 0) ^ 1;
    expect(
      tokenError(() => verifyToken(`${h}.${payload.toString('base64url')}.${s}`, signer.certificate)).code,
    ).toBe(101);
  });

  it('rejects tokens that are not strings or not three parts (§4.4 step 1)', () => {
    expect(tokenError(() => verifyToken(42, signer.certificate)).message).toBe('invalid.token.type');
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a..c', '%E0%A4%A.b.c']) {
      const error = tokenError(() => verifyToken(bad, signer.certificate));
      expect([error.code, error.reason, error.message.split(' ')[0]]).toEqual([
        101,
        'bad_format',
        'invalid.token.format',
      ]);
    }
  });

  it('rejects a signer certificate outside its validity period (§4.3: validTo in the future)', () => {
    const { token } = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 1000 });
    const later = Date.parse(signer.certificate.validTo) + 1000;
    const error = tokenError(() => verifyToken(token, signer.certificate, { now: later }));
    expect([error.code, error.reason]).toEqual([100, 'signer_certificate']);
  });

  it('does not see token expiry: from v2 on that is the status endpoint’s job (§4.2, §4.4 step 4)', () => {
    const { token } = signToken(user, {
      signerKey: signer.privateKey,
      payloadKey,
      lifetimeMs: 1000,
      now: Date.now() - 60_000,
    });
    expect(verifyToken(token, signer.certificate).header.alg).toBe('SHA512withECDSA');
  });
});

describe('openToken (server side)', () => {
  it('returns the claims of a valid token', () => {
    const { token, claims } = signToken(user, {
      signerKey: signer.privateKey,
      payloadKey,
      lifetimeMs: 60_000,
    });
    expect(
      openToken(token, { signer: signer.certificate, payloadKey, expectedTypes: ['USER'] }).claims,
    ).toEqual(claims);
  });

  it('rejects an expired token (103) and one not yet valid', () => {
    const now = Date.now();
    const { token } = signToken(user, {
      signerKey: signer.privateKey,
      payloadKey,
      lifetimeMs: 1000,
      now: now - 5000,
    });
    expect(tokenError(() => openToken(token, { signer: signer.certificate, payloadKey })).code).toBe(103);
    const future = signToken(user, {
      signerKey: signer.privateKey,
      payloadKey,
      lifetimeMs: 1000,
      now: now + 60_000,
    });
    expect(
      tokenError(() => openToken(future.token, { signer: signer.certificate, payloadKey, now })).reason,
    ).toBe('not_yet_valid');
  });

  it('rejects another kind (106), and another payload key (105)', () => {
    const org: TokenClaimsInput = { type: 'ORGANIZATION', client_id: 'c', domain: 'd' };
    const { token } = signToken(org, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 60_000 });
    expect(
      tokenError(() => openToken(token, { signer: signer.certificate, payloadKey, expectedTypes: ['USER'] }))
        .code,
    ).toBe(106);
    expect(
      tokenError(() => openToken(token, { signer: signer.certificate, payloadKey: generatePayloadKey() }))
        .code,
    ).toBe(105);
  });

  it('rejects a payload moved under another header even when re-signed', () => {
    const a = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 60_000 });
    const b = signToken(user, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 60_000 });
    const [hb] = b.token.split('.') as [string];
    const [, pa] = a.token.split('.') as [string, string];
    const d = createHash('sha512').update(`${hb}.${pa}`).digest();
    const moved = `${hb}.${pa}.${sign('sha512', d, signer.privateKey).toString('base64url')}`;
    expect(tokenError(() => openToken(moved, { signer: signer.certificate, payloadKey })).code).toBe(105);
  });

  it('keeps Khmer claims', () => {
    const login: TokenClaimsInput = {
      type: 'LOGIN',
      client_id: 'c',
      domain: 'd',
      callback_vars: { name: 'សុខ ចាន់ដារ៉ា' },
    };
    const { token } = signToken(login, { signerKey: signer.privateKey, payloadKey, lifetimeMs: 60_000 });
    const opened = openToken(token, { signer: signer.certificate, payloadKey, expectedTypes: ['LOGIN'] });
    expect(opened.claims.type === 'LOGIN' && opened.claims.callback_vars?.name).toBe('សុខ ចាន់ដារ៉ា');
  });
});
