/**
 * What a long step is doing (issue 16, item 2): the bytes of a capture going out, then the server
 * judging it ("Checking your face…"), and a capture kept on the phone after the connection
 * dropped, with "Send it now". Announced politely to screen readers.
 */
import { Icon } from '../ui/Icon';
import { useT } from '../ui/use-t';
import type { UploadState } from './panel-props';
import type { Panel } from './step-plan';

/** "840 KB" / "1.2 MB" (Khmer digits in Khmer). */
export function useBytes() {
  const { t, n } = useT();
  return (bytes: number) =>
    bytes >= 1_000_000
      ? t('upload.mb', { size: n((bytes / 1_000_000).toFixed(1)) })
      : t('upload.kb', { size: n(Math.max(1, Math.round(bytes / 1000))) });
}

const CHECKING: Partial<
  Record<Panel['kind'], 'upload.checking_face' | 'upload.checking_document' | 'upload.submitting'>
> = {
  liveness: 'upload.checking_face',
  document: 'upload.checking_document',
  form: 'upload.submitting',
};

export function UploadStatus({ state, panel }: { state: UploadState; panel: Panel['kind'] }) {
  const { t, n } = useT();
  const bytes = useBytes();
  const sending = state.phase === 'sending';
  const percent =
    sending && state.total > 0 ? Math.min(100, Math.round((state.sent / state.total) * 100)) : undefined;
  const text = sending
    ? state.total > 0
      ? t('upload.sending', { sent: bytes(state.sent), total: bytes(state.total) })
      : t('upload.preparing')
    : t(CHECKING[panel] ?? 'upload.checking');
  return (
    <section
      className="upload-status"
      data-testid="upload-status"
      data-phase={state.phase}
      role="status"
      aria-live="polite"
    >
      <Icon
        name={sending ? 'upload' : panel === 'liveness' ? 'face' : panel === 'document' ? 'card' : 'clock'}
        size={28}
      />
      <div className="upload-text">
        <p>{text}</p>
        {sending ? (
          <progress
            max={100}
            value={percent ?? 0}
            aria-label={t('upload.progress')}
            aria-valuetext={percent === undefined ? undefined : `${n(percent)}%`}
          />
        ) : (
          <span className="upload-working" aria-hidden="true" />
        )}
        {sending && percent !== undefined ? <span className="upload-percent">{n(percent)}%</span> : null}
      </div>
    </section>
  );
}

export function KeptUpload({
  panel,
  busy,
  onSend,
}: {
  panel: Panel['kind'];
  busy: boolean;
  onSend: () => void;
}) {
  const { t } = useT();
  return (
    <section className="notice notice-warn kept-upload" data-testid="kept-upload" role="status">
      <p>{t(panel === 'document' ? 'upload.kept_document' : 'upload.kept_face')}</p>
      <button
        type="button"
        className="btn primary"
        data-testid="kept-upload-send"
        disabled={busy}
        onClick={onSend}
      >
        {t('upload.send_now')}
      </button>
    </section>
  );
}
