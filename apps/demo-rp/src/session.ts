/**
 * Server-side sessions of the demo portal: the browser holds only a random id in an HttpOnly,
 * SameSite=Lax cookie signed with HMAC-SHA256 (so a forged or guessed id is ignored); the PKCE
 * verifier, state and nonce of a pending login and the logged-in citizen stay in memory here.
 * The cookie name is derived from the portal's URL so two portals on one host (cookies ignore
 * ports) never read each other's session.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Citizen } from './html';
import type { Lang } from './i18n';
import type { Signing } from './signing';

/** An authorization request in flight (kept until the callback, used once). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  createdAt: number;
}

export interface Session {
  pending?: PendingLogin | undefined;
  citizen?: Citizen | undefined;
  idToken?: string | undefined;
  /** The client API's user access token (a client-API login): what a signature request is made with. */
  accessToken?: string | undefined;
  /** This citizen's signature requests, newest first (a few kept). */
  signings?: Signing[] | undefined;
}

const MAX_SESSIONS = 10_000;
const IDLE_MS = 60 * 60 * 1000;

export class SessionStore {
  private readonly sessions = new Map<string, { session: Session; touched: number }>();
  readonly cookieName: string;
  readonly langCookieName: string;
  private readonly secure: boolean;

  constructor(
    baseUrl: string,
    private readonly secret: Buffer = randomBytes(32),
  ) {
    const tag = createHash('sha256').update(baseUrl).digest('hex').slice(0, 8);
    this.cookieName = `demo_rp_${tag}`;
    this.langCookieName = `demo_rp_${tag}_lang`;
    this.secure = baseUrl.startsWith('https:');
  }

  private sign(id: string): string {
    return createHmac('sha256', this.secret).update(id).digest('base64url');
  }

  private idFrom(cookieHeader: string | undefined): string | undefined {
    const raw = readCookie(cookieHeader, this.cookieName);
    const [id, mac] = (raw ?? '').split('.');
    if (!id || !mac) return undefined;
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : undefined;
  }

  /** The session of a request, if its cookie is genuine and the session still lives. */
  get(cookieHeader: string | undefined): Session | undefined {
    const id = this.idFrom(cookieHeader);
    const entry = id ? this.sessions.get(id) : undefined;
    if (!id || !entry) return undefined;
    if (Date.now() - entry.touched > IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    entry.touched = Date.now();
    return entry.session;
  }

  /** Start a fresh session (a new id on every login: no fixation); returns its Set-Cookie value. */
  create(session: Session): string {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, { session, touched: Date.now() });
    return this.cookie(this.cookieName, `${id}.${this.sign(id)}`, IDLE_MS / 1000);
  }

  /** Forget the request's session; returns the Set-Cookie value that clears the cookie. */
  destroy(cookieHeader: string | undefined): string {
    const id = this.idFrom(cookieHeader);
    if (id) this.sessions.delete(id);
    return this.cookie(this.cookieName, '', 0);
  }

  langCookie(lang: Lang): string {
    return this.cookie(this.langCookieName, lang, 365 * 24 * 3600);
  }

  private cookie(name: string, value: string, maxAge: number): string {
    return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${this.secure ? '; Secure' : ''}`;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
