/**
 * The development outbox page (never in production): every SMS the fake gateway "sent" and
 * every e-mail the local SMTP sink received, newest first, in Khmer and English.
 */
import { format } from '@camdigikey/messages';
import type { FastifyInstance } from 'fastify';
import type { Outbox, OutboxMessage } from '../ports/outbox';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const both = (id: Parameters<typeof format>[0]) =>
  `${escapeHtml(format(id, 'km'))} · ${escapeHtml(format(id, 'en'))}`;

function section(title: string, messages: OutboxMessage[]): string {
  if (messages.length === 0) return `<h2>${title}</h2><p>${both('dev.outbox.empty')}</p>`;
  const rows = messages
    .slice()
    .reverse()
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.at)}</td><td>${escapeHtml(m.to)}</td><td>${m.subject ? `<b>${escapeHtml(m.subject)}</b><br>` : ''}${escapeHtml(m.text)}</td></tr>`,
    )
    .join('');
  return `<h2>${title}</h2><table><thead><tr><th>time</th><th>to</th><th>message</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function outboxRoutes(app: FastifyInstance, outbox: Outbox): void {
  app.get('/dev/outbox.json', async () => ({ messages: outbox.list() }));
  app.get('/dev/outbox', async (_request, reply) => {
    const html = `<!doctype html><html lang="km"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${both('dev.outbox.title')}</title>
<style>body{font-family:system-ui,'Noto Sans Khmer',sans-serif;margin:2rem;line-height:1.6}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}th{background:#f3f3f3}</style></head>
<body><h1>${both('dev.outbox.title')}</h1>${section(both('dev.outbox.sms'), outbox.list('sms'))}${section(both('dev.outbox.email'), outbox.list('email'))}</body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
