/**
 * Approving a login or a request on this phone (user guide 3.1.3, 3.2.4): the 6-digit PIN, or
 * Face ID when this phone has it; "Reject" is as large as "Approve" (architecture.md, decision 9).
 */
import { type ReactNode, useEffect, useState } from 'react';
import { useSession } from '../session';
import { faceIdAvailable } from '../webauthn/webauthn';
import { ErrorBox } from './components';
import { Icon } from './Icon';
import { PIN_LENGTH, PinPad } from './PinPad';
import { biometric } from './platform';
import { useT } from './use-t';

export function ApprovePanel({
  busy,
  error,
  onPin,
  onFaceId,
  onReject,
  children,
}: {
  busy: boolean;
  error: unknown;
  /** Approve with the PIN; resolves false when it failed (the PIN is cleared). */
  onPin: (pin: string) => Promise<boolean>;
  /** Approve with Face ID, when offered for this kind of approval. */
  onFaceId?: () => Promise<void>;
  onReject: () => void;
  children?: ReactNode;
}) {
  const { t } = useT();
  const { account } = useSession();
  const [pin, setPin] = useState('');
  const [canFaceId, setCanFaceId] = useState(false);
  const [waiting, setWaiting] = useState(false);

  useEffect(() => {
    if (onFaceId && account?.faceId) void faceIdAvailable().then(setCanFaceId);
  }, [onFaceId, account?.faceId]);

  return (
    <form
      noValidate
      className="approve"
      data-testid="approve-panel"
      onSubmit={async (event) => {
        event.preventDefault();
        if (pin.length !== PIN_LENGTH) return;
        if (!(await onPin(pin))) setPin('');
      }}
    >
      {canFaceId && onFaceId ? (
        <button
          type="button"
          className="btn primary"
          data-testid="approve-face-id"
          disabled={busy || waiting}
          onClick={async () => {
            setWaiting(true);
            try {
              await onFaceId();
            } finally {
              setWaiting(false);
            }
          }}
        >
          <Icon name={biometric() === 'android' ? 'fingerprint' : 'face'} size={28} />
          {t('approve.face_id')}
        </button>
      ) : null}
      {waiting ? (
        <p className="notice notice-info waiting" role="status" data-testid="approve-face-id-waiting">
          {t('approve.face_id_waiting')}
        </p>
      ) : null}
      <PinPad
        fields={[{ name: 'pin', label: t('approve.pin_label') }]}
        values={{ pin }}
        onChange={(_, value) => setPin(value)}
        disabled={busy}
      />
      <ErrorBox error={error} testId="approve-error" />
      <div className="decision">
        <button type="button" className="btn danger" data-testid="reject" disabled={busy} onClick={onReject}>
          {t('approve.reject')}
        </button>
        <button
          type="submit"
          className="btn primary"
          data-testid="approve-pin"
          disabled={busy || pin.length !== PIN_LENGTH}
        >
          {t('approve.approve')}
        </button>
      </div>
      {children}
    </form>
  );
}
