// A throw-away SMTP server on 127.0.0.1 that records delivered mail, for testing e-mail OTP and notices.
import type { AddressInfo } from 'node:net';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPServer } from 'smtp-server';
import { parseMessage } from './mime-parse';

export { decodeMimeWords, parseMessage } from './mime-parse';

/** A message received by the inbox. */
export interface ReceivedMail {
  /** Envelope sender (`MAIL FROM`), as given. Empty for the null sender. */
  from: string;
  /** Envelope recipients (`RCPT TO`, including Bcc), lowercased. */
  to: string[];
  /** Decoded `Subject` header (RFC 2047, so Khmer subjects read as Khmer). */
  subject: string;
  /** Decoded first `text/plain` part, LF line endings. */
  text: string;
  /** Decoded first `text/html` part, if any. */
  html?: string;
  /** Decoded header values by lowercase name (first occurrence). */
  headers: Record<string, string>;
  /** The message exactly as transmitted after DATA. */
  raw: Buffer;
  receivedAt: Date;
}

/** Selects a message: a predicate, or the recipient address (case-insensitive). */
export type MailMatcher = ((mail: ReceivedMail) => boolean) | { to: string };

/** A running test inbox. */
export interface SmtpInbox {
  /** The ephemeral port it listens on. */
  port: number;
  host: '127.0.0.1';
  /** `smtp://127.0.0.1:<port>`, handy for SMTP_URL-style configuration. */
  url: string;
  /** Every message received so far, in arrival order (live array). */
  messages: ReceivedMail[];
  /**
   * Resolves with the most recent matching message already received, else with the next matching one to
   * arrive; rejects after `timeoutMs` (default 5000). A mail that is still in flight is not awaited when
   * an older one matches, so call {@link clear} (or match on content) between steps that mail the same
   * address twice, e.g. an OTP resend.
   */
  waitFor(matcher: MailMatcher, timeoutMs?: number): Promise<ReceivedMail>;
  /** Forgets all received messages. */
  clear(): void;
  /** Stops the server; pending `waitFor` calls reject. */
  close(): Promise<void>;
}

interface Waiter {
  test: (mail: ReceivedMail) => boolean;
  resolve: (mail: ReceivedMail) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function toPredicate(matcher: MailMatcher): (mail: ReceivedMail) => boolean {
  if (typeof matcher === 'function') return matcher;
  const address = matcher.to.trim().toLowerCase();
  return (mail) => mail.to.includes(address);
}

function describeMatcher(matcher: MailMatcher): string {
  return typeof matcher === 'function' ? 'predicate' : `to=${matcher.to}`;
}

async function readStream(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Starts an SMTP server on `127.0.0.1` and an ephemeral port, without TLS or authentication (STARTTLS and
 * AUTH are disabled), that accepts every message and parses it into {@link ReceivedMail}.
 */
export async function startSmtpInbox(): Promise<SmtpInbox> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<Waiter>();

  const deliver = (mail: ReceivedMail): void => {
    messages.push(mail);
    for (const w of [...waiters]) {
      if (!w.test(mail)) continue;
      waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(mail);
    }
  };

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    banner: 'CamDigiKey test inbox',
    closeTimeout: 500,
    size: 25 * 1024 * 1024,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      readStream(stream).then(
        (raw) => {
          const parsed = parseMessage(raw);
          const { mailFrom, rcptTo } = session.envelope;
          deliver({
            from: mailFrom ? mailFrom.address : '',
            to: rcptTo.map((r) => r.address.toLowerCase()),
            ...parsed,
            raw,
            receivedAt: new Date(),
          });
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors on individual connections (e.g. a client hanging up) must not crash the test process.
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    host: '127.0.0.1',
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(matcher, timeoutMs = 5000) {
      const test = toPredicate(matcher);
      const existing = messages.findLast(test);
      if (existing) return Promise.resolve(existing);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
          reject(
            new Error(
              `no mail matching ${describeMatcher(matcher)} within ${timeoutMs} ms (received: ${seen})`,
            ),
          );
        }, timeoutMs);
        const waiter: Waiter = { test, resolve, reject, timer };
        waiters.add(waiter);
      });
    },
    clear() {
      messages.length = 0;
    },
    close() {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('SMTP inbox closed'));
      }
      waiters.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const KHMER_DIGITS = /[\u17E0-\u17E9]/g;

/**
 * Returns the first standalone 6-digit code in `text` (not part of a longer run of digits or of an ASCII
 * word such as `ABC123456`), or null. Khmer numerals (០-៩) are accepted and returned as ASCII digits.
 */
export function extractOtp(text: string): string | null {
  const ascii = text.replace(KHMER_DIGITS, (d) => String(d.charCodeAt(0) - 0x17e0));
  return /(?<![0-9A-Za-z])[0-9]{6}(?![0-9A-Za-z])/.exec(ascii)?.[0] ?? null;
}
