/**
 * CPU time of this process by thread kind, from /proc/self/task/<tid>/{comm,stat} (Linux only;
 * empty elsewhere). Node 20 names its own threads after the executable, so only three kinds are
 * told apart: "main" (the JS thread: HTTP, activities, temporal-lite, PGlite), "rust core" (the
 * SDK's tokio threads, "tokio-runtime-w") and "other threads" (the SDK's workflow threads, V8's
 * GC and compiler helpers, the libuv pool). A CPU profile (`node --cpu-prof`) splits the last.
 * A thread that ended between two snapshots is missing from the second: its time shows as "ended".
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ

export type ThreadTimes = Map<string, { kind: string; ms: number }>;

export function threadTimes(): ThreadTimes {
  const out: ThreadTimes = new Map();
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
      out.set(tid, { kind: tid === mainTid ? 'main' : kindOf(comm), ms });
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
  for (const [tid, t] of now) by[t.kind] = (by[t.kind] ?? 0) + (t.ms - (before.get(tid)?.ms ?? 0)) / per;
  return by;
}

export const formatThreadTimes = (by: Record<string, number>): string =>
  Object.entries(by)
    .filter(([, ms]) => ms >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${k} ${ms.toFixed(1)}`)
    .join(', ');
