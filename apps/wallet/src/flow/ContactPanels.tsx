/**
 * Step 1/4 contacts (and recovery 1/3): the phone number or e-mail with "Send OTP", then the
 * 6-digit code with "Verify", "Send a new code" after the server's resend time, and a way to
 * correct the address.
 */
import { useState } from 'react';
import type { UiAction, UiNode } from '../api/device-api';
import { fromKhmerDigits } from '../i18n/digits';
import { useNow } from '../ui/components';
import { useT } from '../ui/use-t';
import type { NodeFieldProps, PanelProps } from './panel-props';
import { channelOf } from './step-plan';

function AddressInput({ node, value, onChange, error, disabled }: NodeFieldProps) {
  const { t, server } = useT();
  const tel = node.type === 'tel';
  return (
    <label className="field">
      <span className="label">{server(node.labelId)}</span>
      <input
        name={node.name}
        data-testid={`input-${node.name}`}
        type={tel ? 'tel' : 'email'}
        inputMode={tel ? 'tel' : 'email'}
        autoComplete={String(node.attributes?.autocomplete ?? (tel ? 'tel' : 'email'))}
        placeholder={tel ? t('contact.phone_placeholder') : t('contact.email_placeholder')}
        required={node.required}
        maxLength={tel ? 32 : 254}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(tel ? fromKhmerDigits(event.target.value) : event.target.value)}
      />
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}

export function ContactPanel({ p, address, send }: { p: PanelProps; address: UiNode; send: UiAction }) {
  const { server } = useT();
  const [value, setValue] = useState(typeof address.value === 'string' ? address.value : '');
  return (
    <form
      noValidate
      className="panel"
      onSubmit={(event) => {
        event.preventDefault();
        void p.run(send, { [address.name]: value.trim() });
      }}
    >
      <AddressInput
        node={address}
        value={value}
        onChange={setValue}
        error={p.fieldErrors[address.name]}
        disabled={p.busy}
      />
      <button
        type="submit"
        className="btn primary"
        data-testid={`action-${send.name}`}
        disabled={p.busy || value.trim() === ''}
      >
        {server(send.labelId)}
      </button>
    </form>
  );
}

export function CodePanel({
  p,
  address,
  code,
  verify,
  resend,
  change,
}: {
  p: PanelProps;
  address: UiNode;
  code: UiNode;
  verify: UiAction;
  resend: UiAction | undefined;
  change: UiAction | undefined;
}) {
  const { t, server, countdown } = useT();
  const now = useNow();
  const [value, setValue] = useState('');
  const [editing, setEditing] = useState(false);
  const [newAddress, setNewAddress] = useState(typeof address.value === 'string' ? address.value : '');
  const length = Number(code.attributes?.length ?? 6);
  const resendAt = p.resendAt[channelOf(address)] ?? 0;
  const wait = Math.max(0, (resendAt - now) / 1000);

  return (
    <div className="panel">
      {editing && change ? (
        <form
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            if ((await p.run(change, { [address.name]: newAddress.trim() })) !== undefined) {
              setEditing(false);
              setValue('');
            }
          }}
        >
          <AddressInput
            node={address}
            value={newAddress}
            onChange={setNewAddress}
            error={p.fieldErrors[address.name]}
            disabled={p.busy}
          />
          <button
            type="submit"
            className="btn primary"
            data-testid={`action-${change.name}`}
            disabled={p.busy || newAddress.trim() === ''}
          >
            {server(change.labelId)}
          </button>
        </form>
      ) : (
        <div className="sent-to">
          <span className="label">{server(address.labelId)}</span>
          <span className="value" data-testid={`sent-to-${address.name}`}>
            {String(address.attributes?.display ?? address.value ?? '')}
          </span>
          {change ? (
            <button
              type="button"
              className="btn link"
              data-testid="action-change_address"
              onClick={() => setEditing(true)}
            >
              {t('contact.change')}
            </button>
          ) : null}
        </div>
      )}
      <form
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          if ((await p.run(verify, { [code.name]: value })) === undefined) setValue('');
        }}
      >
        <label className="field">
          <span className="label">{server(code.labelId)}</span>
          <input
            name={code.name}
            data-testid={`input-${code.name}`}
            className="code-input"
            inputMode="numeric"
            autoComplete={String(code.attributes?.autocomplete ?? 'one-time-code')}
            pattern={`\\d{${length}}`}
            maxLength={length}
            required
            value={value}
            disabled={p.busy}
            aria-invalid={p.fieldErrors[code.name] ? true : undefined}
            onChange={(event) =>
              setValue(fromKhmerDigits(event.target.value).replace(/\D/g, '').slice(0, length))
            }
          />
        </label>
        <button
          type="submit"
          className="btn primary"
          data-testid={`action-${verify.name}`}
          disabled={p.busy || value.length !== length}
        >
          {server(verify.labelId)}
        </button>
      </form>
      {resend ? (
        <button
          type="button"
          className="btn secondary"
          data-testid={`action-${resend.name}`}
          disabled={p.busy || wait > 0}
          onClick={() => void p.run(resend, {})}
        >
          {wait > 0
            ? t('contact.resend_in', { action: server(resend.labelId), time: countdown(wait) })
            : server(resend.labelId)}
        </button>
      ) : null}
    </div>
  );
}
