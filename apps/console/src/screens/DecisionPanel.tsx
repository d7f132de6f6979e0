/**
 * The decision on a pending case: approve; reject with a reason code (`other` needs a note, and
 * `suspected_fraud` waits for a second officer); or ask the citizen to redo one part. Every
 * decision is confirmed in a question first; the case is (re)claimed just before it is sent.
 */
import {
  REJECTION_REASONS,
  RESUBMISSION_PARTS,
  type RejectionReason,
  type ResubmissionPart,
} from '@camdigikey/contracts/review';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { ErrorText, useT } from '../ui';

export function DecisionPanel({
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
  const [reasonCode, setReason] = useState<RejectionReason>('blurred_document');
  const [part, setPart] = useState<ResubmissionPart>('document_photo');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  // The confirmation question takes the focus, so a keyboard user answers it next.
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
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
      // (Re)claim first: the case may have been opened from a link, or the 30-minute claim lapsed;
      // the server answers 409 (shown) when another officer holds it.
      await api.claim(accountId);
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
            onChange={(e) => setReason(e.target.value as RejectionReason)}
          >
            {REJECTION_REASONS.map((r) => (
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
          <select id="part" value={part} onChange={(e) => setPart(e.target.value as ResubmissionPart)}>
            {RESUBMISSION_PARTS.map((p) => (
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
          <button
            type="button"
            id="confirm-decision"
            className="primary"
            ref={confirmButton}
            disabled={busy}
            onClick={send}
          >
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
