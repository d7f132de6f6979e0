/**
 * `npm run demo:rp` against the sandbox (issue 16, the integrator's path): with the files
 * `npm start` writes, the portal starts both ways, OpenID Connect and the client API (web and
 * app-to-app), as the README says; the environment wins over the files; without the client-API
 * file only OIDC starts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoRpSettings } from './settings';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A DATA_DIR with the sandbox files as the server writes them (apps/server/src/dev/sandbox.ts). */
function sandboxDataDir(options: { clientApi: boolean }): string {
  const data = mkdtempSync(join(tmpdir(), 'cdk-demo-rp-'));
  dirs.push(data);
  const sandbox = join(data, 'sandbox');
  mkdirSync(sandbox);
  writeFileSync(
    join(sandbox, 'oidc.env'),
    [
      '# OpenID Connect (authorization code + PKCE) for the sandbox portal.',
      'CDK_ISSUER=http://localhost:8080/oidc',
      'DEMO_RP_CLIENT_ID=sandbox-portal',
      'DEMO_RP_CLIENT_SECRET=s3cret',
      'DEMO_RP_BASE_URL=http://localhost:3002',
      'DEMO_RP_PORT=3002',
      '',
    ].join('\n'),
  );
  if (options.clientApi)
    writeFileSync(
      join(sandbox, 'client-api.env'),
      [
        '# CamDigiKey client API',
        'CAMDIGIKEY_CLIENT_ID=c2FuZGJveA==',
        'CAMDIGIKEY_SERVER_BASED_URL=https://localhost:8443',
        `CAMDIGIKEY_CLIENT_KEYSTORE_FILE=${join(sandbox, 'keystore.p12')}`,
        '',
      ].join('\n'),
    );
  return data;
}

describe('npm run demo:rp', () => {
  it('starts the sandbox portal both ways from the files npm start wrote', () => {
    const s = demoRpSettings({ DATA_DIR: sandboxDataDir({ clientApi: true }) });
    expect(s.sandbox).toBe(true);
    expect(s.clientApi).toBe(true);
    expect(s.env.DEMO_RP_CLIENT_ID).toBe('sandbox-portal');
    expect(s.env.CAMDIGIKEY_SERVER_BASED_URL).toBe('https://localhost:8443');
    expect(s).toMatchObject({
      issuer: 'http://localhost:8080/oidc',
      port: 3002,
      baseUrl: 'http://localhost:3002',
    });
  });

  it('starts only OpenID Connect when there is no client-API file', () => {
    const s = demoRpSettings({ DATA_DIR: sandboxDataDir({ clientApi: false }) });
    expect(s.sandbox).toBe(true);
    expect(s.clientApi).toBe(false);
  });

  it("uses the developer's own credentials over the sandbox's, and the environment over the files", () => {
    const data = sandboxDataDir({ clientApi: true });
    const own = demoRpSettings({ DATA_DIR: data, DEMO_RP_CLIENT_ID: 'mine', DEMO_RP_CLIENT_SECRET: 'x' });
    expect(own.sandbox).toBe(false);
    expect(own.clientApi).toBe(false);
    expect(own.port).toBe(3000);
    const moved = demoRpSettings({
      DATA_DIR: data,
      DEMO_RP_PORT: '4000',
      DEMO_RP_BASE_URL: 'http://127.0.0.1:4000/',
    });
    expect(moved).toMatchObject({ sandbox: true, port: 4000, baseUrl: 'http://127.0.0.1:4000' });
  });
});
