/**
 * Step 3/4 the identity document (user guide 1.8): the scanner reads the MRZ of a Cambodian ID
 * card or a passport and takes the photo; the server parses the MRZ itself and pre-fills the form
 * of step 4/4. When the scanner cannot read it, the citizen types the MRZ lines and takes the
 * photo with the phone's camera app.
 */
import { useState } from 'react';
import type { UiAction, UiNode } from '../api/device-api';
import { CameraLayer, type DocumentScan, DocumentScanner } from '../ui/camera';
import { IdCardArt, PassportArt } from '../ui/DocumentArt';
import { photoFileToBase64Jpeg } from '../ui/photo';
import { useT } from '../ui/use-t';
import { normalizeMrzInput } from './mrz-input';
import type { PanelProps } from './panel-props';

export function DocumentPanel({
  p,
  mrz,
  submit,
}: {
  p: PanelProps;
  mrz: UiNode;
  photo: UiNode | undefined;
  submit: UiAction;
}) {
  const { t, server } = useT();
  const [mode, setMode] = useState<'idle' | 'scan' | 'manual'>('idle');

  const scanned = async (scan: DocumentScan) => {
    setMode('idle');
    await p.run(submit, { mrz: scan.mrz, photo: scan.photoBase64 });
  };

  return (
    <div className="panel">
      <div className="document-art">
        <IdCardArt />
        <PassportArt />
      </div>
      <button
        type="button"
        className="btn primary"
        data-testid="action-scan_document"
        disabled={p.busy}
        onClick={() => setMode('scan')}
      >
        {t('document.scan')}
      </button>
      <button
        type="button"
        className="btn secondary"
        data-testid="document-manual"
        disabled={p.busy}
        onClick={() => setMode(mode === 'manual' ? 'idle' : 'manual')}
        aria-expanded={mode === 'manual'}
      >
        {t('document.manual')}
      </button>
      {p.fieldErrors[mrz.name] ? (
        <p className="field-error" role="alert">
          {p.fieldErrors[mrz.name]}
        </p>
      ) : null}
      {mode === 'manual' ? (
        <ManualDocument
          label={server(mrz.labelId)}
          busy={p.busy}
          fail={p.fail}
          onSubmit={(body) => p.run(submit, body)}
        />
      ) : null}
      {mode === 'scan' ? (
        <CameraLayer testId="document-camera">
          <DocumentScanner
            onResult={(scan) => void scanned(scan)}
            onManual={() => setMode('manual')}
            onCancel={() => setMode('idle')}
          />
        </CameraLayer>
      ) : null}
    </div>
  );
}

export function ManualDocument({
  label,
  busy,
  fail,
  onSubmit,
}: {
  label: string;
  busy: boolean;
  fail: (error: unknown) => void;
  onSubmit: (body: { mrz: string; photo: string }) => Promise<unknown>;
}) {
  const { t } = useT();
  const [text, setText] = useState('');
  const [photo, setPhoto] = useState<string>();
  const [reading, setReading] = useState(false);
  const parsed = normalizeMrzInput(text);

  return (
    <form
      noValidate
      className="manual-document"
      data-testid="document-manual-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (parsed.format && photo) void onSubmit({ mrz: parsed.lines.join('\n'), photo });
      }}
    >
      <label className="field">
        <span className="label">{label}</span>
        <textarea
          name="mrz"
          data-testid="input-mrz"
          className="mrz-input"
          rows={3}
          spellCheck={false}
          autoCapitalize="characters"
          autoComplete="off"
          value={text}
          disabled={busy}
          onChange={(event) => setText(event.target.value)}
        />
        <span className="hint">{t('document.manual_hint')}</span>
        {parsed.format ? (
          <span className="hint ok" data-testid="mrz-format">
            {t(parsed.format === 'TD1' ? 'document.format_td1' : 'document.format_td3')}
          </span>
        ) : null}
      </label>
      <label className="field">
        <span className="label">{t('document.photo')}</span>
        <input
          type="file"
          accept="image/*"
          capture="environment"
          data-testid="input-document-photo"
          disabled={busy || reading}
          onChange={async (event) => {
            const file = event.target.files?.[0];
            if (!file) return;
            setReading(true);
            try {
              setPhoto(await photoFileToBase64Jpeg(file));
            } catch {
              setPhoto(undefined);
              fail(t('document.photo_unreadable'));
            } finally {
              setReading(false);
            }
          }}
        />
      </label>
      <button
        type="submit"
        className="btn primary"
        data-testid="document-manual-submit"
        disabled={busy || reading || !parsed.format || !photo}
      >
        {t('common.next')}
      </button>
    </form>
  );
}
