import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { RECOVERY_FINAL_STATES, RECOVERY_TRANSITIONS } from './recovery';
import { recoveryFlowDoc } from './recovery-doc';

it('docs/flows/recovery.md is generated from the transition table and up to date', () => {
  const committed = readFileSync(new URL('../../../../docs/flows/recovery.md', import.meta.url), 'utf8');
  expect(committed).toBe(recoveryFlowDoc());
});

it('only the face check decides: nothing but submit_liveness reaches recovered', () => {
  const into = Object.entries(RECOVERY_TRANSITIONS)
    .filter(([, t]) => t.to.includes('recovered'))
    .map(([action]) => action);
  expect(into).toEqual(['submit_liveness']);
  for (const [action, t] of Object.entries(RECOVERY_TRANSITIONS))
    for (const final of RECOVERY_FINAL_STATES) expect(t.from, action).not.toContain(final);
});
