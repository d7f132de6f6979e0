/**
 * A local Web Push service for tests: what a browser vendor's push service does with a message,
 * so the server's real Web Push requests can be checked end to end. It hands out browser-like
 * subscriptions (a P-256 key pair and an auth secret per subscription), and on every push checks
 * the VAPID authorisation (RFC 8292: an ES256 JWT whose audience is this service's origin, signed
 * by the key in `k`, not expired, with a contact subject), the TTL header and the aes128gcm content
 * encoding, then decrypts the payload (RFC 8291) with the subscription's private key, as the browser
 * would. HTTPS with its own CA (`agent` trusts it).
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRootCa, issueServerCertificate } from '@camdigikey/rp-protocol';
import ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';

export interface PushMessage {
  subscriptionId: string;
  ttl: number;
  urgency: string | undefined;
  payload: Record<string, unknown>;
  vapid: { sub: string; aud: string; publicKey: string };
}

export interface PushService {
  url: string;
  agent: Agent;
  messages: PushMessage[];
  /** Refusals (bad VAPID, bad encryption), with the reason. */
  refused: string[];
  subscribe(): { endpoint: string; keys: { p256dh: string; auth: string }; id: string };
  /** Answer 410 Gone for this subscription from now on (the browser unsubscribed). */
  expire(id: string): void;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushService> {
  const ca = createRootCa({ name: { commonName: 'Test push CA', country: 'KH', organization: 'Tests' } });
  const tls = issueServerCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const subscriptions = new Map<
    string,
    { ecdh: ReturnType<typeof createECDH>; auth: Buffer; gone: boolean }
  >();
  const messages: PushMessage[] = [];
  const refused: string[] = [];
  let origin = '';

  const server = createServer(
    { key: tls.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: tls.chain.slice(0, -1).join('') },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
        const sub = subscriptions.get(id);
        const refuse = (status: number, reason: string) => {
          refused.push(reason);
          res.writeHead(status).end(reason);
        };
        if (!sub) return refuse(404, 'no such subscription');
        if (sub.gone) return refuse(410, 'gone');
        try {
          const auth = /^vapid t=([^,]+),\s*k=([A-Za-z0-9_-]+)$/.exec(
            String(req.headers.authorization ?? ''),
          );
          if (!auth) return refuse(401, 'no vapid authorization');
          const raw = Buffer.from(auth[2]!, 'base64url');
          const key = await importJWK(
            {
              kty: 'EC',
              crv: 'P-256',
              x: raw.subarray(1, 33).toString('base64url'),
              y: raw.subarray(33, 65).toString('base64url'),
            },
            'ES256',
          );
          const { payload: claims } = await jwtVerify(auth[1]!, key, {
            audience: origin,
            algorithms: ['ES256'],
          });
          if (!claims.exp || claims.exp > Date.now() / 1000 + 24 * 3600) return refuse(403, 'bad vapid exp');
          if (!/^(mailto:|https:)/.test(String(claims.sub))) return refuse(403, 'bad vapid subject');
          if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(415, 'not aes128gcm');
          const ttl = Number(req.headers.ttl);
          if (!Number.isInteger(ttl)) return refuse(400, 'no TTL');
          const plain = ece.decrypt(Buffer.concat(chunks), {
            version: 'aes128gcm',
            privateKey: sub.ecdh,
            authSecret: sub.auth,
          }) as Buffer;
          messages.push({
            subscriptionId: id,
            ttl,
            urgency: req.headers.urgency as string | undefined,
            payload: JSON.parse(plain.toString('utf8')) as Record<string, unknown>,
            vapid: { sub: String(claims.sub), aud: String(claims.aud), publicKey: auth[2]! },
          });
          res.writeHead(201).end();
        } catch (error) {
          refuse(400, `refused: ${(error as Error).message}`);
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    agent: new Agent({ ca: ca.pem }),
    messages,
    refused,
    subscribe() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomUUID();
      subscriptions.set(id, { ecdh, auth, gone: false });
      return {
        id,
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    expire(id) {
      const sub = subscriptions.get(id);
      if (sub) sub.gone = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
