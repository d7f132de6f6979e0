/**
 * docs/flows/registration.md, generated from the transition table (`npm run docs:flows`);
 * registration-doc.test.ts fails when the committed page is out of date.
 */
import { accountReviewDiagram } from './account-review';
import { registrationDiagram } from './registration';

export function registrationFlowDoc(): string {
  return [
    '# The registration flow',
    '',
    'Generated from `packages/core/src/flows/registration.ts` by `npm run docs:flows`; do not edit by hand.',
    '',
    'A stored, resumable flow record (architecture.md §5) that the app drives over the signed device',
    'API. States are named by what the citizen is waiting for; an action is accepted only from the',
    'states listed in the transition table (otherwise `409 flow_step_out_of_order`); an idle flow',
    'expires after 30 minutes (`410 flow_expired`). `awaiting_new_pin` is entered when the PIN chosen',
    'in step 1 turns out to be the birth date read from the document.',
    '',
    '```mermaid',
    registrationDiagram(),
    '```',
    '',
    '## After submission: the review and the resubmission of one part',
    '',
    'Generated from `packages/core/src/flows/account-review.ts`. The flow record ends in `submitted`;',
    'the account it created carries on. An officer approves, rejects (a rejection for suspected fraud',
    'waits for a second officer), or asks for one part again: the account moves to',
    '`resubmission_requested` (out of the queue, still holding its phone, e-mail and document) and',
    "the account's registered device starts the resubmission (`POST /api/device/v1/account/resubmission`,",
    'which names the part and, for liveness, issues a fresh challenge), then sends only that part',
    '(`…/resubmission/document-photo` or `…/resubmission/liveness`). The account returns to',
    '`pending_review` with a new review deadline (8 working hours from the resubmission), the old media',
    'of that part replaced and the evidence computed again. Another part answers',
    '`409 resubmission_part_mismatch`; a device whose account waits for nothing (or whose request was',
    'already used) answers `409 resubmission_not_requested`.',
    '',
    '```mermaid',
    accountReviewDiagram(),
    '```',
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('registration-doc.ts')) process.stdout.write(registrationFlowDoc());
