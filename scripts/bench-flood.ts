/**
 * `npm run bench:flood`: what a flood of console sign-ins with unknown user names costs the
 * citizens' PIN checks (issue 18). Each such sign-in is hashed (so the answer does not reveal who
 * exists), in a password pool of its own at a low CPU priority. Measured on a real server on
 * loopback, in three alternating rounds of the same run:
 *   - quiet:   PIN verifies/s through the citizens' pool, nothing else running;
 *   - control: the same while the flood runs but is refused before any hashing (503), which
 *              measures what receiving and answering the flood costs this process;
 *   - flood:   the same while the flood is hashed.
 * Prints flood/control (what the flood's hashing costs the citizens: goal ≥ 0.8×), control/quiet
 * and flood/quiet. The load generator runs in a process of its own (tests/support/signin-flood.mjs).
 * This was an assertion in tests/integration/password-flood.test.ts: speed is measured here, the
 * test keeps the properties that do not depend on the machine's speed.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AppError } from '../apps/server/src/errors';
import prepareTestDatabases from '../tests/support/global-setup';
import { startTestServer } from '../tests/support/server';

const FLOOD_PER_SECOND = Number(process.env.BENCH_FLOOD_PER_SECOND ?? 150);
const PER_PHASE = Number(process.env.BENCH_PIN_VERIFIES ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main() {
  // The test servers' databases are clones of a migrated template, as in the suite (PostgreSQL
  // when DATABASE_URL is set); without this the bench only ran on PGlite.
  const dropTemplate = await prepareTestDatabases();
  const server = await startTestServer({
    env: {
      TRUST_PROXY: 'true',
      PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE: '1000',
      PASSWORD_ATTEMPTS_PER_USERNAME_PER_MINUTE: '1000',
    },
  });
  try {
    const pins = server.deps.pins;
    const passwords = server.deps.passwords;
    const verifier = await pins.hash('482913');
    const inFlight = pins.stats().slots + pins.threads;

    async function pinRate(count: number): Promise<number> {
      let started = 0;
      const begin = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (started < count) {
            started++;
            if (!(await pins.verify(verifier, '482913'))) throw new Error('the PIN did not verify');
          }
        }),
      );
      return (count * 1000) / (performance.now() - begin);
    }

    async function startFlood(perSecond: number) {
      const child = fork(fileURLToPath(new URL('../tests/support/signin-flood.mjs', import.meta.url)), {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        detached: true,
      });
      const started = once(child, 'message');
      child.send({ url: server.url, perSecond });
      await started;
      return async () => {
        const answer = once(child, 'message');
        child.send('stop');
        const [{ statuses }] = (await answer) as [{ statuses: Record<string, number> }];
        await once(child, 'exit');
        return statuses;
      };
    }

    // The control refuses the flood before hashing, exactly where a full queue would.
    const ensureCapacity = passwords.ensureCapacity.bind(passwords);
    let refuseBeforeHashing = false;
    passwords.ensureCapacity = () => {
      if (refuseBeforeHashing)
        throw new AppError('service_unavailable', { details: { retryAfterSeconds: 1 } });
      ensureCapacity();
    };

    await pinRate(20); // warm both pools' threads
    const quiet: number[] = [];
    const control: number[] = [];
    const flooded: number[] = [];
    const answers: Record<string, number> = {};
    const hashedBefore = passwords.stats().completed;
    for (let round = 0; round < ROUNDS; round++) {
      server.clock.advance(60_000);
      quiet.push(await pinRate(PER_PHASE));
      const stop = await startFlood(FLOOD_PER_SECOND);
      refuseBeforeHashing = true;
      control.push(await pinRate(PER_PHASE));
      refuseBeforeHashing = false;
      flooded.push(await pinRate(PER_PHASE));
      for (const [status, count] of Object.entries(await stop()))
        answers[status] = (answers[status] ?? 0) + count;
    }
    passwords.ensureCapacity = ensureCapacity;

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const show = (xs: number[]) => xs.map((r) => r.toFixed(1)).join(', ');
    console.log(
      `CamDigiKey flood bench — ${server.deps.dbKind}, PIN pool ${pins.threads} threads, flood ${FLOOD_PER_SECOND}/s, ${PER_PHASE} PIN verifies per phase, ${ROUNDS} rounds\n`,
    );
    console.log(`PIN verifies/s  quiet   ${show(quiet)}`);
    console.log(`                control ${show(control)}  (flood refused before hashing)`);
    console.log(`                flood   ${show(flooded)}  (flood hashed in the password pool)`);
    console.log(
      `flood answers   ${JSON.stringify(answers)}; hashed ${passwords.stats().completed - hashedBefore}`,
    );
    const ratio = mean(flooded) / mean(control);
    console.log(
      `\nflood/control ${ratio.toFixed(2)}× (goal ≥ 0.80×)   control/quiet ${(mean(control) / mean(quiet)).toFixed(2)}×   flood/quiet ${(mean(flooded) / mean(quiet)).toFixed(2)}×`,
    );
  } finally {
    await server.close();
    await dropTemplate?.();
  }
}

await main();
