/**
 * One QR login as a browser and a phone do it: the browser opens the relying party's
 * authorization URL and lands on our login page, reads the animated QR from its event stream,
 * the test device scans it, picks the number the page shows and approves with the PIN (or Face
 * ID); the browser completes, consents, and ends at the relying party's redirect URI.
 */
import { expect } from 'vitest';
import { TestBrowser } from './browser';
import type { ActiveCitizen } from './citizens';
import type { TestServer } from './server';

export const LOGIN = '/api/device/v1/login';

export async function openLoginPage(server: TestServer, browser: TestBrowser, authorizationUrl: string) {
  const { response, url } = await browser.follow(authorizationUrl, server.url);
  const html = await response.text();
  const uid = /data-uid="([^"]+)"/.exec(html)?.[1];
  const requestId = /data-request="([^"]+)"/.exec(html)?.[1];
  return { html, url, uid, requestId, status: response.status };
}

export async function scanAndApprove(
  server: TestServer,
  browser: TestBrowser,
  who: ActiveCitizen,
  page: { uid?: string | undefined; requestId?: string | undefined },
  options: { method?: 'pin' | 'face_id'; pin?: string } = {},
) {
  const events = await browser.events(`${server.url}/login/${page.uid}/events?request=${page.requestId}`);
  try {
    const qr = await events.next<{ payload: string; svg: string }>('qr');
    expect(qr.svg).toContain('<svg');
    const scan = await who.device.call<{
      requestId: string;
      choices: string[];
      relyingParty: { name: string; domain: string };
    }>('POST', `${LOGIN}/scan`, { qr: qr.payload });
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    const claimed = await events.next<{ state: string; matchCode: string }>(
      'status',
      (s) => s.state === 'claimed',
    );
    expect(scan.body.choices).toContain(claimed.matchCode);
    let approval: Record<string, unknown> = {
      matchCode: claimed.matchCode,
      pin: options.pin ?? who.citizen.pin,
    };
    if (options.method === 'face_id') {
      const opts = await who.device.call<{ publicKey: never }>(
        'POST',
        `${LOGIN}/${scan.body.requestId}/face-id/options`,
        {},
      );
      const assertion = await who.authenticator!.getAssertion(opts.body.publicKey, server.url);
      approval = { matchCode: claimed.matchCode, assertion };
    }
    const approved = await who.device.call('POST', `${LOGIN}/${scan.body.requestId}/approve`, approval);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await events.next('status', (s: { state: string }) => s.state === 'approved');
    return scan.body;
  } finally {
    events.close();
  }
}

/** Complete an approved login and consent; returns the relying party's callback URL. */
export async function completeAndConsent(
  server: TestServer,
  browser: TestBrowser,
  page: { uid?: string | undefined; requestId?: string | undefined },
) {
  let step = await browser.follow(
    `${server.url}/login/${page.uid}/complete?request=${page.requestId}`,
    server.url,
  );
  if (!step.url.startsWith(server.url)) return step.url;
  const html = await step.response.text();
  const consentUid = /action="\/login\/([^/"]+)\/consent"/.exec(html)?.[1];
  expect(consentUid, html.slice(0, 500)).toBeTruthy();
  const allowed = await browser.form(`${server.url}/login/${consentUid}/consent`, { decision: 'allow' });
  if (!allowed.headers.get('location'))
    throw new Error(`consent answered ${allowed.status}: ${(await allowed.text()).slice(0, 600)}`);
  step = await browser.follow(new URL(allowed.headers.get('location')!, server.url).toString(), server.url);
  return step.url;
}

/**
 * The relying party's callback after a login page: an approved QR login is completed and consented,
 * a page that already shows the consent (single sign-on, no new login) is allowed.
 */
export async function callbackAfterLoginPage(
  server: TestServer,
  browser: TestBrowser,
  page: { uid?: string | undefined; requestId?: string | undefined; html: string },
): Promise<string> {
  if (page.requestId) return completeAndConsent(server, browser, page);
  const consentUid = /action="\/login\/([^/"]+)\/consent"/.exec(page.html)?.[1];
  const allowed = await browser.form(`${server.url}/login/${consentUid}/consent`, { decision: 'allow' });
  const location = allowed.headers.get('location');
  if (!location) throw new Error(`consent answered ${allowed.status}`);
  return (await browser.follow(new URL(location, server.url).toString(), server.url)).url;
}

/**
 * A whole QR login to a relying party (authorization code + PKCE, fixed state and nonce), returning
 * the callback URL with the code. `browser` carries the SSO session between logins.
 */
export async function qrLoginCallback(
  server: TestServer,
  citizen: ActiveCitizen,
  clientId: string,
  options: { scope?: string; browser?: TestBrowser; method?: 'pin' | 'face_id' } = {},
) {
  const url = new URL(`${server.url}/oidc/auth`);
  for (const [k, v] of Object.entries({
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1:9999/callback',
    response_type: 'code',
    scope: options.scope ?? 'openid profile',
    state: 'st',
    nonce: 'nn',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const browser = options.browser ?? new TestBrowser();
  const page = await openLoginPage(server, browser, url.toString());
  await scanAndApprove(server, browser, citizen, page, options.method ? { method: options.method } : {});
  return completeAndConsent(server, browser, page);
}
