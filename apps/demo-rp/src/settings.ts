/**
 * Where `npm run demo:rp` takes its settings and credentials from, first found wins:
 *   1. the environment: DEMO_RP_CLIENT_ID + DEMO_RP_CLIENT_SECRET (OIDC) and the CAMDIGIKEY_*
 *      variables (client API; without them only OIDC starts);
 *   2. the sandbox files that `npm start` writes (DATA_DIR/sandbox/oidc.env and client-api.env):
 *      the sandbox portal, both ways on, with app-to-app registered (its app id kh.gov.sandbox.app);
 *   3. nothing: main.ts registers the portal through the admin API (OIDC only).
 * Pure apart from reading those two files, so a test can check that the sandbox starts both ways.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
}

export interface DemoRpSettings {
  /** The environment with the sandbox files under it (the real environment wins). */
  env: Env;
  /** Whether the credentials are the sandbox portal's. */
  sandbox: boolean;
  issuer: string;
  port: number;
  host: string;
  baseUrl: string;
  /** Whether the client API (web login with a login token, app-to-app) can start. */
  clientApi: boolean;
}

export function demoRpSettings(processEnv: Env): DemoRpSettings {
  const sandboxDir = join(processEnv.DATA_DIR ?? '.data', 'sandbox');
  const fromSandbox =
    !processEnv.DEMO_RP_CLIENT_ID && existsSync(join(sandboxDir, 'oidc.env'))
      ? {
          ...readEnvFile(join(sandboxDir, 'oidc.env')),
          ...(existsSync(join(sandboxDir, 'client-api.env'))
            ? readEnvFile(join(sandboxDir, 'client-api.env'))
            : {}),
        }
      : {};
  const env: Env = { ...fromSandbox, ...processEnv };
  const issuer = (env.CDK_ISSUER ?? `${(env.PUBLIC_URL ?? 'http://localhost:8080').replace(/\/+$/, '')}/oidc`)
    .trim()
    .replace(/\/+$/, '');
  const port = Number(env.DEMO_RP_PORT ?? 3000);
  return {
    env,
    sandbox: Object.keys(fromSandbox).length > 0,
    issuer,
    port,
    host: env.DEMO_RP_HOST ?? '127.0.0.1',
    baseUrl: (env.DEMO_RP_BASE_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
    clientApi: Boolean(env.CAMDIGIKEY_CLIENT_ID),
  };
}
