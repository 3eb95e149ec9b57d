/**
 * Reads a profile written by BENCH_CPU_PROFILE (.cpuprofile) or BENCH_HEAP_PROFILE (.heapprofile)
 * and prints where the time (self time, sampled wall clock of the main thread — a thread
 * preempted inside a syscall shows as that syscall) or the allocations (bytes, the collected ones
 * included) went: by package, then the top functions.
 *
 *   pnpm bench profile-summary <file> [per=1] [top=25]
 *
 * `per`: divide by it (e.g. the number of executions) to read the figures per execution.
 */
import { readFileSync } from 'node:fs';

const [file, perArg, topArg] = process.argv.slice(2);
if (!file) {
  console.log('Usage: pnpm bench profile-summary <file.cpuprofile|file.heapprofile> [per=1] [top=25]');
  process.exit(2);
}
const per = Number(perArg ?? 1);
const top = Number(topArg ?? 25);
type Frame = { functionName: string; url: string; lineNumber: number };

const packageOf = (f: Frame) => {
  const u = f.url || f.functionName || '(native)';
  const m = u.match(/node_modules\/(?:\.pnpm\/)?((?:@[^/+]+[/+])?[^/@+]+)/);
  return m ? m[1]!.replace('+', '/') : u.replace(/^file:\/\//, '').replace(/^.*?\/(apps|packages|bench)\//, '$1/').split('/').slice(0, 3).join('/');
};
const functionOf = (f: Frame) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*?\/(apps|packages|bench)\//, '$1/')}:${f.lineNumber + 1}`;

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
const add = (f: Frame, v: number) => {
  total += v;
  byPackage.set(packageOf(f), (byPackage.get(packageOf(f)) ?? 0) + v);
  byFunction.set(functionOf(f), (byFunction.get(functionOf(f)) ?? 0) + v);
};

const profile = JSON.parse(readFileSync(file, 'utf8'));
let unit: string;
let scale: number;
if (profile.head) {
  // heap profile: a tree of call frames with selfSize
  unit = 'KB';
  scale = 1 / 1024;
  const walk = (n: { callFrame: Frame; selfSize: number; children: unknown[] }) => {
    if (n.selfSize) add(n.callFrame, n.selfSize);
    for (const c of n.children as (typeof n)[]) walk(c);
  };
  walk(profile.head);
} else {
  // CPU profile: nodes, samples and the time between them (µs)
  unit = 'ms';
  scale = 1 / 1000;
  const nodes = new Map<number, Frame>(profile.nodes.map((n: { id: number; callFrame: Frame }) => [n.id, n.callFrame]));
  profile.samples.forEach((id: number, i: number) => add(nodes.get(id)!, profile.timeDeltas[i] ?? 0));
}

const print = (title: string, m: Map<string, number>) => {
  console.log(`${title} (${unit}${per !== 1 ? ` ÷ ${per}` : ''}, share):`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((v * scale) / per).toFixed(1).padStart(9)}  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  }
};
console.log(`${file}: ${((total * scale) / per).toFixed(0)} ${unit} in all${per !== 1 ? ` ÷ ${per}` : ''}`);
print('by package', byPackage);
print('by function (self)', byFunction);
