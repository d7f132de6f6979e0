/**
 * Draws one flow view, registration or recovery alike: the guide's step title ("Step 1/4: …")
 * with a progress bar, what is already verified, the server's messages, then the panel chosen by
 * step-plan.ts from the view's nodes and actions. Every label is a message id from the view.
 */
import type { ReactNode } from 'react';
import type { AnyFlowView } from '../api/device-api';
import { ErrorBox } from '../ui/components';
import { useT } from '../ui/use-t';
import { CodePanel, ContactPanel } from './ContactPanels';
import { DocumentPanel } from './DocumentPanel';
import { FaceIdPanel } from './FaceIdPanel';
import { FormPanel } from './FormPanel';
import { LivenessPanel } from './LivenessPanel';
import { PinPanel } from './PinPanel';
import type { PanelProps, UploadState } from './panel-props';
import { planStep } from './step-plan';
import { KeptUpload, UploadStatus } from './UploadStatus';

export interface StepRendererProps extends PanelProps {
  error: unknown;
  /** Extra content of a final step (no nodes): the flow screen's own buttons. */
  children?: ReactNode;
  onBeforeSubmit?: (values: Record<string, string>) => void;
  /** A long request in progress (bytes sent, then the server checking). */
  upload?: UploadState | undefined;
  /** A capture kept on the phone after the connection dropped, and how to send it again. */
  kept?: { savedAt: string; resend: () => void } | undefined;
}

function Verified({ view }: { view: AnyFlowView }) {
  const { t } = useT();
  const values = view.values as Record<string, unknown>;
  const items: [string, string][] = [];
  if (values.phoneVerified === true && typeof values.phone === 'string') items.push(['phone', values.phone]);
  if (values.emailVerified === true && typeof values.email === 'string') items.push(['email', values.email]);
  if (items.length === 0 || view.step.index !== 1) return null;
  return (
    <ul className="verified" data-testid="verified-contacts">
      {items.map(([kind, value]) => (
        <li key={kind}>
          <span aria-hidden="true">✓ </span>
          {t(kind === 'phone' ? 'contact.phone_verified' : 'contact.email_verified', { value })}
        </li>
      ))}
    </ul>
  );
}

export function StepRenderer(props: StepRendererProps) {
  const { t, server, n } = useT();
  const { view } = props;
  const plan = planStep(view);
  const panel = plan.panel;

  let body: ReactNode;
  switch (panel.kind) {
    case 'contact':
      body = <ContactPanel p={props} address={panel.address} send={panel.send} />;
      break;
    case 'code':
      body = (
        <CodePanel
          key={`${view.state}-${String(panel.address.value ?? '')}`}
          p={props}
          address={panel.address}
          code={panel.code}
          verify={panel.verify}
          resend={panel.resend}
          change={panel.change}
        />
      );
      break;
    case 'pin':
      body = <PinPanel key={view.state} p={props} pins={panel.pins} next={panel.next} />;
      break;
    case 'face_id':
      body = (
        <FaceIdPanel
          p={props}
          node={panel.node}
          options={panel.options}
          register={panel.register}
          skip={panel.skip}
        />
      );
      break;
    case 'liveness':
      body = <LivenessPanel p={props} node={panel.node} challenge={panel.challenge} submit={panel.submit} />;
      break;
    case 'document':
      body = <DocumentPanel p={props} mrz={panel.mrz} photo={panel.photo} submit={panel.submit} />;
      break;
    case 'form':
      body = (
        <FormPanel
          key={view.state}
          p={props}
          fields={panel.fields}
          consent={panel.consent}
          save={panel.save}
          accept={panel.accept}
          submit={panel.submit}
          {...(props.onBeforeSubmit ? { onBeforeSubmit: props.onBeforeSubmit } : {})}
        />
      );
      break;
    case 'final':
      body = <div className="panel">{props.children}</div>;
      break;
  }

  return (
    <section className="step" data-testid={`step-${view.kind}-${view.state}`} data-panel={panel.kind}>
      <h2 className="step-title" data-testid="step-title">
        {server(plan.titleId) || t('flow.step', { index: plan.index, total: plan.total })}
      </h2>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={1}
        aria-valuemax={plan.total}
        aria-valuenow={plan.index}
        aria-valuetext={t('flow.step', { index: plan.index, total: plan.total })}
        aria-label={t('flow.progress')}
      >
        {Array.from({ length: plan.total }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: one segment per step number
          <span key={i} className={i < plan.index ? 'segment done' : 'segment'}>
            <span className="visually-hidden">{n(i + 1)}</span>
          </span>
        ))}
      </div>
      <Verified view={view} />
      <div className="messages" aria-live="polite">
        {view.ui.messages.map((message) => {
          const text = server(message.id, message.context);
          if (!text) return null;
          return (
            <p
              key={`${message.id}-${JSON.stringify(message.context ?? {})}`}
              className={message.type === 'error' ? 'notice notice-error' : 'message'}
              data-testid={`message-${message.id}`}
              role={message.type === 'error' ? 'alert' : undefined}
            >
              {text}
            </p>
          );
        })}
      </div>
      <ErrorBox error={props.error} testId="flow-error" />
      {props.upload ? <UploadStatus state={props.upload} panel={panel.kind} /> : null}
      {props.kept && !props.upload ? (
        <KeptUpload panel={panel.kind} busy={props.busy} onSend={props.kept.resend} />
      ) : null}
      {body}
    </section>
  );
}
