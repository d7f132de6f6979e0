/**
 * Step 4/4 (user guide 1.9): the form pre-filled by the server from the MRZ (Khmer names typed
 * by the citizen, gender as large choices, dates as day/month/year), then the consent box with
 * the consent text and the Terms of Use and Privacy Policy to open, then submission. One button
 * does what is left in order: save a changed form, accept the consent, submit; it is named for
 * what it does last ("Send for verification" once the registration can be submitted).
 */
import { parseLegalDocuments } from '@camdigikey/messages/legal';
import { useState } from 'react';
import type { AnyFlowView, UiAction, UiNode } from '../api/device-api';
import { LegalLink, useLegalSheet } from '../ui/LegalSheet';
import { useT } from '../ui/use-t';
import { dateText, dateValue, isCompleteDate } from './date-entry';
import type { NodeFieldProps, PanelProps } from './panel-props';
import { formBody, initialValues } from './step-plan';

const isView = (answer: unknown): answer is AnyFlowView =>
  typeof answer === 'object' && answer !== null && 'state' in answer && 'ui' in answer;

function Field({ node, value, onChange, error, disabled }: NodeFieldProps) {
  const { server } = useT();
  const label = server(node.labelId);
  const errorLine = error ? (
    <span className="field-error" role="alert">
      {error}
    </span>
  ) : null;
  if (node.type === 'select') {
    return (
      <fieldset
        className="field choice"
        data-testid={`input-${node.name}`}
        aria-invalid={error ? true : undefined}
      >
        <legend className="label">{label}</legend>
        <div className="choices">
          {(node.options ?? []).map((option) => (
            <label
              key={option.value}
              className={value === option.value ? 'choice-item chosen' : 'choice-item'}
            >
              <input
                type="radio"
                name={node.name}
                value={option.value}
                data-testid={`input-${node.name}-${option.value}`}
                checked={value === option.value}
                disabled={disabled}
                onChange={() => onChange(option.value)}
              />
              <span>{server(option.labelId)}</span>
            </label>
          ))}
        </div>
        {errorLine}
      </fieldset>
    );
  }
  const khmer = node.attributes?.script === 'khmer';
  if (node.type === 'date')
    return <DateField node={node} value={value} onChange={onChange} error={error} disabled={disabled} />;
  return (
    <label className="field">
      <span className="label">{label}</span>
      <input
        name={node.name}
        data-testid={`input-${node.name}`}
        type="text"
        lang={khmer ? 'km' : undefined}
        autoCapitalize={khmer ? 'off' : node.type === 'text' ? 'characters' : undefined}
        autoComplete="off"
        spellCheck={false}
        required={node.required}
        maxLength={node.type === 'text' ? 256 : undefined}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {errorLine}
    </label>
  );
}

/**
 * A date as day/month/year in the language's digits (date-entry.ts), never the browser's own
 * picker: a numeric keypad, the format under the label, and the date read back in words once
 * complete ("15 March 2020" / "១៥ មីនា ២០២០") so a swapped day and month shows at once.
 */
function DateField({ node, value, onChange, error, disabled }: NodeFieldProps) {
  const { t, server, lang, date } = useT();
  const complete = isCompleteDate(value);
  return (
    <label className="field">
      <span className="label">{server(node.labelId)}</span>
      <span className="hint" id={`${node.name}-format`}>
        {t('date.hint', { example: dateText('2020-03-15', lang) })}
      </span>
      <input
        name={node.name}
        data-testid={`input-${node.name}`}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder={t('date.format')}
        aria-describedby={`${node.name}-format${complete ? ` ${node.name}-reads` : ''}`}
        maxLength={10}
        required={node.required}
        value={dateText(value, lang)}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(dateValue(event.target.value))}
      />
      {complete ? (
        <span className="hint ok" id={`${node.name}-reads`} data-testid={`reads-${node.name}`}>
          {t('date.reads', { date: date(value) })}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}

export function FormPanel({
  p,
  fields,
  consent,
  save,
  accept,
  submit,
  onBeforeSubmit,
}: {
  p: PanelProps;
  fields: UiNode[];
  consent: UiNode | undefined;
  save: UiAction | undefined;
  accept: UiAction | undefined;
  submit: UiAction | undefined;
  /** Called with the form as it will be submitted (the app keeps the profile for "Me"). */
  onBeforeSubmit?: (values: Record<string, string>) => void;
}) {
  const { t, server } = useT();
  const [values, setValues] = useState(() => initialValues(fields));
  const [saved, setSaved] = useState(() => JSON.stringify(formBody(fields, initialValues(fields))));
  const [accepted, setAccepted] = useState(consent?.value === true);
  const body = formBody(fields, values);
  const dirty = JSON.stringify(body) !== saved;
  const consentVersion = String(consent?.attributes?.consentVersion ?? '');
  const consentTextId = consent?.attributes?.consentTextId;
  const alreadyAccepted = consent?.value === true;
  const needsConsent = consent !== undefined && !accepted;
  const documents = parseLegalDocuments(consent?.attributes?.documents);
  const legal = useLegalSheet();

  /** Save if changed, accept if not yet, submit if possible; stop at the first failure. */
  const next = async () => {
    let view: AnyFlowView = p.view;
    if (save && (dirty || !consent)) {
      const answer = await p.run(save, body);
      if (!isView(answer)) return;
      setSaved(JSON.stringify(body));
      view = answer;
      if (!consent) return;
      if (!answer.ui.actions.some((a) => a.name === 'accept' || a.name === 'submit')) return;
    }
    const acceptNow = view.ui.actions.find((a) => a.name === 'accept');
    const consentNode = view.ui.nodes.find((n) => n.type === 'checkbox');
    if (acceptNow && consentNode && consentNode.value !== true) {
      const version = String(consentNode.attributes?.consentVersion ?? consentVersion);
      const answer = await p.run(acceptNow, { accepted: true, consentVersion: version });
      if (!isView(answer)) return;
      view = answer;
    }
    const submitNow = view.ui.actions.find((a) => a.name === 'submit');
    if (submitNow) {
      onBeforeSubmit?.(body);
      await p.run(submitNow, {});
    }
  };

  const primary = submit ?? accept ?? save;
  return (
    <form
      noValidate
      className="panel form"
      onSubmit={(event) => {
        event.preventDefault();
        void next();
      }}
    >
      {fields.map((node) => (
        <Field
          key={node.name}
          node={node}
          value={values[node.name] ?? ''}
          onChange={(value) => setValues((v) => ({ ...v, [node.name]: value }))}
          error={p.fieldErrors[node.name]}
          disabled={p.busy}
        />
      ))}
      {consent ? (
        <div className="consent">
          {typeof consentTextId === 'string' ? (
            <p className="consent-text" data-testid="consent-text">
              {server(consentTextId)}
            </p>
          ) : null}
          {documents.length > 0 ? (
            <div className="consent-documents" data-testid="consent-documents">
              <span>{t('consent.read_first')}</span>
              <ul>
                {documents.map((d) => (
                  <li key={d.id}>
                    <LegalLink document={d} onOpen={legal.open} />
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <label className="check">
            <input
              type="checkbox"
              name={consent.name}
              data-testid={`input-${consent.name}`}
              checked={accepted}
              disabled={p.busy || alreadyAccepted}
              onChange={(event) => setAccepted(event.target.checked)}
            />
            <span>{server(consent.labelId)}</span>
          </label>
          {p.fieldErrors[consent.name] ? (
            <span className="field-error" role="alert">
              {p.fieldErrors[consent.name]}
            </span>
          ) : null}
        </div>
      ) : null}
      {legal.sheet}
      {primary ? (
        <button
          type="submit"
          className="btn primary"
          data-testid={`action-${primary.name}`}
          disabled={p.busy || needsConsent}
        >
          {/* With the consent on screen this one press accepts and submits: named for that. */}
          {server(consent ? (submit?.labelId ?? 'action.submit') : primary.labelId) || t('common.next')}
        </button>
      ) : null}
    </form>
  );
}
