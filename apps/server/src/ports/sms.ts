/**
 * The SMS port. Production talks to an HTTP SMS gateway; development and tests use the outbox
 * fake, which tests read instead of logs (house-style rule 10).
 *
 * Gateway contract (JSON over HTTPS, bearer token):
 *   POST SMS_GATEWAY_URL  { "to": "+85512345678", "text": "…", "reference": "<uuid>" }
 *   2xx = accepted; anything else or a timeout = failure (retried once for 5xx/timeouts).
 */
import { randomUUID } from 'node:crypto';
import type { Outbox } from './outbox';

export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

export class OutboxSms implements SmsSender {
  constructor(private readonly outbox: Outbox) {}
  async send(to: string, text: string): Promise<void> {
    this.outbox.add({ channel: 'sms', to, text });
  }
}

export class SmsGatewayError extends Error {
  override name = 'SmsGatewayError';
}

export class HttpSmsGateway implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async send(to: string, text: string): Promise<void> {
    const reference = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          body: JSON.stringify({ to, text, reference }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.ok) return;
        if (response.status < 500 || attempt >= 2)
          throw new SmsGatewayError(`SMS gateway answered ${response.status}`);
      } catch (cause) {
        if (cause instanceof SmsGatewayError || attempt >= 2) {
          throw cause instanceof SmsGatewayError
            ? cause
            : new SmsGatewayError('SMS gateway unreachable', { cause });
        }
      }
    }
  }
}
