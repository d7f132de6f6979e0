/**
 * The frame of every hosted login page: a small, fast, accessible HTML document in Khmer by
 * default (English on a switch), no third-party assets, the Khmer font served with the page
 * (assets.ts), large touch targets, and one static script for the live parts (no inline scripts,
 * so a strict Content-Security-Policy applies). It carries CamDigiKey's identity as the app and
 * the console do (the mark and its blue, @camdigikey/brand): citizens learn to recognise the
 * real login page by it, with a reminder that CamDigiKey never asks for the PIN on a website.
 */
import { lineIconSvg, markSvg } from '@camdigikey/brand';
import { format, type Language, type MessageId, type MessageParams } from '@camdigikey/messages';

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export const t = (lang: Language, id: MessageId, params?: MessageParams) =>
  escapeHtml(format(id, lang, params));

export const CSP =
  "default-src 'self'; img-src 'self' data: https:; style-src 'self'; font-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:";

export function page(
  lang: Language,
  title: string,
  body: string,
  options: { script?: boolean; data?: Record<string, string> } = {},
) {
  const other: Language = lang === 'km' ? 'en' : 'km';
  const data = Object.entries(options.data ?? {})
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="preload" href="/login/assets/kantumruy-pro-khmer-400.woff2" as="font" type="font/woff2" crossorigin>
<link rel="stylesheet" href="/login/assets/login.css">
${options.script ? '<script src="/login/assets/login.js" defer></script>' : ''}
</head>
<body${data}>
<header class="top">
<span class="brand">${markSvg(40)}<span class="brand-text"><span class="brand-name">CamDigiKey</span><span class="brand-tagline">${t(lang, 'login.tagline')}</span></span></span>
<a class="lang" href="?lang=${other}" hreflang="${other}" lang="${other}">${lineIconSvg('language', 20)}<span>${other === 'en' ? 'English' : 'ភាសាខ្មែរ'}</span></a>
</header>
<main class="card">
${body}
</main>
<footer class="trust">${lineIconSvg('shield', 22)}<p>${t(lang, 'login.trust')}</p></footer>
</body>
</html>`;
}
