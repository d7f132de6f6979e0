/**
 * "Never log a PIN, OTP, token, image or full personal code" checked over whole runs: the e2e
 * servers keep every log line (tests/support/server.ts with CDK_SCAN_LOGS=1), and when a server
 * closes, its lines are searched for
 *   - every secret the platform sent during the run: the codes in its SMS and e-mails and the
 *     bearer tokens in the links they carry (lock links, action links);
 *   - anything shaped like a secret whatever its value: a JWT, an Authorization or Cookie
 *     header, a value under a PIN/password/OTP/token key, a data: URI (an image).
 * Values the logger censored ("[redacted]") are not leaks.
 */
export interface LogLeak {
  /** Index of the log line. */
  line: number;
  /** What leaked: "sent code", "link token", or the shape that matched. */
  what: string;
  /** The start of the leaked value, the rest masked (the finding must not leak it again). */
  sample: string;
}

const mask = (value: string) =>
  `${value.slice(0, 3)}${'•'.repeat(Math.max(0, Math.min(12, value.length - 3)))}`;

/** Codes and link tokens in the messages a run sent (SMS and e-mail texts). */
export function sentSecrets(texts: string[]): { codes: string[]; tokens: string[] } {
  const codes = new Set<string>();
  const tokens = new Set<string>();
  for (const raw of texts) {
    const text = raw.replace(/[\u17e0-\u17e9]/g, (d) => String(d.charCodeAt(0) - 0x17e0));
    for (const m of text.matchAll(/(?<![0-9A-Za-z.])[0-9]{6}(?![0-9A-Za-z])/g)) codes.add(m[0]);
    for (const m of text.matchAll(/https?:\/\/[^\s<>"')]+/g)) {
      let url: URL;
      try {
        url = new URL(m[0]);
      } catch {
        continue;
      }
      for (const value of url.searchParams.values()) if (value.length >= 16) tokens.add(value);
      for (const segment of url.pathname.split('/'))
        if (/^[A-Za-z0-9_~.-]{24,}$/.test(segment)) tokens.add(segment);
      if (url.hash.length > 17) tokens.add(url.hash.slice(1));
    }
  }
  return { codes: [...codes], tokens: [...tokens] };
}

const REDACTED = /^\[?redacted\]?$/i;
const SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g],
  ['an Authorization header', /"authorization"\s*:\s*"([^"]+)"/gi],
  ['a Cookie header', /"(?:cookie|set-cookie)"\s*:\s*"([^"]+)"/gi],
  [
    'a secret-named value',
    /"(pin|newPin|oldPin|pinConfirmation|newPinConfirmation|password|otp|totp|secret|accessToken|access_token|refresh_token|id_token|loginToken|token)"\s*:\s*"([^"]*)"/g,
  ],
  // `code` names error codes too (`"code":"rate_limited"`): only a code made of digits is a secret.
  ['a one-time code', /"code"\s*:\s*"([0-9]{4,8})"/g],
  ['an image', /data:image\/[a-z]+;base64,[A-Za-z0-9+/]{16}/g],
];

/** Every leak in `lines`: the run's sent codes and link tokens, and secret-shaped values. */
export function findLogLeaks(lines: string[], sent: { codes: string[]; tokens: string[] }): LogLeak[] {
  const leaks: LogLeak[] = [];
  const codes = sent.codes.map((code) => ({
    code,
    pattern: new RegExp(`(?<![0-9A-Za-z.])${code}(?![0-9A-Za-z])`),
  }));
  lines.forEach((text, line) => {
    for (const { code, pattern } of codes)
      if (pattern.test(text)) leaks.push({ line, what: 'sent code', sample: mask(code) });
    for (const token of sent.tokens)
      if (text.includes(token)) leaks.push({ line, what: 'link token', sample: mask(token) });
    for (const [what, pattern] of SHAPES) {
      for (const m of text.matchAll(pattern)) {
        const value = m[m.length - 1] ?? m[0];
        if (value === '' || REDACTED.test(value)) continue;
        leaks.push({ line, what, sample: mask(value) });
      }
    }
  });
  return leaks;
}
