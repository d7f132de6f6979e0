/**
 * "Me" → change the PIN (the old PIN counts toward the lock like any PIN), lock the account at
 * once (then only recovery or an officer unlocks it), and download everything the platform holds
 * (the data export, as a JSON file).
 */
import { useState } from 'react';
import { deviceApi } from '../../api/device-api';
import { useSession } from '../../session';
import { ErrorBox, Notice } from '../../ui/components';
import { PinPad, pinsComplete } from '../../ui/PinPad';
import { useT } from '../../ui/use-t';

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function ChangePinSection() {
  const { t } = useT();
  const { busy, error, run } = useAction();
  const [values, setValues] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  const names = ['oldPin', 'newPin', 'newPinConfirmation'];
  const differ = pinsComplete(names, values) && values.newPin !== values.newPinConfirmation;
  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        setDone(false);
        const ok = await run(async () => {
          await deviceApi.changePin(
            values.oldPin ?? '',
            values.newPin ?? '',
            values.newPinConfirmation ?? '',
          );
        });
        setValues({});
        setDone(ok);
      }}
    >
      <PinPad
        fields={[
          { name: 'oldPin', label: t('me.pin.old') },
          { name: 'newPin', label: t('me.pin.new') },
          {
            name: 'newPinConfirmation',
            label: t('me.pin.retype'),
            ...(differ ? { error: t('pin.mismatch') } : {}),
          },
        ]}
        values={values}
        onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
        disabled={busy}
      />
      <ErrorBox error={error} />
      {done ? (
        <Notice tone="ok" testId="pin-changed">
          {t('me.pin.done')}
        </Notice>
      ) : null}
      <button
        type="submit"
        className="btn primary"
        data-testid="me-pin-submit"
        disabled={busy || !pinsComplete(names, values) || differ}
      >
        {t('me.pin.submit')}
      </button>
    </form>
  );
}

export function LockSection() {
  const { t } = useT();
  const { refreshStatus } = useSession();
  const { busy, error, run } = useAction();
  const [pin, setPin] = useState('');
  const [locked, setLocked] = useState(false);
  if (locked)
    return (
      <Notice tone="warn" testId="account-locked">
        {t('me.lock.done')}
      </Notice>
    );
  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        const ok = await run(async () => {
          await deviceApi.lock(pin);
        });
        setPin('');
        if (ok) {
          setLocked(true);
          await refreshStatus();
        }
      }}
    >
      <p>{t('me.lock.explain')}</p>
      <PinPad
        fields={[{ name: 'pin', label: t('approve.pin_label') }]}
        values={{ pin }}
        onChange={(_, v) => setPin(v)}
        disabled={busy}
      />
      <ErrorBox error={error} />
      <button
        type="submit"
        className="btn danger"
        data-testid="me-lock-submit"
        disabled={busy || pin.length !== 6}
      >
        {t('me.lock.submit')}
      </button>
    </form>
  );
}

export function ExportSection() {
  const { t } = useT();
  const { busy, error, run } = useAction();
  const [done, setDone] = useState(false);
  return (
    <div>
      <p>{t('me.export.explain')}</p>
      <button
        type="button"
        className="btn secondary"
        data-testid="me-export-download"
        disabled={busy}
        onClick={async () => {
          setDone(false);
          const ok = await run(async () => {
            const data = await deviceApi.exportData();
            const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
            const url = URL.createObjectURL(blob);
            const link = document.createElement('a');
            link.href = url;
            link.download = 'camdigikey-my-data.json';
            document.body.append(link);
            link.click();
            link.remove();
            setTimeout(() => URL.revokeObjectURL(url), 10_000);
          });
          setDone(ok);
        }}
      >
        {t('me.export.download')}
      </button>
      {done ? (
        <Notice tone="ok" testId="export-done">
          {t('me.export.done')}
        </Notice>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
