import { describe, expect, it } from 'vitest';
import { laxUnlessSecure } from './oidc-cookies';

describe('laxUnlessSecure', () => {
  it('keeps a Secure SameSite=None cookie as it is', () => {
    const cookie = '_session=abc; path=/; samesite=none; secure; httponly';
    expect(laxUnlessSecure(cookie)).toBe(cookie);
  });

  it('makes a SameSite=None cookie without Secure (plain HTTP) Lax, which browsers keep', () => {
    expect(laxUnlessSecure('_session=abc; path=/; SameSite=None; httponly')).toBe(
      '_session=abc; path=/; samesite=lax; httponly',
    );
  });

  it('leaves other cookies alone', () => {
    const cookie = '_interaction=x; path=/oidc; samesite=lax; httponly';
    expect(laxUnlessSecure(cookie)).toBe(cookie);
  });
});
