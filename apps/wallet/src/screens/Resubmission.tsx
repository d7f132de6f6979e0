/**
 * Redo the one part an officer asked for (packages/contracts/src/resubmission.ts): a new photo of
 * the document, or the face check against a fresh challenge. The answer is the account status.
 */
import { useState } from 'react';
import type { UploadProgress } from '../api/device-api';
import { deviceApi, type ResubmissionStart } from '../api/device-api';
import type { UploadState } from '../flow/panel-props';
import { UploadStatus } from '../flow/UploadStatus';
import { useSession } from '../session';
import { CameraLayer, DocumentScanner, LivenessRecorder } from '../ui/camera';
import { ErrorBox, Loading } from '../ui/components';
import { photoFileToBase64Jpeg } from '../ui/photo';
import { useT } from '../ui/use-t';

export function Resubmission({ onDone }: { onDone: () => void }) {
  const { t, server } = useT();
  const { updateStatus } = useSession();
  const [started, setStarted] = useState<ResubmissionStart>();
  const [camera, setCamera] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [upload, setUpload] = useState<UploadState>();
  /** The bytes of a capture going out, then the server checking it (flow/UploadStatus.tsx). */
  const progress = (p: UploadProgress) =>
    setUpload(p.done ? { phase: 'checking' } : { phase: 'sending', sent: p.sent, total: p.total });

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setUpload(undefined);
    }
  };
  const begin = () =>
    act(async () => {
      const answer = await deviceApi.startResubmission();
      setStarted(answer);
      setCamera(true);
    });
  const sendPhoto = (photo: string) =>
    act(async () => {
      setCamera(false);
      await updateStatus(await deviceApi.resubmitDocumentPhoto(photo, progress));
      onDone();
    });

  if (!started) {
    return (
      <div className="resubmission">
        <button
          type="button"
          className="btn primary"
          data-testid="resubmit-start"
          disabled={busy}
          onClick={() => void begin()}
        >
          {t('pending.resubmit_start')}
        </button>
        {busy ? <Loading /> : null}
        <ErrorBox error={error} />
      </div>
    );
  }
  return (
    <div className="resubmission" data-testid={`resubmit-${started.part}`}>
      <p>{server(started.messageId)}</p>
      {started.part === 'document_photo' ? (
        <>
          <button
            type="button"
            className="btn primary"
            data-testid="resubmit-scan"
            disabled={busy}
            onClick={() => setCamera(true)}
          >
            {t('document.scan')}
          </button>
          <label className="field">
            <span className="label">{t('document.photo')}</span>
            <input
              type="file"
              accept="image/*"
              capture="environment"
              data-testid="resubmit-photo"
              disabled={busy}
              onChange={async (event) => {
                const file = event.target.files?.[0];
                if (file) void sendPhoto(await photoFileToBase64Jpeg(file));
              }}
            />
          </label>
        </>
      ) : (
        <button
          type="button"
          className="btn primary"
          data-testid="resubmit-record"
          disabled={busy}
          onClick={() => void begin()}
        >
          {server('action.hold_to_record')}
        </button>
      )}
      {upload ? (
        <UploadStatus state={upload} panel={started.part === 'liveness' ? 'liveness' : 'document'} />
      ) : busy ? (
        <Loading />
      ) : null}
      <ErrorBox error={error} />
      {camera && started.part === 'document_photo' ? (
        <CameraLayer testId="document-camera">
          <DocumentScanner
            onResult={(scan) => void sendPhoto(scan.photoBase64)}
            onManual={() => setCamera(false)}
            onCancel={() => setCamera(false)}
          />
        </CameraLayer>
      ) : null}
      {camera && started.part === 'liveness' && started.challenge ? (
        <CameraLayer testId="liveness-camera">
          <LivenessRecorder
            actions={started.challenge.actions}
            {...(started.challenge.steps ? { steps: started.challenge.steps } : {})}
            onCancel={() => setCamera(false)}
            onResult={(result) =>
              void act(async () => {
                setCamera(false);
                const challengeId = started.challenge?.id ?? '';
                await updateStatus(await deviceApi.resubmitLiveness({ challengeId, ...result }, progress));
                onDone();
              })
            }
          />
        </CameraLayer>
      ) : null}
    </div>
  );
}
