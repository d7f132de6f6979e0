/**
 * "Me" → devices and Face ID (accounts/devices.routes.ts): the phones of the account (this one
 * marked), when each was added and last used; remove another phone with the PIN (it can no longer
 * approve anything); Face ID on or off for this phone. Turning it on needs the PIN, then the phone's
 * own check of the face (a WebAuthn platform credential, webauthn.ts), offered only when the phone
 * has such an authenticator. The app remembers the choice (it decides whether approvals offer
 * Face ID) and keeps it in step with the server's list.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { type AccountDevice, deviceApi } from '../../api/device-api';
import { codeOf } from '../../api/errors';
import { useSession } from '../../session';
import { ErrorBox, Loading, Notice } from '../../ui/components';
import { PIN_LENGTH, PinPad } from '../../ui/PinPad';
import { useT } from '../../ui/use-t';
import { createFaceId, faceIdAvailable } from '../../webauthn/webauthn';
import { sortDevices } from './account-lists';

/** The PIN being asked for: to remove a phone, or to turn Face ID on. */
type Asking = { kind: 'remove'; id: string } | { kind: 'face_id'; id: string };
type Done = 'removed' | 'face_id_on' | 'face_id_off';

export function DevicesSection() {
  const { t, dateTime } = useT();
  const session = useSession();
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const [devices, setDevices] = useState<AccountDevice[]>();
  const [listError, setListError] = useState<unknown>();
  const [capable, setCapable] = useState<boolean>();
  const [asking, setAsking] = useState<Asking>();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  /** An error about one device (shown in its card). */
  const [error, setError] = useState<{ id: string; error: unknown }>();
  const [done, setDone] = useState<Done>();

  /** Keep the app's "Face ID on this phone" in step with the server. */
  const remember = useCallback(async (faceId: boolean) => {
    const { account, becomeDevice } = sessionRef.current;
    if (account && account.faceId !== faceId) await becomeDevice({ ...account, faceId });
  }, []);

  const load = useCallback(async () => {
    try {
      const answer = await deviceApi.devices();
      const sorted = sortDevices(answer.devices);
      setDevices(sorted);
      setListError(undefined);
      const self = sorted.find((d) => d.thisDevice);
      if (self) await remember(self.faceId);
    } catch (caught) {
      setListError(caught);
    }
  }, [remember]);

  useEffect(() => {
    void load();
    void faceIdAvailable().then(setCapable);
  }, [load]);

  const ask = (next: Asking | undefined) => {
    setAsking(next);
    setPin('');
    setError(undefined);
    setDone(undefined);
  };

  /** Run a change about one device, then ask for the list again. */
  const act = async (id: string, work: () => Promise<Done | undefined>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const outcome = await work();
      if (outcome) {
        setDone(outcome);
        setAsking(undefined);
      }
    } catch (caught) {
      setError({ id, error: caught });
    } finally {
      setPin('');
      await load();
      setBusy(false);
    }
  };

  const removeDevice = (id: string) =>
    act(id, async () => {
      await deviceApi.removeDevice(id, pin);
      return 'removed';
    });

  const turnOn = (id: string) =>
    act(id, async () => {
      const { enrolmentId, publicKey } = await deviceApi.faceIdOptions(pin);
      let credential: Record<string, unknown>;
      try {
        credential = await createFaceId(publicKey);
      } catch {
        setError({ id, error: t('me.faceid.cancelled') });
        return undefined;
      }
      await deviceApi.enableFaceId(enrolmentId, credential);
      await remember(true);
      return 'face_id_on';
    });

  const turnOff = (id: string) =>
    act(id, async () => {
      try {
        await deviceApi.disableFaceId();
      } catch (caught) {
        // Already off on the server (e.g. turned off from another screen): the same outcome.
        if (codeOf(caught) !== 'not_found') throw caught;
      }
      await remember(false);
      return 'face_id_off';
    });

  if (!devices && !listError) return <Loading />;

  const pinForm = (id: string, explain: string, submit: string, testId: string, onSubmit: () => void) => (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (pin.length === PIN_LENGTH) onSubmit();
      }}
    >
      <p>{explain}</p>
      <PinPad
        fields={[{ name: 'devicePin', label: t('approve.pin_label') }]}
        values={{ devicePin: pin }}
        onChange={(_, value) => setPin(value)}
        disabled={busy}
      />
      {error?.id === id ? <ErrorBox error={error.error} testId="device-error" /> : null}
      <div className="decision">
        <button
          type="button"
          className="btn secondary"
          data-testid={`${testId}-cancel`}
          disabled={busy}
          onClick={() => ask(undefined)}
        >
          {t('common.cancel')}
        </button>
        <button
          type="submit"
          className={testId === 'device-remove' ? 'btn danger' : 'btn primary'}
          data-testid={`${testId}-confirm`}
          disabled={busy || pin.length !== PIN_LENGTH}
        >
          {submit}
        </button>
      </div>
    </form>
  );

  return (
    <div>
      <p className="hint">{t('me.devices.explain')}</p>
      {done === 'removed' ? (
        <Notice tone="ok" testId="device-removed">
          {t('me.devices.removed')}
        </Notice>
      ) : null}
      {done === 'face_id_on' ? (
        <Notice tone="ok" testId="face-id-enabled">
          {t('me.faceid.enabled')}
        </Notice>
      ) : null}
      {done === 'face_id_off' ? (
        <Notice tone="ok" testId="face-id-disabled">
          {t('me.faceid.disabled')}
        </Notice>
      ) : null}
      <ErrorBox error={listError} testId="devices-error" />
      {!devices ? (
        <button
          type="button"
          className="btn secondary"
          data-testid="devices-retry"
          onClick={() => void load()}
        >
          {t('common.retry')}
        </button>
      ) : null}
      <ul className="connections" data-testid="devices-list">
        {devices?.map((device) => (
          <li
            key={device.id}
            className="card"
            data-testid={`device-${device.id}`}
            data-this-device={device.thisDevice}
          >
            <p className="rp-name">
              {device.thisDevice ? t('me.devices.this_phone') : t('me.devices.other_phone')}
            </p>
            <dl className="facts">
              <div className="row">
                <dt>{t('me.devices.added')}</dt>
                <dd data-testid="device-added">{dateTime(device.createdAt)}</dd>
              </div>
              <div className="row">
                <dt>{t('me.devices.last_used')}</dt>
                <dd data-testid="device-last-used">
                  {device.lastSeenAt ? dateTime(device.lastSeenAt) : t('me.devices.never_used')}
                </dd>
              </div>
              {device.thisDevice ? null : (
                <div className="row">
                  <dt>{t('me.devices.face_id')}</dt>
                  <dd data-testid="device-face-id" data-on={device.faceId}>
                    {device.faceId ? t('me.devices.face_id_on') : t('me.devices.face_id_off')}
                  </dd>
                </div>
              )}
            </dl>
            {device.thisDevice ? (
              <div data-testid="face-id">
                <p data-testid="face-id-state" data-on={device.faceId}>
                  {device.faceId ? t('me.faceid.on') : t('me.faceid.off')}
                </p>
                {asking?.kind === 'face_id' ? (
                  pinForm(
                    device.id,
                    t('me.faceid.pin_explain'),
                    t('me.faceid.turn_on'),
                    'face-id-on',
                    () => void turnOn(device.id),
                  )
                ) : device.faceId ? (
                  <button
                    type="button"
                    className="btn secondary"
                    data-testid="face-id-off"
                    disabled={busy}
                    onClick={() => void turnOff(device.id)}
                  >
                    {t('me.faceid.turn_off')}
                  </button>
                ) : capable === false ? (
                  <Notice testId="face-id-unavailable">{t('me.faceid.unavailable')}</Notice>
                ) : capable ? (
                  <button
                    type="button"
                    className="btn primary"
                    data-testid="face-id-on"
                    disabled={busy}
                    onClick={() => ask({ kind: 'face_id', id: device.id })}
                  >
                    {t('me.faceid.turn_on')}
                  </button>
                ) : null}
                {asking?.kind !== 'face_id' && error?.id === device.id ? (
                  <ErrorBox error={error.error} testId="device-error" />
                ) : null}
              </div>
            ) : asking?.kind === 'remove' && asking.id === device.id ? (
              pinForm(
                device.id,
                t('me.devices.remove_explain'),
                t('me.devices.remove_confirm'),
                'device-remove',
                () => void removeDevice(device.id),
              )
            ) : (
              <button
                type="button"
                className="btn danger"
                data-testid={`device-remove-${device.id}`}
                disabled={busy}
                onClick={() => ask({ kind: 'remove', id: device.id })}
              >
                {t('me.devices.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
