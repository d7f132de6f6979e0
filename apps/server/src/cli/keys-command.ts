/**
 * `npm run keys -- rewrap [--check] | rotate-signing [--keep-days N]` (issue 15, item 5), the
 * commands of the key-rotation runbooks (docs/operations.md §6):
 *   rewrap          re-seal every value not sealed under the first KEK of DATA_KEKS, in batches,
 *                   safe while instances run; prints per table what it re-sealed and what is left
 *                   under each old KEK id. Exits 1 while anything is left (run it again).
 *   rewrap --check  only reports what is left under each old KEK id (0 remaining: the old KEKs
 *                   can be removed from DATA_KEKS).
 *   rotate-signing  retires the active OIDC signing keys (still published for --keep-days, 30 by
 *                   default) and creates new ones; prints the new kids; audited.
 * Prints counts and key ids only, never a value.
 */
import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-log';
import type { Envelope } from '../crypto/envelope';
import { checkRewrap, formatRewrapReport, rewrapAll } from '../keys/rewrap';
import { rotateSigningKeys } from '../oidc/keys';

export const KEYS_USAGE = 'usage: keys rewrap [--check] [--batch N] | keys rotate-signing [--keep-days N]';

export interface KeysCommandContext {
  db: Kysely<Database>;
  envelope: Envelope;
  now(): Date;
  print(line: string): void;
}

function option(args: readonly string[], name: string): number | undefined | 'bad' {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = Number(args[at + 1]);
  return Number.isInteger(value) && value > 0 ? value : 'bad';
}

/** Runs one `keys` sub-command; the process exit code. */
export async function keysCommand(args: readonly string[], ctx: KeysCommandContext): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'rewrap') {
    const batch = option(rest, '--batch');
    if (batch === 'bad') {
      ctx.print(KEYS_USAGE);
      return 2;
    }
    const check = rest.includes('--check');
    const report = check
      ? await checkRewrap(ctx.db, ctx.envelope)
      : await rewrapAll(ctx.db, ctx.envelope, batch ? { batchSize: batch } : {});
    for (const line of formatRewrapReport(ctx.envelope, report, check)) ctx.print(line);
    const left = report.some((r) => r.failed > 0 || Object.keys(r.remaining).length > 0);
    return left ? 1 : 0;
  }
  if (command === 'rotate-signing') {
    const keepDays = option(rest, '--keep-days') ?? 30;
    if (keepDays === 'bad') {
      ctx.print(KEYS_USAGE);
      return 2;
    }
    const now = ctx.now();
    const before = new Set(
      (await ctx.db.selectFrom('signing_keys').select('kid').execute()).map((r) => r.kid),
    );
    await rotateSigningKeys(ctx.db, ctx.envelope, keepDays * 86_400, now);
    const fresh = (
      await ctx.db.selectFrom('signing_keys').select(['kid', 'alg']).where('retired_at', 'is', null).execute()
    ).filter((r) => !before.has(r.kid));
    await recordAudit(
      ctx.db,
      {
        actorType: 'admin',
        actorId: 'cli',
        action: 'oidc.signing_keys_rotated',
        subjectType: 'signing_keys',
        details: { kids: fresh.map((r) => r.kid), retiredKids: [...before], keepDays },
      },
      now,
    );
    for (const r of fresh) ctx.print(`new ${r.alg} signing key: ${r.kid}`);
    ctx.print(
      `retired keys stay in the JWKS for ${keepDays} days; roll the web instances to sign with the new keys`,
    );
    return 0;
  }
  ctx.print(KEYS_USAGE);
  return 2;
}
