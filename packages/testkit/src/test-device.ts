/**
 * A test device: plays the CamDigiKey app over the device API exactly as the app does. It
 * creates a P-256 key with Web Crypto (private key non-extractable), keeps the server nonce from
 * each answer, and signs every call with a device proof over method, URL, body hash, time and
 * nonce. Integration tests use it now; later it approves logins and becomes a sandbox CLI.
 *
 * Every knob a sad-path test needs is an option of `call` (no proof, a stale time, a proof for
 * another URL or body, a replayed proof).
 */
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const PROOF_TYP = 'cdk-device-proof+jwt';

export interface DeviceResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  /** The answer's bytes as sent (a downloaded photo is not text). */
  bytes: Uint8Array;
}

export interface CallOptions {
  /** Send no proof at all. */
  unsigned?: boolean;
  /** Sign for this method/URL/body instead of the real ones. */
  signAs?: { method?: string; url?: string; body?: string };
  /** Seconds added to "now" in the proof's iat (negative = in the past). */
  iatOffsetSeconds?: number;
  /** Use this exact proof (e.g. a captured one, to replay it). */
  proof?: string;
  /** Use this nonce instead of the freshest one. */
  nonce?: string;
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const sha256b64url = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

export class TestDevice {
  private nonce: string | undefined;
  /** The last proof sent (tests replay it). */
  lastProof: string | undefined;

  private constructor(
    readonly baseUrl: string,
    private readonly privateKey: PrivateKey,
    readonly publicJwk: JWK,
    readonly thumbprint: string,
    private readonly now: () => Date,
  ) {}

  /** `now` is the device's clock (tests pass the server's manual clock). */
  static async create(baseUrl: string, options: { now?: () => Date } = {}): Promise<TestDevice> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: false });
    const full = await exportJWK(publicKey);
    const jwk: JWK = { kty: 'EC', crv: 'P-256', x: full.x, y: full.y };
    return new TestDevice(
      baseUrl.replace(/\/$/, ''),
      privateKey,
      jwk,
      await calculateJwkThumbprint(jwk, 'sha256'),
      options.now ?? (() => new Date()),
    );
  }

  /** A device whose key already exists (e.g. a demo identity's key written by `npm start`). */
  static async fromPrivateJwk(
    baseUrl: string,
    privateJwk: JWK,
    options: { now?: () => Date } = {},
  ): Promise<TestDevice> {
    const privateKey = (await importJWK(privateJwk, 'ES256')) as PrivateKey;
    const jwk: JWK = { kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y };
    return new TestDevice(
      baseUrl.replace(/\/$/, ''),
      privateKey,
      jwk,
      await calculateJwkThumbprint(jwk, 'sha256'),
      options.now ?? (() => new Date()),
    );
  }

  private async freshNonce(): Promise<string> {
    if (this.nonce) {
      const n = this.nonce;
      this.nonce = undefined;
      return n;
    }
    const response = await fetch(`${this.baseUrl}/api/device/v1/nonce`, { method: 'POST' });
    const body = (await response.json()) as { nonce: string };
    return body.nonce;
  }

  async sign(method: string, url: string, body: string, options: CallOptions = {}): Promise<string> {
    const nonce = options.nonce ?? (await this.freshNonce());
    const payload = {
      htm: options.signAs?.method ?? method,
      htu: options.signAs?.url ?? url,
      bh: sha256b64url(options.signAs?.body ?? body),
      iat: Math.floor(this.now().getTime() / 1000) + (options.iatOffsetSeconds ?? 0),
      nonce,
      jti: randomUUID(),
    };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', typ: PROOF_TYP, jwk: this.publicJwk })
      .sign(this.privateKey);
  }

  /**
   * Signs bytes with the device key as the app does for a signature (WebCrypto ECDSA P-256 with
   * SHA-256): the IEEE P1363 form r‖s, 64 bytes.
   */
  async signBytes(data: Uint8Array): Promise<Uint8Array> {
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      this.privateKey as unknown as Parameters<typeof crypto.subtle.sign>[1],
      data as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(signature);
  }

  /**
   * A signed device call. `path` is relative to the base URL. Like the app, it retries once
   * with the fresh nonce the server returns when its cached nonce has expired.
   */
  async call<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<DeviceResponse<T>> {
    const first = await this.callOnce<T>(method, path, body, options);
    const code = (first.body as { error?: { code?: string } } | undefined)?.error?.code;
    if (
      first.status === 401 &&
      code === 'device_proof_nonce_invalid' &&
      !options.nonce &&
      !options.proof &&
      !options.unsigned
    ) {
      return this.callOnce<T>(method, path, body, options);
    }
    return first;
  }

  private async callOnce<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    options: CallOptions,
  ): Promise<DeviceResponse<T>> {
    const url = `${this.baseUrl}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (!options.unsigned) {
      const proof = options.proof ?? (await this.sign(method, url, text, options));
      headers['device-proof'] = proof;
      this.lastProof = proof;
    }
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: text }) });
    const next = response.headers.get('device-nonce');
    if (next) this.nonce = next;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const raw = new TextDecoder().decode(bytes);
    let parsed: unknown = raw;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      // not JSON (e.g. an event stream)
    }
    return {
      status: response.status,
      body: parsed as T,
      headers: response.headers,
      bytes,
    } satisfies DeviceResponse<T>;
  }

  /** Open the account status event stream; resolves with a reader of parsed `status` events. */
  /** A device event stream (the account status by default); `next()` gives the next `event` data. */
  async openStatusStream(path = '/api/device/v1/account/status/stream', eventName = 'status') {
    const url = `${this.baseUrl}${path}`;
    const controller = new AbortController();
    const open = async () => {
      const answer = await fetch(url, {
        headers: { 'device-proof': await this.sign('GET', url, '') },
        signal: controller.signal,
      });
      const next = answer.headers.get('device-nonce');
      if (next) this.nonce = next;
      return answer;
    };
    let response = await open();
    // Like call(): once more with the fresh nonce when the cached one had expired.
    if (response.status === 401 && this.nonce) {
      await response.body?.cancel();
      response = await open();
    }
    if (response.status !== 200 || !response.body) {
      throw new Error(`status stream refused: ${response.status} ${await response.text()}`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    return {
      /** The next event's data, parsed. */
      async next(timeoutMs = 5000): Promise<Record<string, unknown>> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = event
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (event.includes(`event: ${eventName}`) && data)
              return JSON.parse(data) as Record<string, unknown>;
            continue;
          }
          const left = deadline - Date.now();
          if (left <= 0) throw new Error('no status event in time');
          const chunk = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error('no status event in time')), left),
            ),
          ]);
          if (chunk.done) throw new Error('status stream ended');
          buffer += decoder.decode(chunk.value, { stream: true });
        }
      },
      close() {
        controller.abort();
      },
    };
  }
}
