/**
 * Signed calls to the device API, exactly as the reference client plays them
 * (packages/testkit/src/test-device.ts): every request carries a `Device-Proof` over method,
 * full URL, body hash, time and a single-use server nonce. The nonce of the next call comes from
 * the `Device-Nonce` header of the previous answer; without one (first call, or two calls at once)
 * a fresh one is fetched from `POST /api/device/v1/nonce`. When the cached nonce has expired
 * (`device_proof_nonce_invalid`) the call is retried once with the nonce of that answer.
 */
import type { DeviceKey } from '../device/device-key';
import { signProof } from '../device/proof';
import { ApiError, apiErrorFrom, networkError } from './errors';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface DeviceClientOptions {
  /** The server origin; URLs in proofs are `origin + path` (the server's PUBLIC_URL). */
  origin: string;
  key: () => Promise<DeviceKey>;
  fetch?: typeof fetch;
}

export class DeviceClient {
  private nonce: string | undefined;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: DeviceClientOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Take the cached nonce (so two calls at once never share one), or ask the server for one. */
  private async takeNonce(): Promise<string> {
    const cached = this.nonce;
    this.nonce = undefined;
    if (cached) return cached;
    let response: Response;
    try {
      response = await this.fetcher(`${this.options.origin}/api/device/v1/nonce`, { method: 'POST' });
    } catch {
      throw networkError();
    }
    const body = (await response.json().catch(() => undefined)) as { nonce?: string } | undefined;
    if (!response.ok || !body?.nonce) throw apiErrorFrom(response.status, body);
    return body.nonce;
  }

  private keep(response: Response) {
    const next = response.headers.get('device-nonce');
    if (next) this.nonce = next;
  }

  /** A signed request; answers the raw response (the caller reads it, e.g. as a stream). */
  async request(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const url = `${this.options.origin}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const send = async () => {
      const key = await this.options.key();
      const proof = await signProof(key.privateKey, key.jwk, {
        method,
        url,
        body: text,
        nonce: await this.takeNonce(),
      });
      const headers: Record<string, string> = { 'device-proof': proof, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await this.fetcher(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body: text }),
          ...(signal ? { signal } : {}),
          cache: 'no-store',
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw networkError();
      }
      this.keep(response);
      return response;
    };
    const first = await send();
    if (first.status === 401) {
      const copy = first.clone();
      const json = await copy.json().catch(() => undefined);
      if (apiErrorFrom(401, json).code === 'device_proof_nonce_invalid') {
        await first.body?.cancel().catch(() => undefined);
        return send();
      }
    }
    return first;
  }

  /** A signed JSON call: the parsed answer, or an {@link ApiError}. */
  async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    let json: unknown;
    try {
      const raw = await response.text();
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      if (response.ok)
        throw new ApiError(response.status, 'internal_error', 'error.internal_error', undefined);
    }
    if (!response.ok) throw apiErrorFrom(response.status, json);
    return json as T;
  }
}
