import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { registrationFlowDoc } from './registration-doc';

it('docs/flows/registration.md is generated from the transition table and up to date', () => {
  const committed = readFileSync(new URL('../../../../docs/flows/registration.md', import.meta.url), 'utf8');
  expect(committed).toBe(registrationFlowDoc());
});
