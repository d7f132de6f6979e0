/**
 * Step 2/4 the face check (user guide 1.7; recovery 3/3): "Hold to Record" asks the server for a
 * fresh challenge (random head movements with a time limit), the recorder films them, and the
 * selfie and frames go back with the challenge id.
 */
import { useState } from 'react';
import type { LivenessChallenge, UiAction, UiNode } from '../api/device-api';
import { CameraLayer, LivenessRecorder, type LivenessResult } from '../ui/camera';
import { useT } from '../ui/use-t';
import type { PanelProps } from './panel-props';

export function LivenessPanel({
  p,
  node,
  challenge,
  submit,
}: {
  p: PanelProps;
  node: UiNode;
  challenge: UiAction;
  submit: UiAction;
}) {
  const { t, server } = useT();
  const [issued, setIssued] = useState<LivenessChallenge>();
  const actions = issued?.actions ?? (node.messages ?? []).map((m) => m.id.replace(/^liveness\./, ''));

  const start = async () => {
    const answer = (await p.run(challenge, {})) as { challenge?: LivenessChallenge } | undefined;
    if (answer?.challenge) setIssued(answer.challenge);
  };
  const done = async (result: LivenessResult) => {
    const current = issued;
    setIssued(undefined);
    if (!current) return;
    await p.run(submit, { challengeId: current.id, selfie: result.selfie, frames: result.frames });
  };

  return (
    <div className="panel">
      <ol className="steps-list" data-testid="liveness-instructions">
        <li>{t('liveness.tip_light')}</li>
        <li>{t('liveness.tip_face')}</li>
        {actions.map((action) => (
          <li key={action}>{server(`liveness.${action}`)}</li>
        ))}
      </ol>
      {p.fieldErrors.selfie ? (
        // What else to fix in the selfie, besides the error shown above (server quality checks).
        <p className="field-error" role="alert" data-testid="selfie-error">
          {p.fieldErrors.selfie}
        </p>
      ) : null}
      <button
        type="button"
        className="btn primary"
        data-testid={`action-${challenge.name}`}
        disabled={p.busy}
        onClick={() => void start()}
      >
        {server(challenge.labelId)}
      </button>
      {issued ? (
        <CameraLayer testId="liveness-camera">
          <LivenessRecorder
            actions={issued.actions}
            {...(issued.steps ? { steps: issued.steps } : {})}
            onResult={(r) => void done(r)}
            onCancel={() => setIssued(undefined)}
          />
        </CameraLayer>
      ) : null}
    </div>
  );
}
