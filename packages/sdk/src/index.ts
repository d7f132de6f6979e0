/**
 * `@camdigikey/client`: the CamDigiKey relying-party SDK.
 *  - {@link CamDigiKeyClient}: the CamDigiKey client API (v3 paths) with the official library's
 *    function names and environment variables, and full certificate-chain validation.
 *  - {@link CamDigiKeyOidc}: the OpenID Connect way (authorization code + PKCE) on openid-client.
 */
export * from './client';
export * from './errors';
export * from './oidc';
export * from './signing';
