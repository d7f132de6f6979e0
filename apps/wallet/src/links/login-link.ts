/**
 * What a scanned QR code or an opened link asks the app to do:
 *
 *   CDK1.<id>.<t>.<mac>                      a website's login QR (login/login-requests.ts)
 *   camdigikey://login?qr=<payload>          the same, opened on the phone showing the website
 *   camdigikey://login?token=<loginToken>    app-to-app login (rp-protocol.md §6.3)
 *   web+camdigikey://login?…                 the same, through the browser's protocol handler
 *   https://<server>/app/login?token=… | ?qr=… | ?link=<one of the above>
 *
 * An installed app on Android maps the `camdigikey://` scheme to /app/login (an intent filter of
 * the packaged app); browsers allow registering only `web+` schemes, which the manifest declares.
 * Anything else is "not a CamDigiKey code".
 */
export type LoginLink = { kind: 'qr'; qr: string } | { kind: 'token'; token: string };

const QR = /^CDK1\.[A-Za-z0-9-]{8,64}\.\d{1,6}\.[A-Za-z0-9_-]{8,128}$/;

/**
 * The query of a link, percent-decoded but with "+" kept: login tokens are base64 and an app may
 * put one in the link unencoded (form decoding would turn its "+" into a space).
 */
export function linkQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of query.replace(/^\?/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      params.set(decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      // a malformed escape: ignore this parameter
    }
  }
  return params;
}

function fromParams(params: Map<string, string>, depth: number): LoginLink | undefined {
  const token = params.get('token') ?? params.get('loginToken');
  if (token && token.length >= 10 && token.length <= 4000) return { kind: 'token', token };
  const qr = params.get('qr');
  if (qr && QR.test(qr.trim())) return { kind: 'qr', qr: qr.trim() };
  const link = params.get('link');
  if (link && depth < 2) return parseLoginLink(link, depth + 1);
  return undefined;
}

export function parseLoginLink(input: string, depth = 0): LoginLink | undefined {
  const text = input.trim();
  if (QR.test(text)) return { kind: 'qr', qr: text };
  const custom = /^(?:web\+)?camdigikey:(?:\/\/)?login\/?\?(.*)$/i.exec(text);
  if (custom) return fromParams(linkQuery(custom[1] ?? ''), depth);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (!/^\/app\/login\/?$/.test(url.pathname)) return undefined;
  return fromParams(linkQuery(url.search), depth);
}

/** The platform the caller's app runs on, so the server picks its registered app id to return to. */
export function platformOf(userAgent: string): 'android' | 'ios' | undefined {
  if (/android/i.test(userAgent)) return 'android';
  if (/iphone|ipad|ipod/i.test(userAgent)) return 'ios';
  return undefined;
}
