/**
 * `npm run demo:register [-- <baseUrl>]`: walks a fresh synthetic citizen through the whole
 * registration against a running server (`npm start`), as the app would, reading the SMS and
 * e-mail codes from the development outbox, and prints each step and the review deadline.
 */
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { extractOtp } from '@camdigikey/testkit/smtp-inbox';
import { TestDevice } from '@camdigikey/testkit/test-device';

const base = (process.argv[2] ?? process.env.PUBLIC_URL ?? 'http://localhost:8080').replace(/\/$/, '');

async function codeFor(to: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const response = await fetch(`${base}/dev/outbox.json`);
    if (!response.ok)
      throw new Error(`the outbox is not available at ${base}/dev/outbox.json (development only)`);
    const { messages } = (await response.json()) as { messages: { to: string; text: string }[] };
    const code = [...messages].reverse().find((m) => m.to === to);
    const otp = code ? extractOtp(code.text) : null;
    if (otp) return otp;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no code arrived for ${to}`);
}

const citizen = makeCitizen(Math.floor(Math.random() * 9_000_000));
console.log(
  `Registering ${citizen.latinGivenName} ${citizen.latinSurname} (${citizen.khmerSurname} ${citizen.khmerGivenName}), ${citizen.phone}`,
);
const device = await TestDevice.create(base);
const flow = await walkRegistration(device, citizen, { otp: { sms: codeFor, email: codeFor } });
console.log(`flow ${flow.id}: ${flow.state}`);
console.log(
  `account ${flow.account?.id}: ${flow.account?.status}, review deadline ${flow.account?.reviewDeadline}`,
);
