/** The CamDigiKey mark (the same shapes as the app icons, see @camdigikey/brand/mark), no text in it. */
import { iconShapes, VIEWBOX } from '@camdigikey/brand/mark';

export function Logo({ size = 64 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox={`0 0 ${VIEWBOX} ${VIEWBOX}`} aria-hidden="true">
      {iconShapes({ fullBleed: false }).map((s, i) =>
        s.kind === 'rect' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed drawing, painted in order
          <rect key={i} x={s.x} y={s.y} width={s.w} height={s.h} rx={s.rx} fill={s.fill} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed drawing, painted in order
          <circle key={i} cx={s.cx} cy={s.cy} r={s.r} fill={s.fill} />
        ),
      )}
    </svg>
  );
}
