/**
 * The pages of a web login: the animated QR (and "open in the app" on a phone), the single
 * sign-on confirmation with the data to be released (consent), errors, and logout.
 */
import { lineIconSvg } from '@camdigikey/brand';
import { isMessageId, type Language, type MessageId } from '@camdigikey/messages';
import { escapeHtml, page, t } from './html';

export interface RpView {
  name: string;
  /** The organisation (its Khmer name in Khmer when registered). */
  organisation?: string | null;
  domain: string | null;
  logoUrl: string | null;
}

const rpHeader = (lang: Language, rp: RpView) => `
<section class="rp">
${rp.logoUrl ? `<img class="logo" src="${escapeHtml(rp.logoUrl)}" alt="" width="56" height="56">` : ''}
<h1>${t(lang, 'login.requested_by', { rp: rp.name })}</h1>
${rp.organisation ? `<p class="org">${escapeHtml(rp.organisation)}</p>` : ''}
${rp.domain ? `<p class="domain">${lineIconSvg('lock', 18)}<span>${escapeHtml(rp.domain)}</span></p>` : ''}
</section>`;

export function qrPage(input: {
  lang: Language;
  uid: string;
  requestId: string;
  rp: RpView;
  qrSvg?: string;
}) {
  const { lang, uid, requestId, rp } = input;
  const body = `${rpHeader(lang, rp)}
<section class="qr" aria-live="polite">
<div id="qr" class="qr-box" role="img" aria-label="${t(lang, 'login.scan')}">${input.qrSvg ?? ''}</div>
<p id="instructions">${t(lang, 'login.scan')}</p>
<p><a id="open-app" class="button secondary phone-only" href="#">${t(lang, 'login.open_app')}</a></p>
<div id="scanned" hidden><p>${t(lang, 'login.scanned')}</p><p id="match-code" class="match-code"></p></div>
<p id="approved" hidden>${t(lang, 'login.approved')}</p>
<p id="rejected" hidden class="error">${t(lang, 'login.rejected')}</p>
<div id="expired" hidden><p class="error">${t(lang, 'login.expired')}</p><p><a class="button" href="/login/${escapeHtml(uid)}?lang=${lang}">${t(lang, 'login.new_code')}</a></p></div>
</section>
<form method="post" action="/login/${escapeHtml(uid)}/abort"><button class="link" type="submit">${t(lang, 'login.cancel')}</button></form>`;
  return page(lang, t(lang, 'login.title'), body, { script: true, data: { uid, request: requestId } });
}

const CLAIM_MESSAGE: Record<string, MessageId> = {
  openid: 'claim.openid',
  profile: 'claim.profile',
  email: 'claim.email',
  phone: 'claim.phone',
  personal_code: 'claim.personal_code',
  face: 'claim.face',
  offline_access: 'claim.offline_access',
};

export function confirmPage(input: {
  lang: Language;
  uid: string;
  rp: RpView;
  name: string;
  scopes: string[];
}) {
  const { lang, uid, rp, name, scopes } = input;
  const items = scopes
    .map((s) => CLAIM_MESSAGE[s])
    .filter((id): id is MessageId => Boolean(id))
    .map((id) => `<li>${t(lang, id)}</li>`)
    .join('');
  const body = `${rpHeader(lang, rp)}
<section class="consent">
<p>${t(lang, 'login.consent_intro', { rp: rp.name })}</p>
<ul>${items}</ul>
<form method="post" action="/login/${escapeHtml(uid)}/consent">
<button class="button" type="submit" name="decision" value="allow">${t(lang, 'login.continue_as', { name })}</button>
<button class="button secondary" type="submit" name="decision" value="deny">${t(lang, 'login.decline')}</button>
</form>
<form method="post" action="/login/${escapeHtml(uid)}/switch"><button class="link" type="submit">${t(lang, 'login.use_another')}</button></form>
</section>`;
  return page(lang, t(lang, 'login.title'), body);
}

/**
 * A login that cannot go on: the platform's own message for its error code (Khmer or English),
 * else a plain sentence; the code itself stays in small print for support, never as the message.
 */
export function errorPage(lang: Language, error: string, description?: string) {
  const id = `error.${error}`;
  const text = isMessageId(id) ? t(lang, id) : t(lang, 'login.error_generic');
  return page(
    lang,
    t(lang, 'login.error_title'),
    `<h1>${t(lang, 'login.error_title')}</h1><p class="error">${text}</p>${description && !isMessageId(id) ? `<p class="detail">${escapeHtml(description)}</p>` : ''}<p class="code">${escapeHtml(error)}</p>`,
  );
}

export function logoutPage(lang: Language, form: string) {
  return page(
    lang,
    t(lang, 'login.title'),
    `<h1>${t(lang, 'login.logout_question')}</h1>${form}<button class="button" type="submit" form="op.logoutForm" name="logout" value="yes">${t(lang, 'login.logout_yes')}</button>`,
  );
}

export function postLogoutPage(lang: Language) {
  return page(lang, t(lang, 'login.title'), `<h1>${t(lang, 'login.logged_out')}</h1>`);
}

/** "This wasn't me": the confirmation behind a notice's link (a POST, so link previews change nothing). */
export function lockAccountPage(lang: Language, action: string) {
  return page(
    lang,
    t(lang, 'account.lock.title'),
    `<h1>${t(lang, 'account.lock.title')}</h1>
<p>${t(lang, 'account.lock.explain')}</p>
<form method="post" action="${escapeHtml(action)}?lang=${lang}">
<button class="button" type="submit">${t(lang, 'account.lock.confirm')}</button>
</form>`,
  );
}

export function accountLockedPage(lang: Language) {
  return page(
    lang,
    t(lang, 'account.lock.title'),
    `<h1>${t(lang, 'account.lock.done')}</h1><p>${t(lang, 'account.lock.next')}</p>`,
  );
}

export function lockLinkInvalidPage(lang: Language) {
  return page(
    lang,
    t(lang, 'account.lock.title'),
    `<h1>${t(lang, 'account.lock.title')}</h1><p class="error">${t(lang, 'account.lock.invalid')}</p>`,
  );
}
