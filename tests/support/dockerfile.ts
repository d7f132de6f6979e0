/** A Dockerfile read as its stages and instructions, for the tests that check it against the release. */

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  steps: Instruction[];
}

/** Dockerfile instructions by stage (continuation lines joined, comments dropped). */
export function dockerStages(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n\s*/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const [from = '', , name] = rest;
      stages.push({ from, ...(name ? { name } : {}), steps: [] });
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** The files a COPY names: its sources (flags dropped) and its destination. */
export function copyOf(step: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = step.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1) as string };
}
