/**
 * One registration in front of an officer: the media (document photo zoomable, selfie, the
 * liveness recording played against its challenge, the civil register's portrait), the form next
 * to the MRZ and the civil register with the disagreeing fields highlighted, every score with its
 * threshold, duplicate links, the history, and the decision panel.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type CaseFile, type Evidence, type LivenessRecording } from '../api';
import type { MessageKey } from '../i18n';
import { Badge, ErrorText, useFormat, useT } from '../ui';

const FIELDS = [
  'khmerSurname',
  'khmerGivenName',
  'latinSurname',
  'latinGivenName',
  'gender',
  'birthDate',
  'nationality',
  'documentType',
  'documentNumber',
  'issueDate',
  'expiryDate',
] as const;

const REASONS = [
  'blurred_document',
  'face_mismatch',
  'document_expired',
  'registry_mismatch',
  'suspected_fraud',
  'other',
] as const;
const PARTS = ['document_photo', 'liveness'] as const;
const STATUS_TONE: Record<string, string> = { pass: 'ok', review: 'warn', fail: 'bad', error: 'bad' };

/** Which threshold each evidence score is judged against (face-engine names). */
const THRESHOLD_OF: Record<string, string> = { face_match: 'match', duplicate_face: 'match' };

export function CaseScreen({
  accountId,
  onDecided,
  onError,
}: {
  accountId: string;
  onDecided: (message: string) => void;
  onError: (error: unknown) => void;
}) {
  const { t } = useT();
  const f = useFormat();
  const [file, setFile] = useState<CaseFile | undefined>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    setFile(undefined);
    api
      .caseFile(accountId)
      .then(setFile)
      .catch((caught: unknown) => {
        setError(caught);
        onError(caught);
      });
  }, [accountId, onError]);

  if (!file) return error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  const pending = file.status === 'pending_review';

  return (
    <article className="case" id="case" data-account={file.accountId}>
      <p>
        <a href="#/queue">← {t('common.back')}</a>
      </p>
      <h1>
        {t('case.title')} <code>{file.accountId.slice(0, 8)}</code>
      </h1>
      <dl className="facts">
        <dt>{t('case.status')}</dt>
        <dd id="case-status">{file.status}</dd>
        <dt>{t('case.submitted')}</dt>
        <dd>{f.dateTime(file.submittedAt)}</dd>
        <dt>{t('case.deadline')}</dt>
        <dd>{f.dateTime(file.reviewDeadline)}</dd>
      </dl>

      <section className="media">
        {file.media.documentPhoto && (
          <ZoomImage src={file.media.documentPhoto} label={t('case.document_photo')} id="document-photo" />
        )}
        {file.media.selfie && <ZoomImage src={file.media.selfie} label={t('case.selfie')} id="selfie" />}
        {file.media.registryPortrait && (
          <ZoomImage
            src={file.media.registryPortrait}
            label={t('case.registry_portrait')}
            id="registry-portrait"
          />
        )}
      </section>
      {file.media.liveness && (
        <LivenessPlayer
          url={file.media.liveness}
          evidence={file.evidence.find((e) => e.kind === 'liveness')}
        />
      )}

      <Comparison file={file} />

      <section>
        <h2>{t('case.evidence')}</h2>
        {file.evidence.length === 0 ? (
          <p>{t('case.no_evidence')}</p>
        ) : (
          <table className="grid" id="evidence">
            <thead>
              <tr>
                <th>{t('case.details')}</th>
                <th>{t('case.result')}</th>
                <th>{t('case.score')}</th>
                <th>{t('case.threshold')}</th>
              </tr>
            </thead>
            <tbody>
              {file.evidence.map((e) => (
                <EvidenceRow key={e.kind} evidence={e} thresholds={file.thresholds} />
              ))}
            </tbody>
          </table>
        )}
      </section>

      <Duplicates evidence={file.evidence} />

      {pending ? (
        <DecisionPanel accountId={file.accountId} onDecided={onDecided} onError={onError} />
      ) : (
        <p className="notice">{t('case.readonly')}</p>
      )}

      <section>
        <h2>{t('case.decisions')}</h2>
        <ul id="decisions">
          {file.decisions.map((d) => (
            <li key={d.id}>
              {f.dateTime(d.createdAt)} · {d.officerName ?? t('common.none')} · {d.decision}
              {d.reasonCode ? ` · ${t(`reason.${d.reasonCode}` as MessageKey)}` : ''}
              {d.part ? ` · ${t(`part.${d.part}` as MessageKey)}` : ''} · {d.state}
            </li>
          ))}
        </ul>
        <h2>{t('case.history')}</h2>
        <ol className="history" id="history">
          {file.history.map((h) => (
            <li key={h.seq}>
              {f.dateTime(h.at)} · <code>{h.action}</code>
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function ZoomImage({ src, label, id }: { src: string; label: string; id: string }) {
  const { t } = useT();
  const [zoom, setZoom] = useState(1);
  // Zoomed, the image grows inside a scrollable frame: pan with the scroll bars, the wheel or the keys.
  return (
    <figure className="zoom">
      <figcaption>{label}</figcaption>
      <div className="zoom-frame">
        <img id={id} src={src} alt={label} style={{ width: `${zoom * 100}%` }} />
      </div>
      <label>
        {t('case.zoom')}
        <input
          type="range"
          min={1}
          max={4}
          step={0.25}
          value={zoom}
          onChange={(e) => setZoom(Number(e.target.value))}
        />
      </label>
    </figure>
  );
}

function LivenessPlayer({ url, evidence }: { url: string; evidence: Evidence | undefined }) {
  const { t } = useT();
  const [recording, setRecording] = useState<LivenessRecording | undefined>();
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => {
    api
      .liveness(url)
      .then(setRecording)
      .catch(() => undefined);
  }, [url]);
  const stop = useCallback(() => {
    clearInterval(timer.current);
    setPlaying(false);
  }, []);
  useEffect(() => stop, [stop]);
  if (!recording || recording.frames.length === 0) return null;
  const frames = recording.frames;
  const frame = frames[Math.min(index, frames.length - 1)]!;
  const play = () => {
    setPlaying(true);
    timer.current = setInterval(() => {
      setIndex((i) => {
        if (i + 1 >= frames.length) {
          stop();
          return i;
        }
        return i + 1;
      });
    }, 150);
  };
  const failed = evidence?.details.failedAction as string | null | undefined;
  return (
    <section className="liveness" id="liveness">
      <h2>{t('case.liveness')}</h2>
      <p>
        {t('case.liveness_actions')}:{' '}
        {recording.challenge.actions
          .map((action, i) => ({ action, step: i + 1 }))
          .map(({ action, step }) => (
            <Badge key={step} tone={action === failed ? 'bad' : 'ok'}>
              {step}. {t(`action.${action}` as MessageKey)}
            </Badge>
          ))}
      </p>
      {failed && (
        <p className="error">{t('case.failed_action', { action: t(`action.${failed}` as MessageKey) })}</p>
      )}
      <img
        className="frame"
        src={`data:${frame.mediaType};base64,${frame.data}`}
        alt={t('case.frame', { n: index + 1, total: frames.length })}
      />
      <div className="player">
        <button type="button" onClick={playing ? stop : play}>
          {playing ? t('case.pause') : t('case.play')}
        </button>
        <input
          type="range"
          min={0}
          max={frames.length - 1}
          value={index}
          aria-label={t('case.frame', { n: index + 1, total: frames.length })}
          onChange={(e) => setIndex(Number(e.target.value))}
        />
        <span>{t('case.frame', { n: index + 1, total: frames.length })}</span>
      </div>
    </section>
  );
}

function Comparison({ file }: { file: CaseFile }) {
  const { t } = useT();
  const wrong = new Set<string>();
  for (const e of file.evidence) {
    const fields = e.details.incorrectFields;
    if (Array.isArray(fields)) for (const field of fields) wrong.add(String(field));
  }
  for (const flag of file.flags) for (const field of flag.fields ?? []) wrong.add(field);
  const registryValue = (field: string) => {
    const value = file.registry?.[field === 'gender' ? 'gender' : field];
    return value === undefined || typeof value === 'boolean' ? undefined : String(value);
  };
  return (
    <section>
      <h2>{t('case.comparison')}</h2>
      <p id="registry-status">{t(`case.registry_status.${file.registryStatus}`)}</p>
      <table className="grid compare" id="comparison">
        <thead>
          <tr>
            <th>{t('case.field')}</th>
            <th>{t('case.form')}</th>
            <th>{t('case.mrz')}</th>
            <th>{t('case.registry')}</th>
          </tr>
        </thead>
        <tbody>
          {FIELDS.map((field) => {
            const bad = wrong.has(field) || (field === 'expiryDate' && wrong.has('expirationDate'));
            return (
              <tr key={field} className={bad ? 'disagree' : undefined} data-field={field}>
                <th scope="row">
                  {t(`field.${field}`)}
                  {bad && <span className="sr-only"> ({t('case.disagrees')})</span>}
                </th>
                <td>{file.form[field] ?? t('common.none')}</td>
                <td>{file.mrzFields?.[field] ?? t('common.none')}</td>
                <td>{registryValue(field) ?? t('common.none')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>{t('case.mrz_lines')}</h3>
      <pre className="mrz" id="mrz">
        {file.mrz.join('\n')}
      </pre>
    </section>
  );
}

function EvidenceRow({
  evidence,
  thresholds,
}: {
  evidence: Evidence;
  thresholds: Record<string, number | string>;
}) {
  const { t } = useT();
  const f = useFormat();
  const key = THRESHOLD_OF[evidence.kind];
  const threshold = key ? thresholds[key] : undefined;
  const label = `evk.${evidence.kind}` as MessageKey;
  const statusKey = `ev.${evidence.status}` as MessageKey;
  return (
    <tr data-kind={evidence.kind}>
      <th scope="row">{t(label) === label ? evidence.kind : t(label)}</th>
      <td>
        <Badge tone={STATUS_TONE[evidence.status] ?? 'warn'}>
          {t(statusKey) === statusKey ? evidence.status : t(statusKey)}
        </Badge>
      </td>
      <td className="score">{f.score(evidence.score)}</td>
      <td>{typeof threshold === 'number' ? threshold.toFixed(2) : t('common.none')}</td>
    </tr>
  );
}

function Duplicates({ evidence }: { evidence: Evidence[] }) {
  const { t } = useT();
  const f = useFormat();
  const matches = (evidence.find((e) => e.kind === 'duplicate_face')?.details.matches ?? []) as {
    accountId: string;
    similarity: number;
  }[];
  if (matches.length === 0) return null;
  return (
    <section>
      <h2>{t('case.duplicates')}</h2>
      <ul id="duplicates">
        {matches.map((m) => (
          <li key={m.accountId}>
            <a href={`#/cases/${m.accountId}`}>{m.accountId.slice(0, 8)}</a> · {f.score(m.similarity)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DecisionPanel({
  accountId,
  onDecided,
  onError,
}: {
  accountId: string;
  onDecided: (message: string) => void;
  onError: (error: unknown) => void;
}) {
  const { t } = useT();
  const [decision, setDecision] = useState<'approve' | 'reject' | 'resubmit'>('approve');
  const [reasonCode, setReason] = useState<(typeof REASONS)[number]>('blurred_document');
  const [part, setPart] = useState<(typeof PARTS)[number]>('document_photo');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const question =
    decision === 'approve'
      ? t('decision.confirm_approve')
      : decision === 'reject'
        ? t('decision.confirm_reject', { reason: t(`reason.${reasonCode}`) })
        : t('decision.confirm_resubmit', { part: t(`part.${part}`) });
  const noteMissing = decision === 'reject' && reasonCode === 'other' && note.trim() === '';

  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.decide(accountId, {
        decision,
        ...(decision === 'reject' ? { reasonCode } : {}),
        ...(decision === 'resubmit' ? { part } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      onDecided(
        result.state === 'awaiting_second_officer'
          ? t('decision.awaiting_second')
          : t('queue.decided_notice'),
      );
    } catch (caught) {
      setError(caught);
      onError(caught);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="decision" id="decision">
      <h2>{t('decision.title')}</h2>
      <fieldset>
        {(['approve', 'reject', 'resubmit'] as const).map((d) => (
          <label key={d} className="choice">
            <input
              type="radio"
              name="decision"
              value={d}
              checked={decision === d}
              onChange={() => setDecision(d)}
            />
            {t(`decision.${d}`)}
          </label>
        ))}
      </fieldset>
      {decision === 'reject' && (
        <label>
          {t('decision.reason')}
          <select
            id="reason"
            value={reasonCode}
            onChange={(e) => setReason(e.target.value as (typeof REASONS)[number])}
          >
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`reason.${r}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {decision === 'reject' && reasonCode === 'suspected_fraud' && (
        <p className="notice">{t('decision.fraud_hint')}</p>
      )}
      {decision === 'resubmit' && (
        <label>
          {t('decision.part')}
          <select id="part" value={part} onChange={(e) => setPart(e.target.value as (typeof PARTS)[number])}>
            {PARTS.map((p) => (
              <option key={p} value={p}>
                {t(`part.${p}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('decision.note')}
        <textarea id="note" maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      {noteMissing && <p className="hint">{t('decision.note_required')}</p>}
      <ErrorText error={error} />
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-question">
          <p id="confirm-question">{question}</p>
          <button type="button" id="confirm-decision" className="primary" disabled={busy} onClick={send}>
            {t('common.confirm')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          id="decide"
          className="primary"
          disabled={noteMissing}
          onClick={() => setConfirming(true)}
        >
          {t(`decision.${decision}`)}
        </button>
      )}
    </section>
  );
}
