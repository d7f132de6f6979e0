/**
 * The demo relying party: a small ministry portal that logs citizens in with CamDigiKey over
 * OpenID Connect. Routes: `/` (home: the login button, or the citizen's names and a logout link),
 * `/login` (starts the authorization request), `/callback` (finishes it, or shows the provider's
 * error such as access_denied), `/logout` (forgets the session and logs out at the provider).
 * With the client API: its logins, the app-to-app page, and the demo bank's loan contract to sign
 * (`/sign`, `/sign/:id`, `/sign/:id/pdf`; issue 17).
 * Nothing listens here: the caller picks the port that matches `baseUrl`.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type CamDigiKeyClient, CamDigiKeyError } from '@camdigikey/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  appPage,
  type Citizen,
  CSP,
  errorPage,
  homePage,
  signErrorPage,
  signOfferPage,
  signStatusPage,
} from './html';
import { type Bilingual, isLang, type Lang, tr } from './i18n';
import { errorCodeOf, OidcClient } from './oidc';
import { readCookie, SessionStore } from './session';
import { loanOffer, refreshSigning, startSigning } from './signing';

export interface DemoRpOptions {
  /** The provider's issuer, e.g. `http://localhost:8080/oidc`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where browsers reach this portal, e.g. `http://127.0.0.1:3000` (redirect URI: `${baseUrl}/callback`). */
  baseUrl: string;
  /** The portal's name (one text for both languages, or Khmer and English). */
  name?: string | Bilingual;
  /** Scopes to ask for (default `openid profile`). */
  scope?: string;
  /** Fastify request logging (off by default). */
  logger?: boolean;
  /**
   * The CamDigiKey client API through the SDK (rp-protocol.md): adds `/login/classic` (web login
   * with a login token, back on `/camdigikey/callback?authToken=` or `/camdigikey/fallback`) and the
   * app-to-app demonstration page `/app` (its callback `/app/callback` stands for the app scheme).
   */
  clientApi?: CamDigiKeyClient;
  /** The portal's clock (the contract's date and the signature field's signing time). */
  now?: () => Date;
}

export interface DemoRp {
  app: FastifyInstance;
  /** The portal's base URL (no trailing slash). */
  url: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

/**
 * The portal's Khmer font (Kantumruy Pro, Khmer subset), served by the portal itself so its Khmer
 * never shows as empty boxes on a computer without a Khmer system font (issue 16, item 9).
 */
const FONT_DIR = join(
  dirname(createRequire(import.meta.url).resolve('@fontsource/kantumruy-pro/khmer-400.css')),
  'files',
);
const FONTS: Record<string, Buffer> = Object.fromEntries(
  [400, 600].map((w) => [
    `kantumruy-pro-khmer-${w}.woff2`,
    readFileSync(join(FONT_DIR, `kantumruy-pro-khmer-${w}-normal.woff2`)),
  ]),
);

export function createDemoRp(options: DemoRpOptions): DemoRp {
  const url = options.baseUrl.replace(/\/+$/, '');
  const redirectUri = `${url}/callback`;
  const postLogoutRedirectUri = `${url}/`;
  const siteName: Bilingual =
    typeof options.name === 'string'
      ? { km: options.name, en: options.name }
      : (options.name ?? { km: tr('km', 'site.default_name'), en: tr('en', 'site.default_name') });
  const client = new OidcClient({
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const sessions = new SessionStore(url);
  const now = options.now ?? (() => new Date());
  const app = Fastify({ logger: options.logger ?? false });
  // The portal's only form (the signature request) posts nothing the portal reads.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, _body, done) => done(null, {}),
  );

  app.addHook('onSend', async (_request, reply) => {
    // Pages are personal: never stored. The font says it may be (it is the same for everyone).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  /** The visitor's language: `?lang=` (remembered in a cookie), else the cookie, else Khmer. */
  const languageOf = (request: FastifyRequest, reply: FastifyReply): Lang => {
    const asked = (request.query as Record<string, unknown> | undefined)?.lang;
    if (isLang(asked)) {
      reply.header('set-cookie', sessions.langCookie(asked));
      return asked;
    }
    const remembered = readCookie(request.headers.cookie, sessions.langCookieName);
    return isLang(remembered) ? remembered : 'km';
  };

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .send(body);

  /** Fastify appends Set-Cookie headers (it never replaces an earlier one). */
  const addCookie = (reply: FastifyReply, cookie: string) => reply.header('set-cookie', cookie);

  app.get('/assets/:font', async (request, reply) => {
    const font = FONTS[(request.params as { font: string }).font];
    if (!font) return reply.status(404).send();
    return reply
      .header('content-type', 'font/woff2')
      .header('cache-control', 'public, max-age=86400')
      .send(font);
  });

  app.get('/', async (request, reply) => {
    const lang = languageOf(request, reply);
    const session = sessions.get(request.headers.cookie);
    return html(
      reply,
      200,
      homePage(lang, siteName, session?.citizen, {
        clientApi: Boolean(options.clientApi),
        canSign: Boolean(options.clientApi && session?.accessToken),
      }),
    );
  });

  app.get('/login', async (request, reply) => {
    const lang = languageOf(request, reply);
    try {
      const { url: authorizationUrl, pending } = await client.authorizationRequest(redirectUri, lang);
      sessions.destroy(request.headers.cookie);
      addCookie(reply, sessions.create({ pending }));
      return reply.redirect(authorizationUrl.toString(), 303);
    } catch (error) {
      request.log.error({ err: error }, 'could not start the login');
      return html(reply, 502, errorPage(lang, siteName, 'temporarily_unavailable'));
    }
  });

  app.get('/callback', async (request, reply) => {
    const lang = languageOf(request, reply);
    const session = sessions.get(request.headers.cookie);
    const pending = session?.pending;
    if (!session || !pending) return html(reply, 400, errorPage(lang, siteName, 'session'));
    session.pending = undefined; // one attempt per authorization request
    try {
      const done = await client.callback(new URL(request.url, `${url}/`), pending);
      sessions.destroy(request.headers.cookie);
      addCookie(reply, sessions.create({ citizen: done.citizen, idToken: done.idToken }));
      return reply.redirect('/', 303);
    } catch (error) {
      const code = errorCodeOf(error);
      request.log.warn({ err: error, code }, 'login failed');
      return html(reply, 400, errorPage(lang, siteName, code));
    }
  });

  app.get('/logout', async (request, reply) => {
    const lang = languageOf(request, reply);
    const idToken = sessions.get(request.headers.cookie)?.idToken;
    addCookie(reply, sessions.destroy(request.headers.cookie));
    try {
      const endSession = await client.endSessionUrl(idToken, postLogoutRedirectUri, lang);
      return reply.redirect(endSession?.toString() ?? '/', 303);
    } catch (error) {
      request.log.warn({ err: error }, 'provider logout unavailable');
      return reply.redirect('/', 303);
    }
  });

  const sdk = options.clientApi;
  if (sdk) {
    /** The citizen from the status claims of a client-API access token (validateJwt), and the token. */
    const signIn = async (
      authToken: string,
      acr: string,
    ): Promise<{ citizen: Citizen; accessToken: string }> => {
      const { data } = await sdk.getUserAccessToken(authToken);
      const accessToken = data!.accessToken;
      const checked = await sdk.validateJwt(accessToken);
      const p = checked.payload;
      if (!checked.is_valid || !p) throw new CamDigiKeyError('Access token is not valid', 104);
      const citizen: Citizen = {
        sub: String(p.camdigikey_id),
        nameKm: `${p.last_name_kh ?? ''} ${p.first_name_kh ?? ''}`.trim() || undefined,
        nameLatin: `${p.first_name_en ?? ''} ${p.last_name_en ?? ''}`.trim() || undefined,
        birthdate: p.dob,
        acr,
      };
      return { citizen, accessToken };
    };
    const finish = async (request: FastifyRequest, reply: FastifyReply, acr: string) => {
      const lang = languageOf(request, reply);
      const authToken = (request.query as Record<string, string | undefined>).authToken;
      if (!authToken) return html(reply, 400, errorPage(lang, siteName, 'session'));
      try {
        const signedIn = await signIn(authToken, acr);
        sessions.destroy(request.headers.cookie);
        addCookie(reply, sessions.create(signedIn));
        return reply.redirect('/', 303);
      } catch (error) {
        const code = error instanceof CamDigiKeyError ? String(error.errorCode) : 'temporarily_unavailable';
        request.log.warn({ err: error, code }, 'client-API login failed');
        return html(reply, 400, errorPage(lang, siteName, code));
      }
    };

    app.get('/login/classic', async (request, reply) => {
      const lang = languageOf(request, reply);
      try {
        const { data } = await sdk.getLoginToken({ lang });
        return reply.redirect(`${data!.loginUrl}&lang=${lang}`, 303);
      } catch (error) {
        request.log.error({ err: error }, 'could not get a login token');
        return html(reply, 502, errorPage(lang, siteName, 'temporarily_unavailable'));
      }
    });
    app.get('/camdigikey/callback', (request, reply) => finish(request, reply, 'urn:camdigikey:client-api'));
    app.get('/camdigikey/fallback', async (request, reply) => {
      const lang = languageOf(request, reply);
      const code = String((request.query as Record<string, string | undefined>).errorCode ?? 'generic');
      return html(reply, 400, errorPage(lang, siteName, code === '401' ? 'access_denied' : code));
    });

    app.get('/app', async (request, reply) => {
      const lang = languageOf(request, reply);
      try {
        const { data } = await sdk.getLoginToken();
        return html(
          reply,
          200,
          appPage(lang, siteName, data!.loginToken, options.issuer.replace(/\/oidc\/?$/, '')),
        );
      } catch (error) {
        request.log.error({ err: error }, 'could not get a login token');
        return html(reply, 502, errorPage(lang, siteName, 'temporarily_unavailable'));
      }
    });
    app.get('/app/callback', async (request, reply) => {
      const message = (request.query as Record<string, string | undefined>).message;
      if (message) return html(reply, 400, errorPage(languageOf(request, reply), siteName, 'access_denied'));
      return finish(request, reply, 'urn:camdigikey:app-to-app');
    });

    // The demo bank (issue 17): a loan contract the logged-in citizen signs with CamDigiKey.
    const MAX_SIGNINGS = 5;
    const SIGN_ID = /^[0-9a-f-]{36}$/i;
    const signingOf = (request: FastifyRequest) => {
      const session = sessions.get(request.headers.cookie);
      const id = (request.params as { id: string }).id;
      const signing = SIGN_ID.test(id) ? session?.signings?.find((s) => s.id === id) : undefined;
      return session?.citizen && signing ? { session, citizen: session.citizen, signing } : undefined;
    };

    app.get('/sign', async (request, reply) => {
      const lang = languageOf(request, reply);
      const session = sessions.get(request.headers.cookie);
      if (!session?.citizen) return reply.redirect('/', 303);
      return html(
        reply,
        200,
        signOfferPage(lang, siteName, loanOffer(session.citizen), Boolean(session.accessToken)),
      );
    });

    app.post('/sign', async (request, reply) => {
      const lang = languageOf(request, reply);
      const session = sessions.get(request.headers.cookie);
      if (!session?.citizen || !session.accessToken) return reply.redirect('/sign', 303);
      try {
        const signing = await startSigning(sdk, {
          accessToken: session.accessToken,
          citizen: session.citizen,
          bank: siteName,
          now: now(),
        });
        session.signings = [signing, ...(session.signings ?? [])].slice(0, MAX_SIGNINGS);
        return reply.redirect(`/sign/${signing.id}`, 303);
      } catch (error) {
        const code = error instanceof CamDigiKeyError ? String(error.errorCode) : 'temporarily_unavailable';
        request.log.warn({ err: error, code }, 'signature request failed');
        return html(
          reply,
          code === 'temporarily_unavailable' ? 502 : 400,
          signErrorPage(lang, siteName, code),
        );
      }
    });

    app.get('/sign/:id', async (request, reply) => {
      const lang = languageOf(request, reply);
      const found = signingOf(request);
      if (!found) return html(reply, 404, errorPage(lang, siteName, 'not_found'));
      await refreshSigning(sdk, found.signing, found.citizen.sub);
      return html(reply, 200, signStatusPage(lang, siteName, found.signing));
    });

    app.get('/sign/:id/pdf', async (request, reply) => {
      const found = signingOf(request);
      if (!found?.signing.signedPdf)
        return html(reply, 404, errorPage(languageOf(request, reply), siteName, 'not_found'));
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${found.signing.fileName}"`)
        .send(found.signing.signedPdf);
    });
  }

  app.setNotFoundHandler(async (request, reply) =>
    html(reply, 404, errorPage(languageOf(request, reply), siteName, 'not_found')),
  );

  return { app, url, redirectUri, postLogoutRedirectUri };
}
