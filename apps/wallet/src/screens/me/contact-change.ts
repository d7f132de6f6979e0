/**
 * "Me" → phone number and e-mail: the steps of a change as a pure state machine (the screen,
 * Contact.tsx, only draws the state and calls the server):
 *
 *   address  choose phone or e-mail, type the new one and the PIN → "Send the code"
 *   code     the 6-digit code sent to the new address → "Verify" (or a new code, or start again)
 *   done     the address was changed (the server told the old one)
 *
 * The PIN is dropped as soon as it was sent, and after any error (it counts toward the lock, so it
 * is typed again rather than re-sent). A change the server no longer knows sends the citizen back
 * to the address, as typed.
 */
import type { ContactChange, ContactChannel } from '../../api/device-api';
import { fromKhmerDigits } from '../../i18n/digits';

export const CODE_LENGTH = 6;
const PIN_LENGTH = 6;

export type ContactState =
  | { step: 'address'; channel: ContactChannel; value: string; pin: string }
  | {
      step: 'code';
      channel: ContactChannel;
      value: string;
      changeId: string;
      /** The new address as the server shows it (a phone number masked). */
      target: string;
      code: string;
      /** When a new code may be asked for (epoch ms). */
      resendAt: number;
    }
  | { step: 'done'; channel: ContactChannel; target: string };

export type ContactEvent =
  | { type: 'channel'; channel: ContactChannel }
  | { type: 'value'; value: string }
  | { type: 'pin'; pin: string }
  | { type: 'code'; code: string }
  /** A code was sent (the change started, or a new code): the server's answer and the time now. */
  | { type: 'sent'; change: ContactChange; now: number }
  | { type: 'verified'; change: ContactChange }
  /** A call failed with this error code (and, for a code asked too soon, the seconds to wait). */
  | { type: 'failed'; code: string; retryAfterSeconds?: number; now?: number }
  | { type: 'restart' };

/** Error codes after which the change in progress is gone: start again from the address. */
const GONE = new Set(['flow_not_found', 'flow_expired', 'flow_step_out_of_order']);

export const initialContact = (channel: ContactChannel = 'sms'): ContactState => ({
  step: 'address',
  channel,
  value: '',
  pin: '',
});

const digits = (text: string, max: number) => fromKhmerDigits(text).replace(/\D/g, '').slice(0, max);

/** What the address field keeps of what was typed: Western digits for a phone, no spaces in an e-mail. */
export function cleanAddress(channel: ContactChannel, raw: string): string {
  return channel === 'sms' ? fromKhmerDigits(raw).slice(0, 32) : raw.replace(/\s+/g, '').slice(0, 254);
}

/** A first check before the server's own (which alone decides): enough digits, or a@b. */
export function addressLooksValid(channel: ContactChannel, value: string): boolean {
  const v = value.trim();
  if (channel === 'sms') {
    const count = v.replace(/\D/g, '').length;
    return count >= 8 && count <= 15 && /^\+?[\d\s().-]+$/.test(v);
  }
  return /^[^@\s]+@[^@\s]+$/.test(v) && v.length <= 254;
}

export const canSend = (state: ContactState): boolean =>
  state.step === 'address' &&
  state.pin.length === PIN_LENGTH &&
  addressLooksValid(state.channel, state.value);

export const canVerify = (state: ContactState): boolean =>
  state.step === 'code' && state.code.length === CODE_LENGTH;

/** The body of `POST /me/contact`. */
export function startRequest(state: ContactState & { step: 'address' }) {
  return { channel: state.channel, value: state.value.trim(), pin: state.pin };
}

/** Seconds until a new code may be asked for (0: now). */
export const resendWait = (state: ContactState, now: number): number =>
  state.step === 'code' ? Math.max(0, Math.ceil((state.resendAt - now) / 1000)) : 0;

export function contactReducer(state: ContactState, event: ContactEvent): ContactState {
  switch (event.type) {
    case 'channel':
      if (state.step !== 'address' || state.channel === event.channel) return state;
      return { ...state, channel: event.channel, value: '' };
    case 'value':
      return state.step === 'address' ? { ...state, value: cleanAddress(state.channel, event.value) } : state;
    case 'pin':
      return state.step === 'address' ? { ...state, pin: digits(event.pin, PIN_LENGTH) } : state;
    case 'code':
      return state.step === 'code' ? { ...state, code: digits(event.code, CODE_LENGTH) } : state;
    case 'sent': {
      if (state.step === 'done') return state;
      const { change, now } = event;
      if (change.state === 'changed') return { step: 'done', channel: change.channel, target: change.target };
      const resendAt = change.resendAt ? Date.parse(change.resendAt) : Number.NaN;
      return {
        step: 'code',
        channel: change.channel,
        value: state.value,
        changeId: change.id,
        target: change.target,
        code: '',
        resendAt: Number.isNaN(resendAt) ? now : resendAt,
      };
    }
    case 'verified':
      if (state.step !== 'code' || event.change.state !== 'changed') return state;
      return { step: 'done', channel: state.channel, target: event.change.target || state.target };
    case 'failed':
      if (state.step === 'address') return { ...state, pin: '' };
      if (state.step !== 'code') return state;
      if (GONE.has(event.code))
        return { step: 'address', channel: state.channel, value: state.value, pin: '' };
      if (event.code === 'otp_resend_too_soon' && event.retryAfterSeconds !== undefined && event.now)
        return { ...state, resendAt: event.now + event.retryAfterSeconds * 1000 };
      return { ...state, code: '' };
    case 'restart':
      if (state.step === 'code')
        return { step: 'address', channel: state.channel, value: state.value, pin: '' };
      if (state.step === 'done') return initialContact(state.channel);
      return state;
  }
}
