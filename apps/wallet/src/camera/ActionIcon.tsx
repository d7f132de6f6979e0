/**
 * A drawn head showing what to do, animated with CSS (camera.css): it turns left or right, nods, looks
 * up, tilts, opens its mouth, comes closer, blinks, or (centre) sits inside a pulsing target. Directions are as the citizen sees the mirrored preview:
 * turning one's head to the left moves it to the screen's left.
 */
import type { JSX } from 'react';
import type { PlanStepKind } from './liveness-plan';

const ARROWS: Partial<Record<PlanStepKind, string>> = {
  turn_left: 'M22 12 H8 M14 6 L8 12 L14 18',
  turn_right: 'M50 12 H64 M58 6 L64 12 L58 18',
  nod: 'M62 30 V50 M56 44 L62 50 L68 44',
  look_up: 'M62 50 V30 M56 36 L62 30 L68 36',
  tilt_left: 'M26 10 Q12 12 10 26 M10 26 L7 19 M10 26 L16 21',
  tilt_right: 'M46 10 Q60 12 62 26 M62 26 L65 19 M62 26 L56 21',
  move_closer: 'M6 6 L16 16 M6 6 H12 M6 6 V12 M66 6 L56 16 M66 6 H60 M66 6 V12',
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
        {action === 'open_mouth' ? (
          <ellipse className="mouth" cx="36" cy="51" rx="4" ry="3.5" fill="#5a1f1f" />
        ) : (
          <path
            d={`M${31 + noseShift} 51 q5 3 10 0`}
            fill="none"
            stroke="#7a3b2e"
            strokeWidth="1.8"
            strokeLinecap="round"
          />
        )}
      </g>
      {arrow ? <path className="arrow" d={arrow} /> : null}
    </svg>
  );
}
