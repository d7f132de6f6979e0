/**
 * The provider's session cookie is SameSite=None (a relying party's cross-site POST to /oidc/auth
 * or /oidc/session/end must carry it) and gets Secure over HTTPS. Over plain HTTP (development and
 * tests) browsers drop a SameSite=None cookie without Secure, so there it stays Lax.
 */
export function laxUnlessSecure(cookie: string): string {
  const attributes = cookie.split(';').map((a) => a.trim().toLowerCase());
  if (attributes.includes('secure') || !attributes.includes('samesite=none')) return cookie;
  return cookie.replace(/;\s*samesite=none/i, '; samesite=lax');
}
