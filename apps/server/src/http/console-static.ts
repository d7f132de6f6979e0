/**
 * Serves the officer console (apps/console, a Vite build in apps/console/dist) at /console/.
 * Files are read once and kept in memory; hashed assets are cached for a year, index.html never.
 * Any other path under /console/ answers index.html (the console routes in the browser). Only
 * files inside dist can be served: the path is resolved and checked against the directory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

export function consoleStatic(app: FastifyInstance, dist = CONSOLE_DIST): void {
  const root = resolve(dist);
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(file);
      cache.set(file, body);
    }
    return body;
  };
  app.get('/console', async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/*', async (request, reply) => {
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build -w @camdigikey/console`.');
    }
    const wanted = decodeURIComponent((request.params as { '*': string })['*'] ?? '');
    const file = resolve(root, wanted);
    const inside =
      file.startsWith(root + sep) && statSync(file, { throwIfNoEntry: false })?.isFile() === true;
    const target = inside ? file : index;
    reply.header('content-security-policy', CSP);
    reply.header('x-frame-options', 'DENY');
    reply.header(
      'cache-control',
      target !== index && wanted.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return reply.type(TYPES[extname(target)] ?? 'application/octet-stream').send(read(target));
  });
}
