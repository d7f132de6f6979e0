/** An icon of CamDigiKey's set (@camdigikey/brand/icons), drawn in the text colour; decorative unless labelled. */
import { ICON_STROKE, ICON_VIEWBOX, ICONS, type IconName } from '@camdigikey/brand/icons';

export type { IconName } from '@camdigikey/brand/icons';

export function Icon({ name, size = 24, label }: { name: IconName; size?: number; label?: string }) {
  const common = {
    className: `icon icon-${name}`,
    width: size,
    height: size,
    viewBox: `0 0 ${ICON_VIEWBOX} ${ICON_VIEWBOX}`,
    fill: 'none',
    stroke: 'currentColor',
    strokeWidth: ICON_STROKE,
    strokeLinecap: 'round' as const,
    strokeLinejoin: 'round' as const,
    focusable: 'false' as const,
  };
  const paths = ICONS[name].map((d) => <path key={d} d={d} />);
  return label ? (
    <svg {...common} role="img" aria-label={label}>
      <title>{label}</title>
      {paths}
    </svg>
  ) : (
    <svg {...common} aria-hidden="true">
      {paths}
    </svg>
  );
}
