/**
 * docs/flows/recovery.md, generated from the recovery's transition table (`npm run docs:flows`);
 * recovery-doc.test.ts fails when the committed page is out of date.
 */
import { recoveryDiagram } from './recovery';

export function recoveryFlowDoc(): string {
  return [
    '# The recovery flow (a new phone)',
    '',
    'Generated from `packages/core/src/flows/recovery.ts` by `npm run docs:flows`; do not edit by hand.',
    '',
    'User guide §2, "Existing User": a stored, resumable flow like the registration, signed by the new',
    "phone's device key (`/api/device/v1/recovery`). The registered number gets an SMS code only when it",
    'belongs to an account that can be recovered; any other number gets the same answers and no code, so',
    'no code can verify (enumeration safety). After the code: a new PIN (checked against the birth date),',
    'Face ID or not, then the face check that decides: the liveness recording judged against a fresh',
    'challenge, and the selfie and the recording matched against the face enrolled at registration (and',
    "the civil registry's portrait for Khmer ID cards). A failure leaves `awaiting_liveness` while tries",
    'are left (RECOVERY_MAX_FAILURES_PER_DAY, 3 in 24 hours); then, or when the account already waits for',
    'an officer or its last recovery was disputed, the flow ends in `referred` and the case is in the',
    "console's recovery referrals.",
    '',
    'On success (`recovered`), in one transaction: the new phone becomes the only device (with its Face',
    'ID), every other device, WebAuthn credential, single-sign-on session, grant, refresh and access',
    'token, client-API token and pending approval is revoked, the new PIN replaces the old one, a',
    "citizen's own lock is lifted, and the cooling-off starts (RECOVERY_COOLING_OFF_HOURS, 24): no",
    'phone or e-mail change and no face photo to relying parties. The e-mail address and the old phone',
    'are told at once; the e-mail carries a single-use "this wasn\'t me" link that undoes the recovery',
    '(every device out, the account locked as disputed, an officer referral).',
    '',
    '```mermaid',
    recoveryDiagram(),
    '```',
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('recovery-doc.ts')) process.stdout.write(recoveryFlowDoc());
