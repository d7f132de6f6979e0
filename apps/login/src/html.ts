/**
 * The frame of every hosted login page: a small, fast, accessible HTML document in Khmer by
 * default (English on a switch), no third-party assets, the Khmer-capable system font stack,
 * large touch targets, and one static script for the live parts (no inline scripts, so a strict
 * Content-Security-Policy applies).
 */
import { format, type Language, type MessageId, type MessageParams } from '@camdigikey/messages';

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export const t = (lang: Language, id: MessageId, params?: MessageParams) =>
  escapeHtml(format(id, lang, params));

export const CSP =
  "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:";

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
<link rel="stylesheet" href="/login/assets/login.css">
${options.script ? '<script src="/login/assets/login.js" defer></script>' : ''}
</head>
<body${data}>
<main class="card">
<header><span class="brand">CamDigiKey</span><a class="lang" href="?lang=${other}" hreflang="${other}">${t(lang, 'login.language')}</a></header>
${body}
</main>
</body>
</html>`;
}
