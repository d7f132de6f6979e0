import { describe, expect, it } from 'vitest';
import { isAuthorizationRequest } from './ip-limits';

describe('isAuthorizationRequest', () => {
  it('matches the authorization endpoint however it is spelt, never the return from a login', () => {
    for (const url of ['/oidc/auth', '/oidc/auth?client_id=x', '/oidc/AUTH/', '/oidc/auth//?a=b'])
      expect(isAuthorizationRequest(url), url).toBe(true);
    for (const url of ['/oidc/auth/abc123', '/oidc/token', '/oidc/authx', '/login/auth', '/oidc'])
      expect(isAuthorizationRequest(url), url).toBe(false);
  });
});
