/**
 * docs/flows/registration.md, generated from the transition table (`npm run docs:flows`);
 * registration-doc.test.ts fails when the committed page is out of date.
 */
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
  ].join('\n');
}

if (process.argv[1]?.endsWith('registration-doc.ts')) process.stdout.write(registrationFlowDoc());
