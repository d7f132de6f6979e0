/**
 * Accessibility measured on every screen of a journey (issue 16): axe-core (through
 * @axe-core/playwright) with the WCAG 2.0–2.2 A and AA rules (contrast ≥ 4.5:1 for text, every
 * control named for a screen reader, labels, landmarks, language), every control reachable by the
 * keyboard (nothing visible and interactive taken out of the tab order), and the text scaled to
 * 200 % without loss (WCAG 1.4.4: no sideways scrolling, no text cut off by its box). Each screen
 * prints one line with its counts; serious and critical violations fail the test softly (the
 * journey goes on, so one run lists them all) and `a11yReport()` prints the whole table.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface ScreenA11y {
  screen: string;
  critical: number;
  serious: number;
  moderate: number;
  minor: number;
  /** Interactive elements that the keyboard cannot reach. */
  unreachable: number;
  /** At 200 % text: whether the page scrolls sideways, and the elements whose text is cut off. */
  overflowX: boolean;
  clipped: number;
  problems: string[];
}

const rows: ScreenA11y[] = [];

/** Interactive elements that are visible but out of the tab order (tabindex -1 on a control). */
async function unreachable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } })
      .document;
    const out: string[] = [];
    for (const node of Array.from(
      doc.querySelectorAll('a[href], button, input, select, textarea, [role="button"]'),
    )) {
      const el = node as {
        tabIndex: number;
        disabled?: boolean;
        type?: string;
        outerHTML: string;
        getClientRects(): ArrayLike<unknown>;
        closest(s: string): unknown;
      };
      if (el.disabled || el.type === 'hidden' || el.getClientRects().length === 0) continue;
      if (el.closest('[aria-hidden="true"], [inert]')) continue;
      // The PIN field's input covers its box on purpose (the keypad types into it); it is reachable.
      if (el.tabIndex < 0) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}

/**
 * Text at 200 %: the root font size doubled (the wallet sizes its text in rem), then what scrolls
 * sideways and which boxes cut their text. Restored afterwards.
 */
async function textAt200(page: Page): Promise<{ overflowX: boolean; clipped: string[] }> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as {
      document: {
        documentElement: { style: { fontSize: string }; scrollWidth: number };
        querySelectorAll(s: string): ArrayLike<unknown>;
      };
      innerWidth: number;
      getComputedStyle(el: unknown): {
        fontSize: string;
        overflowX: string;
        overflowY: string;
        textOverflow: string;
        clip: string;
      };
      requestAnimationFrame(f: () => void): void;
    };
    const root = g.document.documentElement;
    const before = root.style.fontSize;
    const base = Number.parseFloat(g.getComputedStyle(root).fontSize);
    root.style.fontSize = `${base * 2}px`;
    await new Promise<void>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(() => r())));
    const overflowX = root.scrollWidth > g.innerWidth + 1;
    const clipped: string[] = [];
    for (const node of Array.from(g.document.querySelectorAll('body *'))) {
      const el = node as {
        scrollWidth: number;
        clientWidth: number;
        scrollHeight: number;
        clientHeight: number;
        textContent: string | null;
        tagName: string;
        className: unknown;
        getClientRects(): ArrayLike<unknown>;
      };
      if (!el.textContent?.trim() || el.getClientRects().length === 0) continue;
      // Text hidden on purpose for screen readers only (1 × 1 px, clipped) is not text cut off.
      if (el.clientWidth <= 1 && el.clientHeight <= 1) continue;
      if (['svg', 'path', 'video', 'canvas', 'INPUT', 'TEXTAREA'].includes(el.tagName)) continue;
      const style = g.getComputedStyle(el);
      // Clipped on purpose (the visually-hidden pattern: `clip: rect(0 0 0 0)`).
      if (style.clip && style.clip !== 'auto') continue;
      const hides = (o: string) => o === 'hidden' || o === 'clip';
      if (
        (hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1) ||
        (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1)
      )
        clipped.push(`${el.tagName.toLowerCase()}.${String(el.className)}`);
    }
    root.style.fontSize = before;
    await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
    return { overflowX, clipped };
  });
}

/** Measures the screen now shown; prints its line; fails softly on serious/critical problems. */
export async function a11y(
  page: Page,
  screen: string,
  options: { textScale?: boolean } = {},
): Promise<ScreenA11y> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const count = (impact: string) => result.violations.filter((v) => v.impact === impact).length;
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const keyboard = await unreachable(page);
  const scaled = options.textScale === false ? { overflowX: false, clipped: [] } : await textAt200(page);
  const row: ScreenA11y = {
    screen,
    critical: count('critical'),
    serious: count('serious'),
    moderate: count('moderate'),
    minor: count('minor'),
    unreachable: keyboard.length,
    overflowX: scaled.overflowX,
    clipped: scaled.clipped.length,
    problems: [
      ...bad.map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(', ')}`,
      ),
      ...keyboard.map((k) => `unreachable: ${k}`),
      ...(scaled.overflowX ? ['200 % text: the page scrolls sideways'] : []),
      ...scaled.clipped.slice(0, 5).map((c) => `200 % text cut off in ${c}`),
    ],
  };
  rows.push(row);
  console.log(
    `a11y ${screen}: critical ${row.critical}, serious ${row.serious}, moderate ${row.moderate}, minor ${row.minor}; unreachable ${row.unreachable}; 200% text: ${row.overflowX ? 'scrolls sideways' : 'fits'}, ${row.clipped} cut off`,
  );
  for (const problem of row.problems) console.log(`  ${problem}`);
  expect.soft(row.problems, `accessibility of ${screen}`).toEqual([]);
  return row;
}

/** The table of every screen measured so far (printed at the end of a journey). */
export function a11yReport(): string {
  const head = 'screen | critical | serious | moderate | minor | unreachable | 200% sideways | 200% cut off';
  const lines = rows.map(
    (r) =>
      `${r.screen} | ${r.critical} | ${r.serious} | ${r.moderate} | ${r.minor} | ${r.unreachable} | ${r.overflowX ? 'yes' : 'no'} | ${r.clipped}`,
  );
  const total = rows.reduce((n, r) => n + r.critical + r.serious, 0);
  return [head, ...lines, `screens: ${rows.length}, serious or critical: ${total}`].join('\n');
}
