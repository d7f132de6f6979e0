/**
 * Development only (with the demo data): two console accounts so a developer can sign in to the
 * officer console at once: an administrator and an officer, with random passwords and TOTP
 * secrets written to DATA_DIR/demo-officers.json (mode 600) with their otpauth URIs (add them to
 * an authenticator app). Created once.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createOfficer } from '../console/officers';
import type { Deps } from '../deps';

const DEMO = [
  { username: 'admin.demo', displayName: 'Demo administrator', role: 'administrator' },
  { username: 'officer.demo', displayName: 'Demo officer', role: 'officer' },
] as const;

export async function seedDemoOfficers(deps: Deps): Promise<string> {
  const file = join(resolve(deps.config.database.dataDir), 'demo-officers.json');
  const existing = await deps.db
    .selectFrom('officers')
    .select('username')
    .where(
      'username',
      'in',
      DEMO.map((d) => d.username),
    )
    .execute();
  // Created once: the passwords exist only in the file written the first time.
  if (existing.length > 0) return file;
  const written = [];
  for (const demo of DEMO) {
    const password = randomBytes(12).toString('base64url');
    const created = await createOfficer(deps, { ...demo, password });
    written.push({ ...demo, password, totpSecret: created.totpSecret, otpauthUri: created.otpauthUri });
  }
  mkdirSync(resolve(deps.config.database.dataDir), { recursive: true });
  writeFileSync(file, JSON.stringify(written, null, 2), { mode: 0o600 });
  return file;
}
