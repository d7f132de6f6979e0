import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStatic } from './console-static';

let dir: string;
let app: FastifyInstance;
let empty: FastifyInstance;

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
});
afterAll(async () => {
  await app.close();
  await empty.close();
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

  it('says how to build the console when it is not built', async () => {
    const r = await empty.inject('/console/');
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build -w @camdigikey/console');
  });
});
