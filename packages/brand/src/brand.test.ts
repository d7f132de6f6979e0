import { describe, expect, it } from 'vitest';
import { ICON_VIEWBOX, ICONS, lineIconSvg } from './icons';
import { BLUE, markSvg } from './mark';

/** Every coordinate an SVG path visits (absolute and relative commands of the kinds used here). */
function points(d: string): [number, number][] {
  const out: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const [, cmd, args] of d.matchAll(/([MLHVCSQTAZmlhvcsqtaz])([^MLHVCSQTAZmlhvcsqtaz]*)/g)) {
    const n = (args ?? '').match(/-?\d*\.?\d+/g)?.map(Number) ?? [];
    const rel = cmd === cmd!.toLowerCase();
    const step = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2, a: 7, z: 0 }[cmd!.toLowerCase()]!;
    for (let i = 0; step > 0 && i < n.length; i += step) {
      const c = cmd!.toLowerCase();
      if (c === 'h') x = (rel ? x : 0) + n[i]!;
      else if (c === 'v') y = (rel ? y : 0) + n[i]!;
      else {
        const [px, py] = [n[i + step - 2]!, n[i + step - 1]!];
        x = (rel ? x : 0) + px;
        y = (rel ? y : 0) + py;
      }
      out.push([x, y]);
    }
  }
  return out;
}

describe('the icon set', () => {
  it('draws every icon inside its 24-unit grid', () => {
    for (const [name, paths] of Object.entries(ICONS))
      for (const d of paths)
        for (const [x, y] of points(d)) {
          expect(x, `${name} x`).toBeGreaterThanOrEqual(0);
          expect(y, `${name} y`).toBeGreaterThanOrEqual(0);
          expect(x, `${name} x`).toBeLessThanOrEqual(ICON_VIEWBOX);
          expect(y, `${name} y`).toBeLessThanOrEqual(ICON_VIEWBOX);
        }
  });

  it('writes decorative icons hidden from screen readers and named ones as images', () => {
    expect(lineIconSvg('home')).toContain('aria-hidden="true"');
    expect(lineIconSvg('home', 24, 'Home "page"')).toContain('role="img" aria-label="Home &quot;page&quot;"');
    expect(lineIconSvg('scan')).toContain('stroke="currentColor"');
  });

  it('draws the mark in the national blue', () => {
    expect(markSvg(48)).toContain(`fill="${BLUE}"`);
    expect(markSvg(48, 'CamDigiKey')).toContain('aria-label="CamDigiKey"');
  });
});
