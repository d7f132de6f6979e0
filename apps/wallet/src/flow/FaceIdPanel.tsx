/**
 * Step 2/4 "I want Face ID" (user guide 1.6): offered only when the phone has a platform
 * authenticator with user verification; the citizen can always continue without it.
 */
import type { UiAction, UiNode } from '../api/device-api';
import { Notice } from '../ui/components';
import { Icon } from '../ui/Icon';
import { biometric } from '../ui/platform';
import { useT } from '../ui/use-t';
import { createFaceId } from '../webauthn/webauthn';
import type { PanelProps } from './panel-props';

export function FaceIdPanel({
  p,
  node,
  options,
  register,
  skip,
}: {
  p: PanelProps;
  node: UiNode;
  options: UiAction | undefined;
  register: UiAction | undefined;
  skip: UiAction | undefined;
}) {
  const { t, server } = useT();
  const offer = p.faceIdAvailable === true && options && register;

  const enable = async () => {
    if (!options || !register) return;
    const answer = (await p.run(options, {})) as { publicKey?: Record<string, unknown> } | undefined;
    if (!answer?.publicKey) return;
    let credential: Record<string, unknown>;
    try {
      credential = await createFaceId(answer.publicKey);
    } catch {
      p.fail(t('faceid.cancelled'));
      return;
    }
    await p.run(register, { credential });
  };

  return (
    <div className="panel">
      <div className="face-id-art">
        <Icon name={biometric() === 'android' ? 'fingerprint' : 'face'} size={88} />
      </div>
      {p.faceIdAvailable === false ? (
        <Notice testId="face-id-unavailable">{t('faceid.unavailable')}</Notice>
      ) : null}
      {offer ? (
        <button
          type="button"
          className="btn primary"
          data-testid={`action-${options.name}`}
          disabled={p.busy}
          onClick={() => void enable()}
        >
          {server(node.labelId)}
        </button>
      ) : null}
      {skip ? (
        <button
          type="button"
          className={offer ? 'btn secondary' : 'btn primary'}
          data-testid={`action-${skip.name}`}
          disabled={p.busy}
          onClick={() => void p.run(skip, {})}
        >
          {offer ? server(skip.labelId) : t('faceid.continue_without')}
        </button>
      ) : null}
    </div>
  );
}
