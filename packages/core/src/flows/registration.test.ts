import { REGISTRATION_STATES } from '@camdigikey/contracts/registration';
import { describe, expect, it } from 'vitest';
import { canRun, REGISTRATION_STEP, REGISTRATION_TRANSITIONS, registrationDiagram } from './registration';

describe('registration transition table', () => {
  it('names only known states', () => {
    for (const { from, to } of Object.values(REGISTRATION_TRANSITIONS)) {
      for (const s of [...from, ...to]) expect(REGISTRATION_STATES).toContain(s);
    }
  });

  it('reaches submitted from awaiting_phone', () => {
    const seen = new Set<string>(['awaiting_phone']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const { from, to } of Object.values(REGISTRATION_TRANSITIONS)) {
        if (!from.some((f) => seen.has(f))) continue;
        for (const t of to) {
          if (!seen.has(t)) {
            seen.add(t);
            grew = true;
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([...REGISTRATION_STATES].sort());
  });

  it('lets nothing run after submission', () => {
    for (const action of Object.keys(REGISTRATION_TRANSITIONS) as (keyof typeof REGISTRATION_TRANSITIONS)[]) {
      expect(canRun('submitted', action)).toBe(false);
    }
  });

  it('keeps the order of the user guide: no document before liveness, no submit before consent', () => {
    expect(canRun('awaiting_liveness', 'submit_document')).toBe(false);
    expect(canRun('awaiting_phone', 'set_pin')).toBe(false);
    expect(canRun('awaiting_details', 'submit')).toBe(false);
    expect(canRun('awaiting_consent', 'submit')).toBe(false);
  });

  it('maps every state to a guide step between 1 and 4', () => {
    for (const s of REGISTRATION_STATES) expect(REGISTRATION_STEP[s].index).toBeGreaterThanOrEqual(1);
  });

  it('draws every transition in the diagram', () => {
    const diagram = registrationDiagram();
    expect(diagram).toContain('awaiting_phone_code --> awaiting_email: verify_phone_code');
    expect(diagram).toContain('awaiting_submission --> submitted: submit');
  });
});
