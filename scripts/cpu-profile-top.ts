/**
 * `npx tsx scripts/cpu-profile-top.ts <file.cpuprofile> [n]`: the top items of a V8 CPU profile
 * (as written by `node --cpu-prof` or `BENCH_CPU_PROFILE` of bench:login) by self time, per
 * function and per module (npm package, or the project's own file), as percentages of the
 * profile's busy time (idle and GC listed apart).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, nArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpu-profile-top <file.cpuprofile> [n]');
  process.exit(2);
}
const N = Number(nArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Samples under the profiler's own start/stop calls (bench-server.ts) are the profiler's, not the server's.
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const profilerOwn = (id: number): boolean => {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const name = byId.get(at)?.callFrame.functionName;
    if (name === 'profileStart' || name === 'profileStop') return true;
  }
  return false;
};
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (profilerOwn(id)) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

function moduleOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const at = url.search(/\/(apps|packages|scripts|tests)\//);
  return at >= 0 ? url.slice(at + 1) : url;
}

const fn = new Map<string, number>();
const mod = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const name = node.callFrame.functionName || '(anonymous)';
  if (name === '(idle)' || name === '(program)') {
    idle += us;
    continue;
  }
  total += us;
  const key = `${name}  ${moduleOf(node.callFrame.url)}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const m = name === '(garbage collector)' ? '(garbage collector)' : moduleOf(node.callFrame.url);
  mod.set(m, (mod.get(m) ?? 0) + us);
}

const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, N))
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    );
};
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle/program over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`,
);
show('self time by function', fn);
show('self time by module', mod);
