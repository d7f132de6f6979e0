/**
 * `npx camdigikey-device`: the test device as a command line, so an integrator can run a whole
 * CamDigiKey login on a laptop without a phone (development servers only). It acts as one of the
 * demo citizens that `npm start` seeds (their device keys are in DATA_DIR/demo-devices.json).
 *
 *   npx camdigikey-device approve              approve the newest web login waiting for a phone
 *                                              (the QR page open in your browser), with the PIN
 *   npx camdigikey-device approve <token|url>  approve an app-to-app login: a client-API login
 *                                              token, `camdigikey://login?token=…` or a loginUrl;
 *                                              prints the URL the app returns to (authToken)
 *   npx camdigikey-device reject [<token|url>] the same, declining
 *   options: --server <url> (default PUBLIC_URL or http://localhost:8080), --data-dir <dir>
 *            (default DATA_DIR or .data), --as <n | phone> (which demo citizen; default the first active)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { TestDevice } from './test-device';

interface DemoIdentity {
  accountId: string;
  status: string;
  phone: string;
  pin: string;
  privateJwk: JWK;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}

/** The login token inside a token, a `camdigikey://login?token=` link or a `loginUrl`. */
export function loginTokenOf(input: string): string {
  if (/^[A-Za-z]+:\/\//.test(input) || input.startsWith('camdigikey:')) {
    const url = new URL(input);
    return url.searchParams.get('token') ?? url.searchParams.get('loginToken') ?? input;
  }
  return input;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runDeviceCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo,
  options: { now?: () => Date } = {},
): Promise<number> {
  const args = [...argv];
  const server = (option(args, '--server') ?? env.PUBLIC_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  const dataDir = option(args, '--data-dir') ?? env.DATA_DIR ?? '.data';
  const as = option(args, '--as');
  const [command, target] = args;
  if (command !== 'approve' && command !== 'reject') {
    io.err('usage: camdigikey-device approve|reject [<login token | camdigikey://login?token=… | loginUrl>]');
    return 2;
  }
  let identities: DemoIdentity[];
  try {
    identities = JSON.parse(readFileSync(join(dataDir, 'demo-devices.json'), 'utf8')) as DemoIdentity[];
  } catch {
    io.err(
      `no demo identities in ${join(dataDir, 'demo-devices.json')}: start the server with DEMO_DATA=true (npm start)`,
    );
    return 1;
  }
  const who =
    as === undefined
      ? identities.find((i) => i.status === 'active')
      : /^\d+$/.test(as)
        ? identities[Number(as)]
        : identities.find((i) => i.phone.endsWith(as.replace(/^0/, '')));
  if (!who) {
    io.err('no such demo identity (see demo-devices.json)');
    return 1;
  }
  const device = await TestDevice.fromPrivateJwk(server, who.privateJwk, options);

  if (target) {
    const loginToken = loginTokenOf(target);
    const inspected = await device.call<{ relyingParty?: { name: string; domain: string }; error?: unknown }>(
      'POST',
      '/api/device/v1/app-login/inspect',
      { loginToken },
    );
    if (inspected.status !== 200) {
      io.err(`the login token was refused: ${JSON.stringify(inspected.body)}`);
      return 1;
    }
    io.out(
      `${inspected.body.relyingParty?.name} (${inspected.body.relyingParty?.domain}) asks to log in ${who.phone}`,
    );
    const answer = await device.call<{ callbackUrl?: string }>(
      'POST',
      `/api/device/v1/app-login/${command}`,
      command === 'approve' ? { loginToken, pin: who.pin } : { loginToken },
    );
    if (answer.status !== 200 || !answer.body.callbackUrl) {
      io.err(`refused: ${JSON.stringify(answer.body)}`);
      return 1;
    }
    io.out(`return to the app: ${answer.body.callbackUrl}`);
    return 0;
  }

  const latest = await fetch(`${server}/dev/login-requests/latest`);
  if (latest.status !== 200) {
    io.err('no web login is waiting: open a relying party and click "Log in with CamDigiKey" first');
    return 1;
  }
  const waiting = (await latest.json()) as {
    id: string;
    qr?: string;
    relyingParty?: { name: string; domain: string };
  };
  if (!waiting.qr) {
    io.err('the newest web login was already scanned');
    return 1;
  }
  const scan = await device.call<{ requestId: string; choices: string[] }>(
    'POST',
    '/api/device/v1/login/scan',
    {
      qr: waiting.qr,
    },
  );
  if (scan.status !== 200) {
    io.err(`the scan was refused: ${JSON.stringify(scan.body)}`);
    return 1;
  }
  io.out(`${waiting.relyingParty?.name} (${waiting.relyingParty?.domain}) asks to log in ${who.phone}`);
  if (command === 'reject') {
    await device.call('POST', `/api/device/v1/login/${scan.body.requestId}/reject`, {});
    io.out('declined: the browser returns to the relying party');
    return 0;
  }
  // A person reads the number the browser shows; the CLI asks the development server for it.
  let matchCode: string | undefined;
  for (let i = 0; i < 20 && !matchCode; i++) {
    const r = await fetch(`${server}/dev/login-requests/latest`);
    matchCode = r.status === 200 ? ((await r.json()) as { matchCode?: string }).matchCode : undefined;
    if (!matchCode) await sleep(100);
  }
  if (!matchCode || !scan.body.choices.includes(matchCode)) {
    io.err('could not read the number shown in the browser');
    return 1;
  }
  const approved = await device.call('POST', `/api/device/v1/login/${scan.body.requestId}/approve`, {
    matchCode,
    pin: who.pin,
  });
  if (approved.status !== 200) {
    io.err(`the approval was refused: ${JSON.stringify(approved.body)}`);
    return 1;
  }
  io.out(`approved with the number ${matchCode} and the PIN: the browser continues`);
  return 0;
}
