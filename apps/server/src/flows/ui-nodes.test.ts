/**
 * The code step after the citizen typed their number (issue 16, item 4), in registration and in
 * recovery: the message names the number in full, as written in the field above it (never half
 * masked in one line and whole in the next), with no hedge such as "If this address can receive
 * codes", in Khmer and English.
 */
import { displayPhone } from '@camdigikey/core/identity/phone';
import { format, type MessageId } from '@camdigikey/messages';
import { describe, expect, it } from 'vitest';
import { flowPost, phoneCodeStep } from './ui-nodes';

const PHONE = '+85512345678';
const post = flowPost('/api/device/v1/registration', '0b7c1f64-5a0e-4c55-9a8e-2f1b7d3e9c10');

describe('the code step', () => {
  for (const state of ['registration.state.awaiting_phone_code', 'recovery.state.awaiting_phone_code']) {
    it(`${state} names the number in full, without a hedge`, () => {
      const step = phoneCodeStep(post, PHONE, (context) => ({ id: state, type: 'info', context }));
      const shown = displayPhone(PHONE);
      expect(step.nodes[0]?.attributes?.display).toBe(shown);
      for (const lang of ['km', 'en'] as const) {
        const texts = step.messages.map((m) => format(m.id as MessageId, lang, m.context));
        const all = texts.join(' ');
        expect(all, lang).toContain(shown);
        expect(all, lang).not.toMatch(/\*|•|If this|if it can|ប្រសិនបើ/);
        expect(texts, lang).toHaveLength(2);
      }
    });
  }
});
