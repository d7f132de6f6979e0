/**
 * The keyed data steps of migrations (sealing personal data, keying OTP targets) work through a
 * table in batches: each batch in its own transaction, until one handles fewer rows than asked.
 */
import type { Database } from '@camdigikey/db';
import type { Kysely, Transaction } from 'kysely';

/** Runs `batch` (given its transaction) until it handles fewer than `size` rows; the total handled. */
export async function inBatches(
  db: Kysely<Database>,
  size: number,
  batch: (trx: Transaction<Database>) => Promise<number>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await db.transaction().execute(batch);
    total += done;
    if (done < size) return total;
  }
}
