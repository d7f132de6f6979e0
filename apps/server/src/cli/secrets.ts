/**
 * `npm run secrets` (or `node apps/server/dist/cli.mjs secrets` in a release): prints a fresh
 * production set of every secret the server needs, as `NAME=value` lines for an env file or
 * `kubectl create secret generic camdigikey --from-env-file=…`. Nothing is written to disk.
 * Every instance of one deployment must get the SAME set (docs/operations.md, "What instances
 * share"); run this once per deployment, not per instance.
 */
import { OPTIONAL_SECRET_FACTORIES, SECRET_FACTORIES } from '../config/secrets';

/** A fresh production set as variables (NODE_ENV and every secret), for a process's environment. */
export function productionSecretsEnv(): Record<string, string> {
  const env: Record<string, string> = { NODE_ENV: 'production' };
  for (const [name, make] of Object.entries({ ...SECRET_FACTORIES, ...OPTIONAL_SECRET_FACTORIES })) {
    env[name] = String(make?.());
  }
  return env;
}

export function productionSecrets(): string {
  const lines = [
    '# CamDigiKey production secrets: one set per deployment, shared by every instance.',
    '# Store them in your secret manager; never commit them. See docs/operations.md.',
    ...Object.entries(productionSecretsEnv()).map(([name, value]) => `${name}=${value}`),
  ];
  return `${lines.join('\n')}\n`;
}

if (process.argv[1]?.endsWith('secrets.ts')) process.stdout.write(productionSecrets());
