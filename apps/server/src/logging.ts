/**
 * Structured logs (pino). Secrets never reach a log line: request bodies are not logged at all,
 * headers that carry credentials are redacted, and the redaction list below catches the
 * field names we use for PINs, OTPs, tokens, images and document numbers anywhere in an object.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["device-proof"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...[
    'pin',
    'pinConfirmation',
    'code',
    'otp',
    'token',
    'photo',
    'selfie',
    'frames',
    'mrz',
    'documentNumber',
    'password',
    'secret',
  ].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'camdigikey-server' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        // Query strings can carry tokens: log the path only.
        url: req.url.split('?')[0],
        ip: req.ip,
      }),
    },
  };
}

export const createLogger = (level: string): Logger => pino(loggerOptions(level));
