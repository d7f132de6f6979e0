/**
 * Server-rendered pages of the demo portal: one frame (inline style, no scripts, no external
 * assets, a strict Content-Security-Policy that allows exactly that style by hash), the home page
 * (logged out: the CamDigiKey button; logged in: the citizen's Khmer and Latin names) and an error
 * page. Every text comes from the km/en dictionary; all dynamic values are HTML-escaped.
 */
import { createHash } from 'node:crypto';
import { type Bilingual, type Lang, type MessageKey, otherLang, tr } from './i18n';

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const t = (lang: Lang, key: MessageKey, params?: Record<string, string>) => escapeHtml(tr(lang, key, params));

const STYLE = `
@font-face{font-family:"Kantumruy Pro";font-weight:400;font-display:swap;src:url("/assets/kantumruy-pro-khmer-400.woff2") format("woff2");unicode-range:U+1780-17FF,U+19E0-19FF,U+200C-200D,U+25CC}
@font-face{font-family:"Kantumruy Pro";font-weight:600 700;font-display:swap;src:url("/assets/kantumruy-pro-khmer-600.woff2") format("woff2");unicode-range:U+1780-17FF,U+19E0-19FF,U+200C-200D,U+25CC}
body{margin:0;font-family:"Kantumruy Pro","Noto Sans Khmer","Khmer OS","Khmer OS System","Leelawadee UI",system-ui,sans-serif;background:#f4f1ea;color:#1d2433;line-height:1.6}
header.top{background:#0b3d91;color:#fff;padding:16px 24px;display:flex;justify-content:space-between;align-items:center;gap:16px}
header.top .emblem{font-weight:700;font-size:20px}
header.top a{color:#fff}
main{max-width:720px;margin:32px auto;background:#fff;border-radius:12px;padding:32px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:26px;margin-top:0}
.button{display:inline-block;background:#c8102e;color:#fff;text-decoration:none;padding:14px 24px;border-radius:8px;font-size:18px;font-weight:600}
.button.secondary{background:#0b3d91}
.hint{color:#5a6270}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:8px 24px}
dt{color:#5a6270}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
code{overflow-wrap:anywhere;word-break:break-all}
.name-km{font-size:28px}
.error{color:#b00020;font-weight:600}
.code{font-size:34px;font-weight:700;letter-spacing:6px}
.state{padding:12px 16px;border-radius:8px;background:#eef2fa;font-weight:600}
.state[data-state=signed]{background:#e6f4ea;color:#1e6b34}
.state[data-state=declined],.state[data-state=expired],.state[data-state=failed]{background:#fdecee;color:#b00020}
form.inline{display:inline}
button.button{border:0;cursor:pointer;font-family:inherit}
footer{text-align:center;color:#5a6270;font-size:14px;margin-bottom:32px}
`;

/** The Content-Security-Policy of every page: the one inline style above and the portal's own Khmer font. */
export const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; font-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

function frame(
  lang: Lang,
  siteName: Bilingual,
  title: string,
  body: string,
  options: { refreshSeconds?: number } = {},
): string {
  const other = otherLang(lang);
  // No scripts under the CSP: a page that waits for something reloads itself.
  const refresh = options.refreshSeconds
    ? `\n<meta http-equiv="refresh" content="${options.refreshSeconds}">`
    : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top"><span class="emblem" id="site-name">${escapeHtml(siteName[lang])}</span><a id="switch-lang" href="/?lang=${other}" hreflang="${other}" lang="${other}">${t(lang, 'site.language')}</a></header>
<main>
${body}
</main>
<footer>${t(lang, 'site.footer')}</footer>
</body>
</html>`;
}

const ACR_TEXT: Record<string, MessageKey> = {
  'urn:camdigikey:acr:qr-pin': 'acr.qr_pin',
  'urn:camdigikey:acr:qr-faceid': 'acr.qr_face_id',
  'urn:camdigikey:acr:sso': 'acr.sso',
  'urn:camdigikey:client-api': 'acr.client_api',
  'urn:camdigikey:app-to-app': 'acr.app_to_app',
};

const acrLabel = (lang: Lang, acr: string | undefined) => {
  const key = acr ? ACR_TEXT[acr] : undefined;
  return key ? tr(lang, key) : acr;
};

const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';

/**
 * A date as Cambodians write it, day/month/year, in Khmer digits on the Khmer page (issue 16,
 * item 11: the CamDigiKey app does the same); anything that is not an ISO date is shown as it came.
 */
export function shownDate(lang: Lang, value: string): string {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const text = iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : value;
  return lang === 'km' ? text.replace(/[0-9]/g, (d) => KHMER_DIGITS[Number(d)]!) : text;
}

/** What the portal knows about the logged-in citizen (from the ID token and userinfo). */
export interface Citizen {
  sub: string;
  nameKm?: string | undefined;
  nameLatin?: string | undefined;
  birthdate?: string | undefined;
  acr?: string | undefined;
}

export function homePage(
  lang: Lang,
  siteName: Bilingual,
  citizen: Citizen | undefined,
  options: { clientApi?: boolean; canSign?: boolean } = {},
): string {
  if (!citizen) {
    const classic = options.clientApi
      ? `<p><a class="button secondary" id="login-classic" href="/login/classic">${t(lang, 'home.login_classic')}</a></p>
<p><a id="app-demo" href="/app">${t(lang, 'home.app_demo')}</a></p>`
      : '';
    return frame(
      lang,
      siteName,
      siteName[lang],
      `<h1>${escapeHtml(siteName[lang])}</h1>
<p>${t(lang, 'home.intro')}</p>
<p><a class="button" id="login" href="/login">${t(lang, 'home.login')}</a></p>
${classic}
<p class="hint">${t(lang, 'home.login_hint')}</p>`,
    );
  }
  const value = (v: string | undefined) => escapeHtml(v ?? tr(lang, 'home.unknown'));
  return frame(
    lang,
    siteName,
    siteName[lang],
    `<h1>${t(lang, 'home.welcome')}</h1>
<p>${t(lang, 'home.logged_in')}</p>
<dl id="citizen">
<dt>${t(lang, 'home.name_km')}</dt><dd class="name-km" id="name-km" lang="km">${value(citizen.nameKm)}</dd>
<dt>${t(lang, 'home.name_latin')}</dt><dd id="name-latin" lang="en">${value(citizen.nameLatin)}</dd>
<dt>${t(lang, 'home.birthdate')}</dt><dd id="birthdate">${value(citizen.birthdate && shownDate(lang, citizen.birthdate))}</dd>
<dt>${t(lang, 'home.method')}</dt><dd id="acr">${value(acrLabel(lang, citizen.acr))}</dd>
<dt>${t(lang, 'home.subject')}</dt><dd id="sub"><code>${escapeHtml(citizen.sub)}</code></dd>
</dl>
${options.canSign ? `<p><a class="button" id="sign-loan" href="/sign">${t(lang, 'home.sign_loan')}</a></p>\n` : ''}<p><a class="button secondary" id="logout" href="/logout">${t(lang, 'home.logout')}</a></p>`,
  );
}

/**
 * The demo "mobile app" page (rp-protocol.md §6.3 played in a browser): the deep link a real app
 * would open, and the login token it carries. The CamDigiKey app returns to
 * `<app id>://camdigikey_login_callback?authToken=…`; this page's `/app/callback` stands for it.
 */
export function appPage(lang: Lang, siteName: Bilingual, loginToken: string, platformUrl: string): string {
  const deepLink = `camdigikey://login?token=${encodeURIComponent(loginToken)}`;
  // The same link for the installed web app (a PWA cannot claim the camdigikey: scheme).
  const webLink = `${platformUrl}/app/login?token=${encodeURIComponent(loginToken)}`;
  return frame(
    lang,
    siteName,
    tr(lang, 'app.title'),
    `<h1>${t(lang, 'app.title')}</h1>
<p>${t(lang, 'app.intro')}</p>
<p><a class="button" id="open-app" href="${escapeHtml(deepLink)}">${t(lang, 'app.open')}</a></p>
<p><a class="button secondary" id="open-web-app" href="${escapeHtml(webLink)}">${t(lang, 'app.open_web')}</a></p>
<dl><dt>${t(lang, 'app.token')}</dt><dd><code id="login-token">${escapeHtml(loginToken)}</code></dd></dl>
<p class="hint">${t(lang, 'app.waiting')}</p>`,
  );
}

const ERROR_TEXT: Record<string, MessageKey> = {
  access_denied: 'error.access_denied',
  login_required: 'error.login_required',
  consent_required: 'error.login_required',
  interaction_required: 'error.login_required',
  session: 'error.session',
  invalid_response: 'error.session',
  invalid_grant: 'error.session',
  not_found: 'error.not_found',
};

/** An error page: a sentence for the known codes, the code itself, and ways back. */
export function errorPage(lang: Lang, siteName: Bilingual, code: string): string {
  const key = ERROR_TEXT[code] ?? 'error.generic';
  return frame(
    lang,
    siteName,
    tr(lang, 'error.title'),
    `<h1>${t(lang, 'error.title')}</h1>
<p class="error" id="error-message">${t(lang, key)}</p>
<p class="hint" id="error-code">${t(lang, 'error.code', { code })}</p>
<p><a class="button" id="retry" href="/login">${t(lang, 'error.retry')}</a> <a id="home" href="/">${t(lang, 'error.back')}</a></p>`,
  );
}

/** The loan the demo bank offers to every logged-in citizen (issue 17's "demo bank"). */
export interface LoanOffer {
  borrower: string;
  amountUsd: number;
  months: number;
  ratePercentPerMonth: number;
}

export type SignState = 'pending' | 'signed' | 'declined' | 'expired' | 'failed';

/** One signature request as the bank's page shows it. */
export interface SigningView {
  id: string;
  contractNumber: string;
  fileName: string;
  verificationCode: string;
  state: SignState;
  /** The signer's name from their certificate, once signed and checked. */
  signer?: string | undefined;
  /** The last status call failed (the page keeps the last known state and tries again). */
  unreachable?: boolean | undefined;
}

const money = (amount: number) => amount.toLocaleString('en-US');

function offerTerms(lang: Lang, offer: LoanOffer): string {
  return `<dl id="loan-terms">
<dt>${t(lang, 'sign.borrower')}</dt><dd id="loan-borrower">${escapeHtml(offer.borrower)}</dd>
<dt>${t(lang, 'sign.amount')}</dt><dd id="loan-amount">${t(lang, 'sign.amount_value', { amount: money(offer.amountUsd) })}</dd>
<dt>${t(lang, 'sign.term')}</dt><dd>${t(lang, 'sign.term_value', { months: String(offer.months) })}</dd>
<dt>${t(lang, 'sign.rate')}</dt><dd>${t(lang, 'sign.rate_value', { rate: String(offer.ratePercentPerMonth) })}</dd>
</dl>`;
}

/**
 * The loan offer: its terms and one button that asks CamDigiKey for the citizen's signature (a
 * POST, so a link or a prefetch never starts a request). Without a client-API login there is no
 * access token to ask with: the page says how to get one.
 */
export function signOfferPage(lang: Lang, siteName: Bilingual, offer: LoanOffer, canSign: boolean): string {
  const action = canSign
    ? `<form class="inline" method="post" action="/sign"><button class="button" id="sign-request" type="submit">${t(lang, 'sign.request')}</button></form>
<p class="hint">${t(lang, 'sign.request_hint')}</p>`
    : `<p class="error" id="sign-needs-login">${t(lang, 'sign.needs_client_api')}</p>
<p><a class="button secondary" id="login-classic" href="/login/classic">${t(lang, 'home.login_classic')}</a></p>`;
  return frame(
    lang,
    siteName,
    tr(lang, 'sign.title'),
    `<h1>${t(lang, 'sign.title')}</h1>
<p>${t(lang, 'sign.intro')}</p>
${offerTerms(lang, offer)}
${action}
<p><a id="home" href="/">${t(lang, 'error.back')}</a></p>`,
  );
}

/**
 * A signature request: the contract, the verification code the citizen compares with the app,
 * and its state; it reloads itself while it waits. Once signed (and checked by the bank), the
 * signed PDF can be downloaded.
 */
export function signStatusPage(lang: Lang, siteName: Bilingual, signing: SigningView): string {
  const id = encodeURIComponent(signing.id);
  const signed =
    signing.state === 'signed'
      ? `<p><a class="button" id="download" href="/sign/${id}/pdf" download="${escapeHtml(signing.fileName)}">${t(lang, 'sign.download')}</a></p>`
      : '';
  return frame(
    lang,
    siteName,
    tr(lang, 'sign.contract_title', { number: signing.contractNumber }),
    `<h1>${t(lang, 'sign.contract_title', { number: signing.contractNumber })}</h1>
<dl>
<dt>${t(lang, 'sign.contract')}</dt><dd id="contract-number">${escapeHtml(signing.contractNumber)}</dd>
<dt>${t(lang, 'sign.file')}</dt><dd id="file-name">${escapeHtml(signing.fileName)}</dd>
<dt>${t(lang, 'sign.code')}</dt><dd class="code" id="verification-code">${escapeHtml(signing.verificationCode)}</dd>
${signing.state === 'signed' ? `<dt>${t(lang, 'sign.signer')}</dt><dd id="signer">${escapeHtml(signing.signer ?? '')}</dd>\n` : ''}</dl>
${signing.state === 'pending' ? `<p class="hint">${t(lang, 'sign.code_hint')}</p>\n` : ''}<p class="state" id="sign-state" data-state="${signing.state}" role="status">${t(lang, `sign.state.${signing.state}`)}</p>
${signing.unreachable ? `<p class="error" id="sign-unreachable">${t(lang, 'sign.unreachable')}</p>\n` : ''}${signed}
<p><a id="sign-again" href="/sign">${t(lang, 'sign.again')}</a> · <a id="home" href="/">${t(lang, 'error.back')}</a></p>`,
    signing.state === 'pending' ? { refreshSeconds: 2 } : {},
  );
}

/** The signature request could not start (CamDigiKey refused it, or the login has ended). */
export function signErrorPage(lang: Lang, siteName: Bilingual, code: string): string {
  const key: MessageKey = code === '118' ? 'sign.error.refused' : 'sign.error.generic';
  return frame(
    lang,
    siteName,
    tr(lang, 'sign.error.title'),
    `<h1>${t(lang, 'sign.error.title')}</h1>
<p class="error" id="error-message">${t(lang, key)}</p>
<p class="hint" id="error-code">${t(lang, 'error.code', { code })}</p>
<p><a class="button" id="retry" href="/sign">${t(lang, 'sign.again')}</a> <a id="home" href="/">${t(lang, 'error.back')}</a></p>`,
  );
}
