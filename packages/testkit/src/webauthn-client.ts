// Browser-side WebAuthn checks and data of the soft authenticator: secure origins, RP ID, clientDataJSON.

/** Error shaped like the DOMException a browser raises (`name` is e.g. `NotAllowedError`). */
export class WebAuthnClientError extends Error {
  constructor(
    name: 'NotAllowedError' | 'InvalidStateError' | 'NotSupportedError' | 'SecurityError',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** Secure contexts per the W3C spec: https, or http on a loopback host (localhost, 127.0.0.0/8, ::1). */
export function isSecureOrigin(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return (
    url.protocol === 'http:' &&
    (host === 'localhost' ||
      host.endsWith('.localhost') ||
      /^127\.\d+\.\d+\.\d+$/.test(host) ||
      host === '[::1]')
  );
}

/**
 * The RP ID to use: `requested` (or the origin's host) when it equals the origin's host or is a parent
 * domain of it. Unlike browsers, an IP address is accepted as RP ID so tests can run on 127.0.0.1.
 */
export function rpIdFor(origin: string, requested: string | undefined): string {
  const url = new URL(origin);
  const secure = isSecureOrigin(url);
  if (!secure) throw new WebAuthnClientError('SecurityError', `${origin} is not a secure context`);
  const rpId = requested ?? url.hostname;
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    throw new WebAuthnClientError('SecurityError', `rpId ${rpId} is not a registrable suffix of ${origin}`);
  }
  return rpId;
}

/** The UTF-8 `clientDataJSON` a browser would build. */
export function clientData(
  type: 'webauthn.create' | 'webauthn.get',
  challenge: string,
  origin: string,
): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}
