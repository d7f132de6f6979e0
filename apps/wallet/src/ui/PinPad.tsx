/**
 * The PIN pad (user guide 1.5, 3.1.3): one or more 6-digit PIN fields and a large on-screen
 * keypad (keys ≥ 48 px, digits written in the language's digits). The fields are real password
 * inputs with `inputmode="none"`, so the phone's keyboard stays closed while a hardware keyboard,
 * a screen reader and test drivers can still type. The keypad types into the active field and
 * moves to the next one when it is full.
 */
import { useState } from 'react';
import { fromKhmerDigits } from '../i18n/digits';
import { useT } from './use-t';

export interface PinFieldSpec {
  name: string;
  label: string;
  error?: string;
}

export const PIN_LENGTH = 6;

export function PinPad({
  fields,
  values,
  onChange,
  disabled,
  length = PIN_LENGTH,
}: {
  fields: PinFieldSpec[];
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  disabled?: boolean;
  length?: number;
}) {
  const { t, n } = useT();
  const [active, setActive] = useState(0);
  const current = fields[Math.min(active, fields.length - 1)];

  const write = (index: number, value: string) => {
    const field = fields[index];
    if (!field) return;
    const digits = fromKhmerDigits(value).replace(/\D/g, '').slice(0, length);
    onChange(field.name, digits);
    if (digits.length === length && index + 1 < fields.length) {
      const next = fields[index + 1]!;
      if ((values[next.name] ?? '').length < length) setActive(index + 1);
    }
  };
  const press = (key: string) => {
    if (!current) return;
    const index = fields.indexOf(current);
    const value = values[current.name] ?? '';
    if (key === 'back') {
      if (value === '' && index > 0) {
        const previous = fields[index - 1]!;
        setActive(index - 1);
        onChange(previous.name, (values[previous.name] ?? '').slice(0, -1));
      } else onChange(current.name, value.slice(0, -1));
      return;
    }
    if (value.length < length) write(index, value + key);
  };

  return (
    <div className="pin-pad" data-testid="pin-pad">
      {fields.map((field, index) => {
        const value = values[field.name] ?? '';
        return (
          <label key={field.name} className={`pin-field${index === active ? ' active' : ''}`}>
            <span className="label">{field.label}</span>
            <input
              type="password"
              inputMode="none"
              autoComplete="off"
              name={field.name}
              data-testid={`pin-input-${field.name}`}
              maxLength={length}
              value={value}
              disabled={disabled}
              aria-invalid={field.error ? true : undefined}
              onFocus={() => setActive(index)}
              onChange={(event) => write(index, event.target.value)}
            />
            <span className="pin-dots" aria-hidden="true">
              {Array.from({ length }, (_, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the dots are positions, not items
                <span key={i} className={i < value.length ? 'dot filled' : 'dot'} />
              ))}
            </span>
            {field.error ? (
              <span className="field-error" role="alert">
                {field.error}
              </span>
            ) : null}
          </label>
        );
      })}
      <fieldset className="keypad">
        <legend className="visually-hidden">{t('pin.keypad')}</legend>
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button
            key={d}
            type="button"
            className="key"
            data-testid={`pin-key-${d}`}
            aria-label={d}
            disabled={disabled}
            onClick={() => press(d)}
          >
            {n(d)}
          </button>
        ))}
        <span className="key-spacer" />
        <button
          type="button"
          className="key"
          data-testid="pin-key-0"
          aria-label="0"
          disabled={disabled}
          onClick={() => press('0')}
        >
          {n('0')}
        </button>
        <button
          type="button"
          className="key"
          data-testid="pin-key-back"
          aria-label={t('pin.delete')}
          disabled={disabled}
          onClick={() => press('back')}
        >
          <span aria-hidden="true">⌫</span>
        </button>
      </fieldset>
    </div>
  );
}

/** True when every field holds a full PIN. */
export const pinsComplete = (names: string[], values: Record<string, string>, length = PIN_LENGTH) =>
  names.every((name) => (values[name] ?? '').length === length);
