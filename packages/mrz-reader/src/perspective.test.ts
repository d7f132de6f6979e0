// The read rate on phone photos taken at an angle, pinned on a sample of the cards READ-RATE.md was
// measured on (held-out seeds 1000…; `npm run mrz:eval` gives the full table): perspective tilt and yaw
// of 15°, both together with blur and JPEG, and the phone-like combination. No wrong MRZ may ever come
// back as certain; what is not read exactly must be an honest "uncertain" or "unreadable". About 25 s of
// CPU (32 simulated photos and reads); the long hook timeout only covers a heavily shared machine.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvalRow } from './eval';
import { cards, evaluate, PERTURBATIONS, table } from './eval';

const PINNED = ['tilt 15°', 'yaw 15°', 'yaw 15° + tilt 15° + blur 1 px + JPEG q60', 'phone-like:'];
const pinned = (name: string) => PINNED.some((p) => name === p || (p.endsWith(':') && name.startsWith(p)));

describe('readMrz on phone photos at an angle', () => {
  let rows: EvalRow[] = [];
  beforeAll(async () => {
    const chosen = PERTURBATIONS.filter((p) => pinned(p.name));
    rows = await evaluate(cards(8, 1000), chosen);
    console.log(table(rows));
  }, 900_000);

  it('measures every pinned perturbation on 8 cards (4 ID cards, 4 passports)', () => {
    expect(rows.map((r) => [r.name.split(':')[0], r.images])).toEqual(
      PINNED.map((name) => [name.replace(':', ''), 8]),
    );
  });

  it('never returns a wrong MRZ as certain', () => {
    expect(rows.map((r) => [r.name, r.wrongCertain])).toEqual(rows.map((r) => [r.name, 0]));
  });

  it('reads these 8 cards as READ-RATE.md does: every one at 15° of tilt or yaw, with blur and JPEG too', () => {
    // READ-RATE.md (40 cards, these 8 first): 40/40 for the first three rows, 37/40 phone-like with
    // 3 unsure reads, so at least 5 of these 8.
    for (const r of rows)
      expect(r.exact, r.name).toBeGreaterThanOrEqual(r.name.startsWith('phone-like') ? 5 : 8);
    expect(rows.reduce((n, r) => n + r.exact, 0)).toBeGreaterThanOrEqual(29);
  });
});
