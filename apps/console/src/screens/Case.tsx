/**
 * One registration in front of an officer: the media (document photo zoomable, selfie, the
 * liveness recording played against its challenge, the civil register's portrait), the form next
 * to the MRZ and the civil register with the disagreeing fields highlighted, every score with its
 * threshold, duplicate links, the history, and the decision panel.
 */
import { useEffect, useState } from 'react';
import { api, type CaseFile, type Evidence } from '../api';
import { ErrorText, useFormat, useHistoryLabel, useLabel, useT } from '../ui';
import { LivenessPlayer, ZoomImage } from './CaseMedia';
import { DecisionPanel } from './DecisionPanel';
import { EvidenceTable } from './EvidenceTable';

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
  const label = useLabel();
  const historyLabel = useHistoryLabel();
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
        <dd id="case-status">{label(`acct.${file.status}`, file.status)}</dd>
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
          <EvidenceTable evidence={file.evidence} thresholds={file.thresholds} />
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
        {file.decisions.length === 0 ? (
          <p>{t('case.no_decisions')}</p>
        ) : (
          <ul id="decisions">
            {file.decisions.map((d) => (
              <li key={d.id}>
                {f.dateTime(d.createdAt)} · {d.officerName ?? t('common.none')} ·{' '}
                <strong>{label(`decision.${d.decision}`, d.decision)}</strong>
                {d.reasonCode ? ` · ${label(`reason.${d.reasonCode}`, d.reasonCode)}` : ''}
                {d.part ? ` · ${label(`part.${d.part}`, d.part)}` : ''} ·{' '}
                {label(`dstate.${d.state}`, d.state)}
                {d.note ? ` · “${d.note}”` : ''}
              </li>
            ))}
          </ul>
        )}
        <h2>{t('case.history')}</h2>
        <ol className="history" id="history">
          {file.history
            .map((h, step) => ({ ...h, step }))
            .map((h) => (
              <li key={h.step}>
                {f.dateTime(h.at)} · {label(`actor.${h.actorType}`, h.actorType)} ·{' '}
                <span title={h.action}>{historyLabel(h.action)}</span>
              </li>
            ))}
        </ol>
      </section>
    </article>
  );
}

function Comparison({ file }: { file: CaseFile }) {
  const { t } = useT();
  const label = useLabel();
  /** Codes among the values (document type, sex) in the current language. */
  const shown = (field: string, value: string | null | undefined) =>
    value === null || value === undefined
      ? value
      : field === 'documentType'
        ? label(`doc.${value}`, value)
        : field === 'gender'
          ? label(`gender.${value}`, value)
          : value;
  // The MRZ column disagrees where mrz_form (or the submission's mrz_mismatch flag) says so, the
  // register column where registry_match does.
  const fieldsOf = (kind: string) => {
    const fields = file.evidence.find((e) => e.kind === kind)?.details.incorrectFields;
    return new Set(Array.isArray(fields) ? fields.map(String) : []);
  };
  const mrzWrong = fieldsOf('mrz_form');
  for (const flag of file.flags) for (const field of flag.fields ?? []) mrzWrong.add(field);
  if (mrzWrong.has('expirationDate')) mrzWrong.add('expiryDate');
  const registryWrong = fieldsOf('registry_match');
  const registryValue = (field: string) => {
    const value = file.registry?.[field];
    return value === undefined || value === null || typeof value === 'boolean' ? undefined : String(value);
  };
  const cell = (value: string | null | undefined, bad: boolean) => (
    <td className={bad ? 'bad-cell' : undefined}>
      {value ?? t('common.none')}
      {bad && <span className="sr-only"> ({t('case.disagrees')})</span>}
    </td>
  );
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
            const bad = mrzWrong.has(field) || registryWrong.has(field);
            return (
              <tr key={field} className={bad ? 'disagree' : undefined} data-field={field}>
                <th scope="row">{t(`field.${field}`)}</th>
                <td>{shown(field, file.form[field]) ?? t('common.none')}</td>
                {cell(shown(field, file.mrzFields?.[field]), mrzWrong.has(field))}
                {cell(shown(field, registryValue(field)), registryWrong.has(field))}
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
