/**
 * Why the camera is not showing, in words the citizen can act on (allow the camera in the settings,
 * close the other app, …), with "Try again" and the screen's way out.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraProblem } from './useCamera';

export function CameraProblemPanel(props: { problem: CameraProblem; onRetry(): void; children?: ReactNode }) {
  const { t } = useTranslation();
  const { problem } = props;
  return (
    <div className="cdk-cam-problem" role="alert" data-problem={problem}>
      <h3>{t(`camera.common.problem.${problem}.title`)}</h3>
      <p>{t(`camera.common.problem.${problem}.body`)}</p>
      <div className="cdk-cam-actions">
        {problem !== 'insecure' && problem !== 'unsupported' && (
          <button type="button" className="cdk-cam-primary" onClick={props.onRetry}>
            {t('camera.common.retry')}
          </button>
        )}
        {props.children}
      </div>
    </div>
  );
}
