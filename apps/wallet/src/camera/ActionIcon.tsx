/**
 * A drawn head showing what to do, animated with CSS (camera.css): it turns left or right, nods, blinks,
 * or (centre) sits inside a pulsing target. Directions are as the citizen sees the mirrored preview:
 * turning one's head to the left moves it to the screen's left.
 */
import type { JSX } from 'react';
import type { PlanStepKind } from './liveness-plan';

const ARROWS: Partial<Record<PlanStepKind, string>> = {
  turn_left: 'M22 12 H8 M14 6 L8 12 L14 18',
  turn_right: 'M50 12 H64 M58 6 L64 12 L58 18',
  nod: 'M62 30 V50 M56 44 L62 50 L68 44',
};

export function ActionIcon(props: { action: PlanStepKind }): JSX.Element {
  const { action } = props;
  const arrow = ARROWS[action];
  const noseShift = action === 'turn_left' ? -4 : action === 'turn_right' ? 4 : 0;
  return (
    <svg className="cdk-cam-icon" data-action={action} viewBox="0 0 72 72" aria-hidden="true">
      {action === 'center' ? (
        <circle className="target" cx="36" cy="40" r="27" fill="none" stroke="#1f6feb" strokeWidth="3" />
      ) : null}
      <g className="head">
        <ellipse cx="36" cy="40" rx="15" ry="19" fill="#f1c9a5" stroke="#3b2a20" strokeWidth="2" />
        <path d="M21 36 Q22 20 36 20 Q50 20 51 36 Q46 28 36 27 Q26 28 21 36 Z" fill="#3b2a20" />
        <ellipse className="eye" cx={30 + noseShift} cy="39" rx="2" ry="2.4" fill="#3b2a20" />
        <ellipse className="eye" cx={42 + noseShift} cy="39" rx="2" ry="2.4" fill="#3b2a20" />
        <path
          d={`M${36 + noseShift} 42 l${noseShift / 2} 5 h${-noseShift / 2 - 2}`}
          fill="none"
          stroke="#3b2a20"
          strokeWidth="1.5"
        />
        <path
          d={`M${31 + noseShift} 51 q5 3 10 0`}
          fill="none"
          stroke="#7a3b2e"
          strokeWidth="1.8"
          strokeLinecap="round"
        />
      </g>
      {arrow ? <path className="arrow" d={arrow} /> : null}
    </svg>
  );
}
