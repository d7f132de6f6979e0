import { describe, expect, it } from 'vitest';
import type { ContactChange } from '../../api/device-api';
import {
  addressLooksValid,
  type ContactEvent,
  type ContactState,
  canSend,
  canVerify,
  cleanAddress,
  contactReducer,
  initialContact,
  resendWait,
  startRequest,
} from './contact-change';

const NOW = Date.parse('2025-06-01T03:00:00.000Z');
const ID = '0b9c6a52-5f0e-4d1a-9d55-3f0f3c1f6a11';

const change = (extra: Partial<ContactChange> = {}): ContactChange => ({
  id: ID,
  channel: 'sms',
  state: 'awaiting_code',
  target: '+855 ** *** 678',
  resendAt: '2025-06-01T03:01:00.000Z',
  codeExpiresAt: '2025-06-01T03:05:00.000Z',
  ...extra,
});

const play = (events: ContactEvent[], from: ContactState = initialContact()) =>
  events.reduce(contactReducer, from);

const typed: ContactEvent[] = [
  { type: 'value', value: '០១២ ៣៤៥ ៦៧៨' },
  { type: 'pin', pin: '123456' },
];

describe('changing the phone number or e-mail', () => {
  it('starts on the phone number, and switching the channel clears the address but not the PIN', () => {
    expect(initialContact()).toEqual({ step: 'address', channel: 'sms', value: '', pin: '' });
    const state = play([
      { type: 'value', value: '012345678' },
      { type: 'pin', pin: '123456' },
      { type: 'channel', channel: 'email' },
    ]);
    expect(state).toEqual({ step: 'address', channel: 'email', value: '', pin: '123456' });
    expect(play([{ type: 'channel', channel: 'sms' }])).toEqual(initialContact());
  });

  it('keeps Western digits of a phone number typed in Khmer digits, and at most 6 PIN digits', () => {
    const state = play([
      { type: 'value', value: '០១២ ៣៤៥ ៦៧៨' },
      { type: 'pin', pin: '៧x1234567' },
    ]);
    expect(state).toMatchObject({ value: '012 345 678', pin: '712345' });
    expect(cleanAddress('email', ' dara @ example.kh ')).toBe('dara@example.kh');
  });

  it('sends only with a plausible address and a full PIN', () => {
    expect(canSend(play([{ type: 'value', value: '012 345 678' }]))).toBe(false);
    expect(
      canSend(
        play([
          { type: 'value', value: '012 345 678' },
          { type: 'pin', pin: '123456' },
        ]),
      ),
    ).toBe(true);
    expect(
      canSend(
        play([
          { type: 'value', value: '12345' },
          { type: 'pin', pin: '123456' },
        ]),
      ),
    ).toBe(false);
    expect(addressLooksValid('sms', '+855 12 345 678')).toBe(true);
    expect(addressLooksValid('sms', '012-345-678')).toBe(true);
    expect(addressLooksValid('sms', '012 345 67a')).toBe(false);
    expect(addressLooksValid('email', 'dara@example.kh')).toBe(true);
    expect(addressLooksValid('email', 'dara@')).toBe(false);
    expect(addressLooksValid('email', 'dara.example.kh')).toBe(false);
  });

  it('sends the trimmed address with the channel and the PIN', () => {
    const state = play([
      { type: 'channel', channel: 'email' },
      { type: 'value', value: 'dara@example.kh' },
      { type: 'pin', pin: '123456' },
    ]);
    if (state.step !== 'address') throw new Error(state.step);
    expect(startRequest(state)).toEqual({ channel: 'email', value: 'dara@example.kh', pin: '123456' });
  });

  it('asks for the code once it was sent, forgetting the PIN', () => {
    const state = play([...typed, { type: 'sent', change: change(), now: NOW }]);
    expect(state).toEqual({
      step: 'code',
      channel: 'sms',
      value: '012 345 678',
      changeId: ID,
      target: '+855 ** *** 678',
      code: '',
      resendAt: Date.parse('2025-06-01T03:01:00.000Z'),
    });
    expect(JSON.stringify(state)).not.toContain('123456');
    expect(resendWait(state, NOW)).toBe(60);
    expect(resendWait(state, NOW + 59_500)).toBe(1);
    expect(resendWait(state, NOW + 61_000)).toBe(0);
    expect(resendWait(initialContact(), NOW)).toBe(0);
  });

  it('allows a new code at once when the server gave no time', () => {
    const state = play([...typed, { type: 'sent', change: change({ resendAt: undefined }), now: NOW }]);
    expect(resendWait(state, NOW)).toBe(0);
  });

  it('verifies a full code only, and ignores typing in the wrong step', () => {
    let state = play([...typed, { type: 'sent', change: change(), now: NOW }]);
    state = contactReducer(state, { type: 'value', value: 'ignored' });
    state = contactReducer(state, { type: 'code', code: '១២៣ 45' });
    expect(state).toMatchObject({ value: '012 345 678', code: '12345' });
    expect(canVerify(state)).toBe(false);
    state = contactReducer(state, { type: 'code', code: '1234567' });
    expect(state).toMatchObject({ code: '123456' });
    expect(canVerify(state)).toBe(true);
    expect(canVerify(initialContact())).toBe(false);
  });

  it('restarts the resend countdown after a new code', () => {
    const first = play([...typed, { type: 'sent', change: change(), now: NOW }]);
    const again = contactReducer(contactReducer(first, { type: 'code', code: '111' }), {
      type: 'sent',
      change: change({ resendAt: '2025-06-01T03:03:00.000Z' }),
      now: NOW + 70_000,
    });
    expect(again).toMatchObject({ step: 'code', code: '', resendAt: Date.parse('2025-06-01T03:03:00.000Z') });
  });

  it('is done once verified, with the new address', () => {
    const state = play([
      ...typed,
      { type: 'sent', change: change(), now: NOW },
      { type: 'code', code: '123456' },
      { type: 'verified', change: change({ state: 'changed', resendAt: undefined }) },
    ]);
    expect(state).toEqual({ step: 'done', channel: 'sms', target: '+855 ** *** 678' });
    expect(contactReducer(state, { type: 'restart' })).toEqual(initialContact('sms'));
  });

  it('clears the PIN after a refused start (e.g. the cooling-off after a recovery)', () => {
    const state = play([...typed, { type: 'failed', code: 'recovery_cooling_off' }]);
    expect(state).toEqual({ step: 'address', channel: 'sms', value: '012 345 678', pin: '' });
  });

  it('clears a wrong code, and waits as long as the server says before a new one', () => {
    const sent = play([
      ...typed,
      { type: 'sent', change: change(), now: NOW },
      { type: 'code', code: '000000' },
    ]);
    expect(contactReducer(sent, { type: 'failed', code: 'otp_invalid' })).toMatchObject({
      step: 'code',
      code: '',
    });
    const later = contactReducer(sent, {
      type: 'failed',
      code: 'otp_resend_too_soon',
      retryAfterSeconds: 30,
      now: NOW + 40_000,
    });
    expect(resendWait(later, NOW + 40_000)).toBe(30);
  });

  it('goes back to the address as typed when the change is gone, or on request', () => {
    const sent = play([...typed, { type: 'sent', change: change(), now: NOW }]);
    const back = { step: 'address', channel: 'sms', value: '012 345 678', pin: '' };
    expect(contactReducer(sent, { type: 'failed', code: 'flow_expired' })).toEqual(back);
    expect(contactReducer(sent, { type: 'restart' })).toEqual(back);
  });

  it('ignores events that do not belong to the step', () => {
    const start = initialContact();
    expect(contactReducer(start, { type: 'code', code: '123456' })).toBe(start);
    expect(contactReducer(start, { type: 'verified', change: change({ state: 'changed' }) })).toBe(start);
    expect(contactReducer(start, { type: 'restart' })).toBe(start);
    const done: ContactState = { step: 'done', channel: 'email', target: 'a@b.kh' };
    expect(contactReducer(done, { type: 'sent', change: change(), now: NOW })).toBe(done);
    expect(contactReducer(done, { type: 'failed', code: 'otp_invalid' })).toBe(done);
    expect(contactReducer(done, { type: 'channel', channel: 'sms' })).toBe(done);
  });
});
