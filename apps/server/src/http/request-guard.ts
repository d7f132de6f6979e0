/**
 * The request guard: in front of every route (oidc-provider's included), a request whose strings
 * are not clean text is refused with 400 `request_malformed` before any handler, database or
 * provider sees it. Clean means: valid UTF-8 (so no lone surrogates), no NUL byte, percent-encoding
 * that decodes (`%` followed by two hex digits), well-formed cookies and Basic credentials, and no
 * header longer than MAX_HEADER_BYTES. Checked here: the path and query, every header value, the
 * cookies and Basic credentials decoded; raw-body.ts checks JSON and form bodies the same way, and
 * oidcBodyGuard the bodies oidc-provider parses itself.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import { errorBody } from './error-handler';

/** The longest single header value accepted (Node refuses all headers above 16 KiB itself). */
export const MAX_HEADER_BYTES = 8192;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isHex = (byte: number | undefined) =>
  byte !== undefined &&
  ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));

/** A JavaScript string that is clean text: no NUL, no lone surrogate. */
export function isCleanText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** Bytes that are valid UTF-8 without NUL, decoded; undefined when not. */
export function cleanUtf8(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return text.includes('\u0000') ? undefined : text;
}

/**
 * Strict percent-decoding of bytes (`+` as a space when `plus`): every `%` must start a two-digit
 * hex escape and the result must be clean UTF-8. Undefined when it is not.
 */
export function strictDecode(bytes: Uint8Array, plus = false): string | undefined {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x25) {
      if (!isHex(bytes[i + 1]) || !isHex(bytes[i + 2])) return undefined;
      out[n++] = Number.parseInt(String.fromCharCode(bytes[i + 1] as number, bytes[i + 2] as number), 16);
      i += 2;
    } else out[n++] = plus && b === 0x2b ? 0x20 : b;
  }
  return cleanUtf8(out.subarray(0, n));
}

/** Node gives header values and the URL as latin1 strings: these are their bytes. */
const bytesOf = (latin1: string) => Buffer.from(latin1, 'latin1');

/** `a=b&c=d` (a query or a form body) whose every name and value decodes cleanly. */
export function isCleanForm(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('latin1');
  if (text === '') return true;
  for (const pair of text.split('&')) {
    for (const part of pair.split('=')) if (strictDecode(bytesOf(part), true) === undefined) return false;
  }
  return true;
}

/** Why a request is refused, or undefined when it is clean. */
export function malformedPart(request: IncomingMessage): string | undefined {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (strictDecode(bytesOf(path)) === undefined) return 'path';
  if (q !== -1 && !isCleanForm(bytesOf(url.slice(q + 1)))) return 'query';
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const value = raw[i + 1] as string;
    if (value.length > MAX_HEADER_BYTES) return 'header_too_large';
    if (cleanUtf8(bytesOf(value)) === undefined) return 'header';
  }
  const authorization = request.headers.authorization;
  if (authorization && /^basic /i.test(authorization)) {
    const encoded = authorization.slice(6).trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return 'authorization';
    const decoded = cleanUtf8(Buffer.from(encoded, 'base64'));
    if (decoded === undefined || !decoded.includes(':')) return 'authorization';
    // client_secret_basic (RFC 6749 §2.3.1) percent-encodes both halves: they must decode too.
    if (
      url.startsWith('/oidc') &&
      decoded.split(':').some((p) => strictDecode(bytesOf(p), true) === undefined)
    )
      return 'authorization';
  }
  const cookie = request.headers.cookie;
  if (cookie !== undefined) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq === -1) {
        if (part.trim() === '') continue;
        return 'cookie';
      }
      let value = part.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (part.slice(0, eq).trim() === '' || strictDecode(bytesOf(value)) === undefined) return 'cookie';
    }
  }
  return undefined;
}

export const malformed = (part: string) =>
  new AppError('request_malformed', { details: { reason: `malformed ${part}` } });

/** The Fastify onRequest hook: refuses an unclean request before anything else runs. */
export function requestGuard(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) {
  const part = malformedPart(request.raw);
  done(part ? malformed(part) : undefined);
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Fastify's `frameworkErrors`: a URL its router cannot decode (or a path parameter too long) is
 * a malformed request, answered with the envelope and the usual headers.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known =
    error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? malformed('path')
      : new AppError('internal_error', { cause: error });
  if (known.status >= 500) request.log.error({ err: error }, 'unexpected error');
  else request.log.info({ code: known.code }, 'request refused');
  void reply
    .status(known.status)
    .headers({ ...SECURITY_HEADERS, 'x-request-id': request.id })
    .send(errorBody(known, request.id));
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (headers above 16 KiB, bytes no
 * header may hold, a broken request line) gets the envelope too, instead of a bare status line.
 */
export function clientErrorHandler(
  this: { log: { trace(o: object, m: string): void } },
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.trace({ err: error }, 'client error');
  if (socket.writable) {
    const requestId = randomUUID();
    const part =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'header_too_large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request (timed out)'
          : 'request';
    const known = malformed(part);
    const body = JSON.stringify(errorBody(known, requestId));
    const head = Object.entries({
      ...SECURITY_HEADERS,
      'x-request-id': requestId,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${known.status} Bad Request\r\n${head}\r\n${body}`);
  }
  socket.destroy(error);
}

/** Walks parsed JSON (without recursion) and tells whether every key and string is clean text. */
export function isCleanJson(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (!isCleanText(item)) return false;
    } else if (Array.isArray(item)) {
      for (const v of item) stack.push(v);
    } else if (item !== null && typeof item === 'object') {
      for (const [k, v] of Object.entries(item)) {
        if (!isCleanText(k)) return false;
        stack.push(v);
      }
    }
  }
  return true;
}

/** oidc-provider's own limit for a body (56 KiB): a larger one is refused here. */
const OIDC_BODY_LIMIT = 56 * 1024;

/**
 * A connect middleware in front of oidc-provider (which parses its own bodies): reads a form or
 * JSON body, refuses it when unclean (passing the error on to Fastify's error handler, so the
 * answer is the usual envelope), and hands the text on as `req.body`, which the provider's body
 * parser takes when the stream was already read.
 */
export function oidcBodyGuard(): (
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void {
  return (req, _res, next) => {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    const form = type.startsWith('application/x-www-form-urlencoded');
    const json = type.startsWith('application/json');
    if (!(form || json) || req.method === 'GET' || req.method === 'HEAD') return next();
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= OIDC_BODY_LIMIT) chunks.push(chunk);
    });
    req.on('error', (error) => {
      failed = true;
      next(error);
    });
    req.on('end', () => {
      if (failed) return;
      if (size > OIDC_BODY_LIMIT) return next(new AppError('payload_too_large'));
      const bytes = Buffer.concat(chunks);
      const text = cleanUtf8(bytes);
      let clean = text !== undefined && (!form || isCleanForm(bytes));
      if (clean && json && text) {
        try {
          clean = isCleanJson(JSON.parse(text));
        } catch {
          // not JSON: the provider answers that itself
        }
      }
      if (!clean) return next(malformed('body'));
      // Hand the checked bytes back as the unread body, so oidc-provider parses its own bodies
      // (a pre-parsed req.body makes it warn and fall back).
      const replay = Readable.from([bytes]);
      Object.defineProperties(req, {
        readable: { configurable: true, get: () => replay.readable },
        iterator: { configurable: true, value: replay.iterator.bind(replay) },
      });
      next();
    });
  };
}
