/**
 * The evidence the server computed for a case (apps/server/src/proofing/evidence.ts), one row per
 * kind: the result, the score, the threshold it was judged against (the thresholds recorded in the
 * evidence's provenance when it was computed, else the ones in force now) and what the details say
 * (fields that disagree, the MRZ read from the photo, liveness sub-scores and actions, duplicates).
 */
import type { Evidence } from '../api';
import { Badge, useFormat, useLabel, useT } from '../ui';

type Thresholds = Record<string, number | string>;
const STATUS_TONE: Record<string, string> = { pass: 'ok', review: 'warn', fail: 'bad', error: 'bad' };

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

/** The thresholds an evidence row was computed with (face engine provenance), else the current ones. */
function thresholdsOf(evidence: Evidence, current: Thresholds): Thresholds {
  const p = evidence.provenance as { thresholds?: Thresholds; face?: { thresholds?: Thresholds } };
  return p.thresholds ?? p.face?.thresholds ?? current;
}

export function EvidenceTable({ evidence, thresholds }: { evidence: Evidence[]; thresholds: Thresholds }) {
  const { t } = useT();
  return (
    <table className="grid evidence" id="evidence">
      <thead>
        <tr>
          <th>{t('case.evidence_kind')}</th>
          <th>{t('case.result')}</th>
          <th>{t('case.score')}</th>
          <th>{t('case.threshold')}</th>
          <th>{t('case.details')}</th>
        </tr>
      </thead>
      <tbody>
        {evidence.map((e) => (
          <EvidenceRow key={e.kind} evidence={e} thresholds={thresholdsOf(e, thresholds)} />
        ))}
      </tbody>
    </table>
  );
}

function Result({ status }: { status: string }) {
  const label = useLabel();
  return <Badge tone={STATUS_TONE[status] ?? 'warn'}>{label(`ev.${status}`, status)}</Badge>;
}

/** One measured value against its threshold, with its own pass/fail. */
function SubCheck({
  label,
  value,
  min,
  max,
}: {
  label: string;
  value: number | undefined;
  min?: number | undefined;
  max?: number | undefined;
}) {
  const f = useFormat();
  if (value === undefined) return null;
  const ok = (min === undefined || value >= min) && (max === undefined || value < max);
  const bound = min !== undefined ? `(≥ ${f.score(min)})` : max !== undefined ? `(< ${f.score(max)})` : '';
  return (
    <li>
      {label}: <span className="score">{f.score(value)}</span> {bound}{' '}
      <Result status={ok ? 'pass' : 'fail'} />
    </li>
  );
}

function FieldList({ fields }: { fields: string[] }) {
  const { t } = useT();
  const label = useLabel();
  if (fields.length === 0) return <li>{t('evd.all_fields_agree')}</li>;
  return (
    <li className="error-text">
      {t('evd.incorrect_fields', { fields: fields.map((f) => label(`field.${f}`, f)).join(', ') })}
    </li>
  );
}

function EvidenceRow({ evidence: e, thresholds }: { evidence: Evidence; thresholds: Thresholds }) {
  const { t } = useT();
  const f = useFormat();
  const label = useLabel();
  const d = e.details;
  const match = num(thresholds.match);
  let threshold = t('common.none');
  let details: React.ReactNode = null;

  switch (e.kind) {
    case 'mrz_form':
      threshold = t('evd.threshold_all_fields');
      details = d.error ? (
        <li className="error-text">{t('evd.mrz_error', { code: String(d.error) })}</li>
      ) : (
        <>
          <li>{t('evd.check_digits_valid')}</li>
          <FieldList fields={strings(d.incorrectFields)} />
        </>
      );
      break;
    case 'document_ocr':
      threshold = t('evd.threshold_all_fields');
      details = d.unreadable ? (
        <li className="error-text">
          {t('evd.unreadable', { reason: label(`ocr.${String(d.reason)}`, String(d.reason)) })}
        </li>
      ) : (
        <>
          <FieldList fields={strings(d.mismatchedFields ?? d.mismatches)} />
          <li>
            {t('evd.read_lines')}
            <pre className="mrz">{strings(d.readLines).join('\n')}</pre>
          </li>
        </>
      );
      break;
    case 'face_match':
      threshold = match === undefined ? threshold : `≥ ${f.score(match)}`;
      details = d.error ? (
        <li className="error-text">{label(`ferr.${String(d.error)}`, String(d.error))}</li>
      ) : (
        <li>
          {t('evd.engine_decision', { decision: label(`face.${String(d.decision)}`, String(d.decision)) })}
          {num(thresholds.matchReview) !== undefined &&
            ` · ${t('evd.review_band', { low: f.score(num(thresholds.matchReview)), high: f.score(match) })}`}
        </li>
      );
      break;
    case 'liveness': {
      const failed = d.failedAction ? String(d.failedAction) : undefined;
      const binding = (d.binding ?? {}) as {
        minToSelfie?: number;
        sceneSimilarity?: number;
        thresholds?: { sameFace?: number; selfieScene?: number };
      };
      const pad = (d.pad ?? {}) as {
        staticBackground?: number;
        thresholds?: { staticBackgroundMax?: number };
      };
      details = (
        <>
          {d.reason ? (
            <li className="error-text">
              {t('evd.reason', { reason: label(`lreason.${String(d.reason)}`, String(d.reason)) })}
              {failed && ` · ${t('case.failed_action', { action: label(`action.${failed}`, failed) })}`}
            </li>
          ) : null}
          {(Array.isArray(d.perAction) ? (d.perAction as { action: string; status: string }[]) : [])
            .map((p, i) => ({ ...p, step: i + 1 }))
            .map((p) => (
              <li key={p.step}>
                {p.step}. {label(`action.${p.action}`, p.action)}:{' '}
                <Badge tone={p.status === 'detected' ? 'ok' : p.status === 'undetermined' ? 'warn' : 'bad'}>
                  {label(`astatus.${p.status}`, p.status)}
                </Badge>
              </li>
            ))}
          {typeof d.sameFace === 'boolean' && (
            <li>
              {t('evd.same_face')}: <Result status={d.sameFace ? 'pass' : 'fail'} />
            </li>
          )}
          <SubCheck label={t('evd.antispoof')} value={num(d.antispoof)} min={num(thresholds.minAntispoof)} />
          <SubCheck label={t('evd.live')} value={num(d.live)} min={num(thresholds.minLive)} />
          {/* The recording bound to the selfie, and the passive attack signal (face-engine recording.ts, pad.ts). */}
          <SubCheck
            label={t('evd.frame_to_selfie')}
            value={num(binding.minToSelfie)}
            min={num(binding.thresholds?.sameFace)}
          />
          <SubCheck
            label={t('evd.selfie_scene')}
            value={num(binding.sceneSimilarity)}
            min={num(binding.thresholds?.selfieScene)}
          />
          <SubCheck
            label={t('evd.pad_static')}
            value={num(pad.staticBackground)}
            max={num(pad.thresholds?.staticBackgroundMax)}
          />
        </>
      );
      break;
    }
    case 'replay': {
      const rt = (d.thresholds ?? {}) as { maxHashDistance?: number; minSimilarity?: number };
      threshold = t('evd.replay_thresholds', { bits: rt.maxHashDistance ?? '', sim: rt.minSimilarity ?? '' });
      const found = Array.isArray(d.matches) ? d.matches.length : 0;
      details = (
        <li className={found ? 'error-text' : undefined}>
          {found
            ? t('evd.replay_fired', { m: found, n: num(d.compared) ?? 0 })
            : t('evd.replay_none', { n: num(d.compared) ?? 0 })}
        </li>
      );
      break;
    }
    case 'duplicate_face':
      threshold = match === undefined ? threshold : `< ${f.score(match)}`;
      details = (
        <li>
          {t('evd.compared', {
            n: num(d.compared) ?? 0,
            m: Array.isArray(d.matches) ? d.matches.length : 0,
          })}
        </li>
      );
      break;
    case 'registry_match':
      threshold = t('evd.threshold_all_fields');
      details =
        d.found === false ? (
          <li className="error-text">{t('case.registry_status.not_found')}</li>
        ) : (
          <>
            <FieldList fields={strings(d.incorrectFields)} />
            {strings(d.mrzNameMismatches).length > 0 ? (
              <li className="error-text">
                {t('evd.mrz_names_register', {
                  fields: strings(d.mrzNameMismatches)
                    .map((field) => label(`field.${field}`, field))
                    .join(', '),
                })}
              </li>
            ) : null}
            <SubCheck label={t('evd.portrait')} value={num(d.portraitSimilarity)} min={match} />
            {d.portraitError ? (
              <li className="error-text">
                {t('evd.portrait')}: {label(`ferr.${String(d.portraitError)}`, String(d.portraitError))}
              </li>
            ) : null}
          </>
        );
      break;
    default:
      details = d.error ? <li className="error-text">{String(d.error)}</li> : null;
  }

  return (
    <tr data-kind={e.kind} data-status={e.status}>
      <th scope="row">{label(`evk.${e.kind}`, e.kind)}</th>
      <td>
        <Result status={e.status} />
      </td>
      <td className="score">{f.score(e.score)}</td>
      <td className="threshold">{threshold}</td>
      <td>{details && <ul className="plain">{details}</ul>}</td>
    </tr>
  );
}
