/**
 * Serves the single-page apps built with Vite: the officer console (apps/console/dist) at
 * /console/ and the citizen app, a progressive web app (apps/wallet/dist), at /app/.
 *
 * Files are read once and kept in memory; hashed assets are cached for a year, everything else
 * (index.html, the service worker, the web manifest, icons) is revalidated on every load, so a new
 * release reaches phones at once. Any other path under the prefix answers index.html (the app
 * routes in the browser), except a missing file with an extension, which is a 404 (a stale asset
 * must not come back as HTML). Only files inside dist can be served: the path is resolved and
 * checked against the directory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const COMMON_CSP = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const CONSOLE_CSP = `default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; ${COMMON_CSP}`;

/**
 * The citizen app: WebAssembly compilation for the QR and MRZ readers (`'wasm-unsafe-eval'`, not
 * `'unsafe-eval'`), the service worker and readers' workers from the app itself, camera previews
 * and recordings as blob: media, and the device API on the same origin only.
 */
export const WALLET_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "media-src 'self' blob:; connect-src 'self'; img-src 'self' data: blob:; " +
  `style-src 'self' 'unsafe-inline'; font-src 'self'; manifest-src 'self'; ${COMMON_CSP}`;

export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));
export const WALLET_DIST = fileURLToPath(new URL('../../../wallet/dist', import.meta.url));

export interface SpaStaticOptions {
  /** The URL prefix without a trailing slash, e.g. `/app`. */
  prefix: string;
  /** The Vite build folder (holding index.html). */
  dist: string;
  /** The Content-Security-Policy of every answer. */
  csp: string;
  /** The workspace to build when dist is missing (named in the 503 answer). */
  workspace: string;
  /** More headers for every answer (e.g. a Permissions-Policy). */
  headers?: Record<string, string>;
}

/** Text files worth compressing (fonts and images are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.wasm']);

/**
 * The encoding to answer with: Brotli or gzip when the browser takes it (a 3G phone downloads the
 * app's JavaScript at a third of its size), else none.
 */
export function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = (acceptEncoding ?? '').split(',').map((e) => e.trim().split(';')[0]);
  return accepted.includes('br') ? 'br' : accepted.includes('gzip') ? 'gzip' : undefined;
}

/** Whether a path names a file; a name the file system refuses (a NUL, too long) names none. */
function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

export function spaStatic(app: FastifyInstance, options: SpaStaticOptions): void {
  const root = resolve(options.dist);
  const prefix = options.prefix.replace(/\/+$/, '');
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(file);
      cache.set(file, body);
    }
    return body;
  };
  // Each file compressed once, on first request (it never changes); Brotli at quality 6, which is
  // fast enough not to hold the first answer up and within a few per cent of its best size.
  const compressed = new Map<string, Buffer>();
  const encoded = (file: string, encoding: 'br' | 'gzip') => {
    const key = `${encoding}:${file}`;
    let body = compressed.get(key);
    if (!body) {
      const raw = read(file);
      body =
        encoding === 'br'
          ? brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } })
          : gzipSync(raw, { level: 9 });
      compressed.set(key, body);
    }
    return body;
  };
  app.get(prefix, async (_request, reply) => reply.redirect(`${prefix}/`));
  app.get(`${prefix}/*`, async (request, reply) => {
    reply.header('content-security-policy', options.csp);
    reply.header('x-frame-options', 'DENY');
    for (const [name, value] of Object.entries(options.headers ?? {})) reply.header(name, value);
    const index = join(root, 'index.html');
    if (!cache.has(index) && !existsSync(index)) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`This app is not built: run \`npm run build -w ${options.workspace}\`.`);
    }
    let wanted: string;
    try {
      wanted = decodeURIComponent((request.params as { '*': string })['*'] ?? '');
    } catch {
      wanted = '';
    }
    const file = resolve(root, wanted);
    // A file read once is known to exist: no disk access for it again.
    const inside = file.startsWith(root + sep) && (cache.has(file) || isFile(file));
    const lastSegment = wanted.split('/').pop() ?? '';
    if (!inside && extname(lastSegment) !== '') {
      return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
    }
    const target = inside ? file : index;
    reply.header(
      'cache-control',
      target !== index && wanted.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    reply.type(TYPES[extname(target)] ?? 'application/octet-stream');
    const encoding = COMPRESSIBLE.has(extname(target))
      ? encodingFor(request.headers['accept-encoding'])
      : undefined;
    reply.header('vary', 'accept-encoding');
    if (!encoding) return reply.send(read(target));
    return reply.header('content-encoding', encoding).send(encoded(target, encoding));
  });
}

export function consoleStatic(app: FastifyInstance, dist = CONSOLE_DIST): void {
  spaStatic(app, { prefix: '/console', dist, csp: CONSOLE_CSP, workspace: '@camdigikey/console' });
}

/** The citizen app at /app/ (service worker scope /app/). */
export function walletStatic(app: FastifyInstance, dist = WALLET_DIST): void {
  spaStatic(app, {
    prefix: '/app',
    dist,
    csp: WALLET_CSP,
    workspace: '@camdigikey/wallet',
    headers: { 'permissions-policy': 'camera=(self), microphone=(), geolocation=(), payment=()' },
  });
}
