import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStatic, encodingFor, walletStatic } from './console-static';

let dir: string;
let app: FastifyInstance;
let empty: FastifyInstance;
let wallet: FastifyInstance;
let walletEmpty: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-console-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'dist', 'assets', 'app-1a2b.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside dist');
  app = Fastify();
  consoleStatic(app, join(dir, 'dist'));
  empty = Fastify();
  consoleStatic(empty, join(dir, 'missing'));

  const app2 = join(dir, 'wallet');
  mkdirSync(join(app2, 'assets'), { recursive: true });
  writeFileSync(join(app2, 'index.html'), '<!doctype html><title>wallet</title>');
  writeFileSync(join(app2, 'sw.js'), 'self.addEventListener("push", () => {})');
  writeFileSync(join(app2, 'manifest.webmanifest'), '{"start_url":"/app/"}');
  writeFileSync(join(app2, 'assets', 'reader-9f8e.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(app2, 'assets', 'index-1a2b.js'), 'export {}');
  wallet = Fastify();
  walletStatic(wallet, app2);
  walletEmpty = Fastify();
  walletStatic(walletEmpty, join(dir, 'no-wallet'));
});
afterAll(async () => {
  await app.close();
  await empty.close();
  await wallet.close();
  await walletEmpty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console static files', () => {
  it('serves index.html with a strict CSP, never cached', async () => {
    const r = await app.inject('/console/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<title>console</title>');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets for a year and the app for every in-app path', async () => {
    const asset = await app.inject('/console/assets/app-1a2b.js');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body).toBe('console.log(1)');
    const deep = await app.inject('/console/cases/4b1c');
    expect(deep.body).toContain('<title>console</title>');
    expect((await app.inject('/console')).headers.location).toBe('/console/');
  });

  it('never serves a file outside the build', async () => {
    for (const path of ['/console/../secret.txt', '/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt']) {
      const r = await app.inject(path);
      expect(r.body).not.toContain('outside dist');
    }
  });

  it('answers a name the file system refuses (a NUL, too long) like any other path, never a 500', async () => {
    for (const path of [
      '/console/%2500',
      '/console/a%2500.js',
      `/console/${'a'.repeat(300)}`,
      `/console/${'a'.repeat(300)}.js`,
    ]) {
      const r = await app.inject(path);
      expect(r.statusCode, path).toBeLessThan(500);
    }
    expect((await app.inject('/console/a%2500.js')).statusCode).toBe(404);
    expect((await app.inject(`/console/${'a'.repeat(300)}`)).body).toContain('<title>console</title>');
  });

  it('says how to build the console when it is not built', async () => {
    const r = await empty.inject('/console/');
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build -w @camdigikey/console');
  });
});

describe('the citizen app at /app/', () => {
  it('serves index.html for the app and its in-app paths, with the CSP the camera readers need', async () => {
    for (const path of ['/app/', '/app/requests', '/app/login?token=abc']) {
      const r = await wallet.inject(path);
      expect(r.statusCode, path).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('<title>wallet</title>');
      expect(r.headers['cache-control']).toBe('no-cache');
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("worker-src 'self'");
      expect(csp).toContain("media-src 'self' blob:");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("'unsafe-eval'");
      expect(r.headers['permissions-policy']).toContain('camera=(self)');
    }
    expect((await wallet.inject('/app')).headers.location).toBe('/app/');
  });

  it('serves the service worker and the manifest never cached, with their types', async () => {
    const sw = await wallet.inject('/app/sw.js');
    expect(sw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect(sw.body).toContain('push');
    const manifest = await wallet.inject('/app/manifest.webmanifest');
    expect(manifest.headers['content-type']).toBe('application/manifest+json');
    expect(manifest.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(manifest.body)).toEqual({ start_url: '/app/' });
  });

  it('serves WebAssembly as application/wasm and hashed assets for a year', async () => {
    const wasm = await wallet.inject('/app/assets/reader-9f8e.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(wasm.rawPayload).toEqual(Buffer.from([0, 97, 115, 109]));
  });

  it('answers 404 (not the app) for a missing file, and nothing outside the build', async () => {
    const missing = await wallet.inject('/app/assets/index-0000.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('<title>wallet</title>');
    for (const path of [
      '/app/../secret.txt',
      '/app/..%2fsecret.txt',
      '/app/%2e%2e/secret.txt',
      '/app/%E0%A4%A',
    ]) {
      const r = await wallet.inject(path);
      expect(r.body, path).not.toContain('outside dist');
    }
  });

  it('says how to build the app when it is not built', async () => {
    const r = await walletEmpty.inject('/app/');
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build -w @camdigikey/wallet');
  });
});

describe('compression', () => {
  it('answers Brotli or gzip to a browser that takes it, the same bytes once decoded', async () => {
    const plain = await wallet.inject({ method: 'GET', url: '/app/assets/index-1a2b.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await wallet.inject({
      method: 'GET',
      url: '/app/assets/index-1a2b.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    const gz = await wallet.inject({ method: 'GET', url: '/app/', headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(gz.rawPayload).toString()).toContain('<title>wallet</title>');
    expect(encodingFor('identity')).toBeUndefined();
  });
});
