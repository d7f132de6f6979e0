/**
 * "Me" → phone number and e-mail (accounts/contact.routes.ts): choose which, type the new one and
 * the PIN, send a code to it, type the code (or ask for a new one), and the account uses the new
 * address; the old one is told. The steps are the pure state machine of contact-change.ts. The
 * server's refusals (a wrong PIN, a wrong code, the 24-hour cooling-off after a recovery…) are
 * shown in its own words.
 */
import { useReducer, useState } from 'react';
import { type ContactChannel, deviceApi } from '../../api/device-api';
import { codeOf, isApiError } from '../../api/errors';
import { ErrorBox, Notice, useNow } from '../../ui/components';
import { PinPad } from '../../ui/PinPad';
import { useT } from '../../ui/use-t';
import {
  CODE_LENGTH,
  type ContactEvent,
  canSend,
  canVerify,
  contactReducer,
  initialContact,
  resendWait,
  startRequest,
} from './contact-change';

const CHANNELS: readonly ContactChannel[] = ['sms', 'email'];

/** The event of a failed call: its code, and how long to wait when a new code was asked too soon. */
function failure(error: unknown): ContactEvent {
  const wait = isApiError(error) ? error.details.retryAfterSeconds : undefined;
  return {
    type: 'failed',
    code: codeOf(error),
    ...(typeof wait === 'number' ? { retryAfterSeconds: wait, now: Date.now() } : {}),
  };
}

export function ContactSection() {
  const { t, server, countdown } = useT();
  const [state, dispatch] = useReducer(contactReducer, 'sms', initialContact);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const now = useNow();

  const run = async (work: () => Promise<ContactEvent>) => {
    setBusy(true);
    setError(undefined);
    try {
      dispatch(await work());
    } catch (caught) {
      setError(caught);
      dispatch(failure(caught));
    } finally {
      setBusy(false);
    }
  };

  if (state.step === 'done')
    return (
      <div>
        <Notice tone="ok" testId="contact-changed">
          {state.channel === 'sms'
            ? t('me.contact.phone_changed', { target: state.target })
            : t('me.contact.email_changed', { target: state.target })}
        </Notice>
        <button
          type="button"
          className="btn secondary"
          data-testid="contact-again"
          onClick={() => dispatch({ type: 'restart' })}
        >
          {t('me.contact.again')}
        </button>
      </div>
    );

  if (state.step === 'code') {
    const wait = resendWait(state, now);
    return (
      <div>
        <div className="sent-to">
          <span className="label">
            {state.channel === 'sms' ? t('me.contact.new_phone') : t('me.contact.new_email')}
          </span>
          <span className="value" data-testid="contact-sent-to">
            {state.target}
          </span>
        </div>
        <p className="hint">{t('me.contact.code_sent')}</p>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (!canVerify(state)) return;
            void run(async () => ({
              type: 'verified',
              change: await deviceApi.verifyContactChange(state.changeId, state.code),
            }));
          }}
        >
          <label className="field">
            <span className="label">{t('me.contact.code')}</span>
            <input
              name="code"
              data-testid="contact-code"
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={CODE_LENGTH}
              value={state.code}
              disabled={busy}
              onChange={(event) => dispatch({ type: 'code', code: event.target.value })}
            />
          </label>
          <ErrorBox error={error} testId="contact-error" />
          <button
            type="submit"
            className="btn primary"
            data-testid="contact-verify"
            disabled={busy || !canVerify(state)}
          >
            {server('action.verify')}
          </button>
        </form>
        <button
          type="button"
          className="btn secondary"
          data-testid="contact-resend"
          disabled={busy || wait > 0}
          onClick={() =>
            void run(async () => ({
              type: 'sent',
              change: await deviceApi.resendContactCode(state.changeId),
              now: Date.now(),
            }))
          }
        >
          {wait > 0
            ? t('contact.resend_in', { action: server('action.resend_otp'), time: countdown(wait) })
            : server('action.resend_otp')}
        </button>
        <button
          type="button"
          className="btn link"
          data-testid="contact-restart"
          disabled={busy}
          onClick={() => {
            setError(undefined);
            dispatch({ type: 'restart' });
          }}
        >
          {t('me.contact.restart')}
        </button>
      </div>
    );
  }

  const phone = state.channel === 'sms';
  const invalid = isApiError(error) && error.fields.some((f) => f.field === 'value');
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!canSend(state)) return;
        void run(async () => {
          const { channel, value, pin } = startRequest(state);
          return {
            type: 'sent',
            change: await deviceApi.startContactChange(channel, value, pin),
            now: Date.now(),
          };
        });
      }}
    >
      <p className="hint">{t('me.contact.explain')}</p>
      <fieldset className="field choice" data-testid="contact-channel">
        <legend className="label">{t('me.contact.what')}</legend>
        <div className="choices">
          {CHANNELS.map((channel) => (
            <label key={channel} className={state.channel === channel ? 'choice-item chosen' : 'choice-item'}>
              <input
                type="radio"
                name="contact-channel"
                value={channel}
                data-testid={`contact-channel-${channel}`}
                checked={state.channel === channel}
                disabled={busy}
                onChange={() => {
                  setError(undefined);
                  dispatch({ type: 'channel', channel });
                }}
              />
              <span>{channel === 'sms' ? t('me.contact.phone') : t('me.contact.email')}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field">
        <span className="label">{phone ? t('me.contact.new_phone') : t('me.contact.new_email')}</span>
        <input
          name="value"
          data-testid="contact-value"
          type={phone ? 'tel' : 'email'}
          inputMode={phone ? 'tel' : 'email'}
          autoComplete={phone ? 'tel' : 'email'}
          placeholder={phone ? t('contact.phone_placeholder') : t('contact.email_placeholder')}
          maxLength={phone ? 32 : 254}
          value={state.value}
          disabled={busy}
          aria-invalid={invalid ? true : undefined}
          onChange={(event) => dispatch({ type: 'value', value: event.target.value })}
        />
      </label>
      <PinPad
        fields={[{ name: 'contactPin', label: t('approve.pin_label') }]}
        values={{ contactPin: state.pin }}
        onChange={(_, value) => dispatch({ type: 'pin', pin: value })}
        disabled={busy}
      />
      <ErrorBox error={error} testId="contact-error" />
      <button
        type="submit"
        className="btn primary"
        data-testid="contact-send"
        disabled={busy || !canSend(state)}
      >
        {server('action.send_otp')}
      </button>
    </form>
  );
}
