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

/** How far a request body has gone: bytes sent of the total; `done` once the server has it all. */
export interface UploadProgress {
  sent: number;
  total: number;
  done: boolean;
}

/** The `Response` of an XMLHttpRequest (status, headers, body text), so both transports answer alike. */
export function responseFromXhr(status: number, rawHeaders: string, body: string): Response {
  const headers = new Headers();
  for (const line of rawHeaders.trim().split(/[\r\n]+/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return new Response(status === 204 || status === 304 ? null : body, { status, headers });
}

/**
 * A request through XMLHttpRequest, the one browser API that reports how much of a request body
 * has been sent (fetch does not, over HTTP/1.1): long uploads (the face recording, the document
 * photo) show their progress. Rejects like fetch when the network fails.
 */
function xhrFetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
  onProgress: (progress: UploadProgress) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method, url);
    for (const [name, value] of Object.entries(init.headers)) xhr.setRequestHeader(name, value);
    const total = new Blob([init.body]).size;
    xhr.upload.onprogress = (event) =>
      onProgress({ sent: event.loaded, total: event.lengthComputable ? event.total : total, done: false });
    xhr.upload.onload = () => onProgress({ sent: total, total, done: true });
    xhr.onload = () => resolve(responseFromXhr(xhr.status, xhr.getAllResponseHeaders(), xhr.responseText));
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.ontimeout = () => reject(new TypeError('network timeout'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    init.signal?.addEventListener('abort', () => xhr.abort());
    onProgress({ sent: 0, total, done: false });
    xhr.send(init.body);
  });
}

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
  async request(
    method: Method,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    onProgress?: (progress: UploadProgress) => void,
  ): Promise<Response> {
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
        response =
          onProgress && body !== undefined && typeof XMLHttpRequest !== 'undefined'
            ? await xhrFetch(url, { method, headers, body: text, ...(signal ? { signal } : {}) }, onProgress)
            : await this.fetcher(url, {
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
  async call<T>(
    method: Method,
    path: string,
    body?: unknown,
    onProgress?: (progress: UploadProgress) => void,
  ): Promise<T> {
    const response = await this.request(method, path, body, undefined, onProgress);
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
