// Script and test support: measures the exact-read rate of readMrz per image degradation on synthetic
// documents, and counts wrong reads (an MRZ returned that differs from the printed one). Run
// `npx tsx packages/mrz-reader/src/read-rate.ts [people]` for the table (default 20 people).
import { fileURLToPath } from 'node:url';
import type { SyntheticCitizen } from '@camdigikey/testkit/citizens';
import { CITIZENS, makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument } from '@camdigikey/testkit/document-image';
import type { Degrade } from './degrade';
import { DEGRADATIONS, EXTREME_DEGRADATIONS, HARSH_DEGRADATIONS } from './degrade';
import { decodeToGray } from './node';
import type { MrzRead } from './reader';
import { readMrz } from './reader';

export interface RateRow {
  degradation: string;
  images: number;
  exact: number;
  /** An MRZ was returned (so all its check digits hold) but differs from the document's. */
  wrong: number;
  notFound: number;
  unreadable: number;
  /** Mean readMrz time per image, milliseconds. */
  ms: number;
  /** Every successful read, for further checks (e.g. parseIdentityMrz). */
  reads: Array<{ citizen: SyntheticCitizen; read: MrzRead }>;
}

/** The first `count` people: the fixed CITIZENS, then generated ones (seeds 100, 101, …). */
export function population(count: number): SyntheticCitizen[] {
  const fixed = CITIZENS.slice(0, count);
  return [
    ...fixed,
    ...Array.from({ length: Math.max(0, count - fixed.length) }, (_, i) => makeCitizen(100 + i)),
  ];
}

export async function measure(
  people: readonly SyntheticCitizen[],
  degradations: Readonly<Record<string, Degrade>>,
): Promise<RateRow[]> {
  const rows: RateRow[] = [];
  const documents = people.map((citizen) => ({ citizen, png: renderDocument(citizen) }));
  for (const [degradation, degrade] of Object.entries(degradations)) {
    const row: RateRow = {
      degradation,
      images: 0,
      exact: 0,
      wrong: 0,
      notFound: 0,
      unreadable: 0,
      ms: 0,
      reads: [],
    };
    for (const { citizen, png } of documents) {
      const image = await degrade(png);
      const start = performance.now();
      const result = readMrz(image);
      row.ms += performance.now() - start;
      row.images++;
      if (!result.ok) {
        if (result.code === 'mrz_not_found') row.notFound++;
        else row.unreadable++;
        continue;
      }
      row.reads.push({ citizen, read: result.value });
      if (result.value.lines.join('\n') === citizen.mrz.join('\n')) row.exact++;
      else row.wrong++;
    }
    row.ms /= Math.max(1, row.images);
    rows.push(row);
  }
  return rows;
}

const pct = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;

/** A Markdown table of the rows with a total line. */
export function formatTable(title: string, rows: readonly RateRow[]): string {
  const total = rows.reduce(
    (t, r) => ({
      images: t.images + r.images,
      exact: t.exact + r.exact,
      wrong: t.wrong + r.wrong,
      notFound: t.notFound + r.notFound,
      unreadable: t.unreadable + r.unreadable,
    }),
    { images: 0, exact: 0, wrong: 0, notFound: 0, unreadable: 0 },
  );
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### ${title}`,
    line(['degradation', 'images', 'exact', 'rate', 'wrong', 'not found', 'unreadable', 'ms/image']),
    line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...rows.map((r) =>
      line([
        r.degradation,
        String(r.images),
        String(r.exact),
        pct(r.exact, r.images),
        String(r.wrong),
        String(r.notFound),
        String(r.unreadable),
        r.ms.toFixed(0),
      ]),
    ),
    line([
      '**all**',
      String(total.images),
      String(total.exact),
      pct(total.exact, total.images),
      String(total.wrong),
      String(total.notFound),
      String(total.unreadable),
      '',
    ]),
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const count = Number(process.argv[2] ?? 20);
  const people = population(count);
  const td1 = people.filter((p) => p.documentType === 'id_card').length;
  console.log(`${people.length} documents (${td1} TD1 ID cards, ${people.length - td1} TD3 passports)\n`);
  const sets: Array<[string, Readonly<Record<string, Degrade>>]> = [
    ['Clean and mild degradations (target ≥ 90 %)', { clean: decodeToGray, ...DEGRADATIONS }],
    ['Harsh degradations', HARSH_DEGRADATIONS],
    ['Extreme degradations (beyond a usable capture)', EXTREME_DEGRADATIONS],
  ];
  for (const [title, set] of sets) console.log(`${formatTable(title, await measure(people, set))}\n`);
}
