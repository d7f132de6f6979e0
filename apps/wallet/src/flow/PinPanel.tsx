/** The PIN step (1/4, user guide 1.5; recovery 2/3; a new PIN when it was the birth date). */
import { useState } from 'react';
import type { UiAction, UiNode } from '../api/device-api';
import { PinPad, pinsComplete } from '../ui/PinPad';
import { useT } from '../ui/use-t';
import type { PanelProps } from './panel-props';

export function PinPanel({ p, pins, next }: { p: PanelProps; pins: UiNode[]; next: UiAction }) {
  const { t, server } = useT();
  const [values, setValues] = useState<Record<string, string>>({});
  const names = pins.map((n) => n.name);
  const complete = pinsComplete(names, values);
  const differ = names.length > 1 && complete && new Set(names.map((n) => values[n])).size > 1;

  return (
    <form
      noValidate
      className="panel"
      onSubmit={async (event) => {
        event.preventDefault();
        if (differ) return;
        const body: Record<string, string> = {};
        for (const name of names) body[name] = values[name] ?? '';
        if ((await p.run(next, body)) === undefined) setValues({});
      }}
    >
      <PinPad
        fields={pins.map((node, i) => ({
          name: node.name,
          label: server(node.labelId),
          ...(p.fieldErrors[node.name]
            ? { error: p.fieldErrors[node.name] }
            : differ && i === pins.length - 1
              ? { error: t('pin.mismatch') }
              : {}),
        }))}
        values={values}
        onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
        disabled={p.busy}
      />
      <button
        type="submit"
        className="btn primary"
        data-testid={`action-${next.name}`}
        disabled={p.busy || !complete || differ}
      >
        {server(next.labelId)}
      </button>
    </form>
  );
}
