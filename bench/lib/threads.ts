/**
 * CPU time of this process by thread kind, from /proc/self/task/<tid>/{comm,stat} (Linux only;
 * empty elsewhere). Node 20 names its own threads after the executable, so only three kinds are
 * told apart: "main" (the JS thread: HTTP, activities, temporal-lite, PGlite), "rust core" (the
 * SDK's tokio threads, "tokio-runtime-w") and "other threads" (the SDK's workflow threads, V8's
 * GC and compiler helpers, the libuv pool). `labelNewThreads(before, label)` names the threads
 * started since a snapshot (e.g. the SDK's workflow threads, started by `Worker.create`).
 * A thread that ended between two snapshots is missing from the second: its time shows as "ended".
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ

export type ThreadTimes = Map<string, { kind: string; ms: number }>;

const labels = new Map<string, string>();

/** Names the threads (other than tokio's) that did not exist at `before`: e.g. the workflow threads of a Worker created since. */
export function labelNewThreads(before: ThreadTimes, label: string): void {
  for (const [tid, t] of threadTimes()) if (!before.has(tid) && t.kind === 'other threads') labels.set(tid, label);
}

const beforeTotal = new WeakMap<ThreadTimes, number>();
const processCpuMs = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
};

export function threadTimes(): ThreadTimes {
  const out: ThreadTimes = new Map();
  try {
    beforeTotal.set(out, processCpuMs());
  } catch {
    beforeTotal.set(out, 0);
  }
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  const mainTid = String(process.pid);
  for (const tid of tids) {
    try {
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const f = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
      out.set(tid, { kind: tid === mainTid ? 'main' : (labels.get(tid) ?? kindOf(comm)), ms });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

const kindOf = (comm: string): string => (comm.startsWith('tokio') ? 'rust core' : 'other threads');

/** CPU ms by kind between two snapshots, divided by `per`. */
export function threadTimesSince(before: ThreadTimes, per = 1): Record<string, number> {
  const now = threadTimes();
  const by: Record<string, number> = {};
  let sum = 0;
  for (const [tid, t] of now) {
    const ms = t.ms - (before.get(tid)?.ms ?? 0);
    by[t.kind] = (by[t.kind] ?? 0) + ms / per;
    sum += ms;
  }
  by['threads that ended'] = (processCpuMs() - beforeTotal.get(before)! - sum) / per;
  return by;
}

export const formatThreadTimes = (by: Record<string, number>): string =>
  Object.entries(by)
    .filter(([, ms]) => ms >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${k} ${ms.toFixed(1)}`)
    .join(', ');
