/**
 * The Web Push port (RFC 8030 delivery, RFC 8291 payload encryption, RFC 8292 VAPID) through the
 * `web-push` package. The push services of browser vendors cannot be reached from development
 * machines, so tests run a local push service that checks the VAPID signature and decrypts the
 * payload, like a real one would carry it; `agent` lets it trust that service's certificate.
 */
import type { Agent } from 'node:https';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export type PushOutcome = 'sent' | 'gone' | 'failed';

export interface PushSender {
  send(
    target: PushTarget,
    payload: Record<string, unknown>,
    options?: { ttlSeconds?: number; urgency?: 'normal' | 'high' },
  ): Promise<PushOutcome>;
}

export class WebPushSender implements PushSender {
  constructor(
    private readonly vapid: () => Promise<VapidKeys>,
    private readonly agent?: Agent,
  ) {}

  async send(
    target: PushTarget,
    payload: Record<string, unknown>,
    options: { ttlSeconds?: number; urgency?: 'normal' | 'high' } = {},
  ): Promise<PushOutcome> {
    const vapid = await this.vapid();
    // Loaded with the first notification, not at start-up.
    const { default: webpush } = await import('web-push');
    try {
      await webpush.sendNotification(
        { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
        JSON.stringify(payload),
        {
          vapidDetails: vapid,
          TTL: options.ttlSeconds ?? 300,
          urgency: options.urgency ?? 'high',
          timeout: 5000,
          contentEncoding: 'aes128gcm',
          ...(this.agent ? { agent: this.agent } : {}),
        },
      );
      return 'sent';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      return status === 404 || status === 410 ? 'gone' : 'failed';
    }
  }
}
