/**
 * The HTTP webhook path end to end, as users run it: the server (PGlite in a data folder, or
 * DATABASE_URL; temporal-lite and the flow worker in this process) and N requests to
 * POST /api/hooks/<id> at a fixed concurrency, each a new customer and a run of a flow of `steps`
 * add-note actions. Prints, per flow shape:
 *   - executions/s: N / (first request sent → last run finished)
 *   - p50 / p99 webhook → 202 (run started) and webhook → run finished
 *   - CPU ms per execution: the server's process (this one) user+system time from /proc/self/stat
 *     over the run / N, by thread; the requests come from a load generator in a process of its own
 *     (bench/lib/load-client.mjs; its CPU is printed, not counted), as in the n8n comparison. On
 *     PGlite the database is in the figure; on PostgreSQL its backends' CPU (from /proc, when the
 *     server runs on this machine) is printed beside it, and the two added up. (Until 2026-12-03
 *     the client ran in this process and its CPU was counted: figures before that are ~1-2 ms
 *     higher for it.)
 *   - RSS at rest and at the end
 *   - SQL statements per execution (every statement the db handle sends, BEGIN / COMMIT
 *     included, the bench's own polling left out), by where they come from, and the most frequent
 *     statement texts; with two shapes, the statements and CPU per extra step
 *
 *   pnpm bench webhook [n=500] [concurrency=16] [shapes=1,20] [rate]   (DATABASE_URL=postgres://… for PostgreSQL)
 *
 * BENCH_CPU_PROFILE=<file.cpuprofile> writes a V8 CPU profile of the main thread over the measured
 * shapes only (the warmup, migrations and the bundle build left out), for Chrome DevTools;
 * BENCH_HEAP_PROFILE=<file.heapprofile> the main thread's allocations over the same span (sampled,
 * the collected ones included: what the scavenger has to clear).
 *
 * With `rate` (requests/s, e.g. 50) the requests are paced instead: request i leaves at i / rate s
 * whatever the earlier ones are doing (an open loop, as webhooks arrive), so "webhook → 202" is
 * the issue's "webhook → run started at 50 requests/s"; `concurrency` is then unused.
 *
 * n8n beside it: `bench/n8n/install.sh` installs n8n 1.123 with npm outside the repo (N8N_DIR,
 * default ~/.cache/nudge-bench/n8n; not part of `pnpm install` or CI), then
 * `N8N_DIR=… pnpm bench n8n [n] [concurrency] [shapes] [pairs]` runs this file and n8n (SQLite,
 * every execution saved, legacy expressions) in alternating runs, the same requests on both, and
 * prints the executions/s ratios (median of pairs), CPU ms per execution and RSS: see bench/n8n.ts.
 */
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { formatThreadTimes, labelNewThreads, threadTimes, threadTimesSince } from './lib/threads.js';

const N = Number(process.argv[2] ?? 500);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const SHAPES = (process.argv[4] ?? '1,20').split(',').map(Number);
const RATE = Number(process.argv[5] ?? 0);

const { createDb, migrate } = await import('@nudge/db');
const { startTemporalEngine } = await import('@nudge/server/engine');
const { startFlowRuntime } = await import('@nudge/server/flows');
const { createApp } = await import('@nudge/server/app');
const { publishFlow } = await import('@nudge/server/flows/testing');

const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'nudge-webhook-'));
const db = await createDb({ url: process.env.DATABASE_URL ?? join(dir!, 'db'), observeStatements: true });

// statements by where they come from: first matching pattern wins
const ORIGINS: [RegExp, string][] = [
  [/__bench_poll__/, 'bench'],
  [/temporal_lite\./, 'temporal-lite persistence (history, executions, meta)'],
  [/^\s*(begin|commit|rollback)\b/i, 'BEGIN / COMMIT'],
  [/jsonb_to_recordset\(\$1::jsonb\) as v\(run_id uuid, flow_id uuid, node_id/, 'step-status writes (batched)'],
  [/^update "flow_runs" set .*"exit_reason" = /s, 'run final status (markRun)'],
  [/interactions|pg_advisory|customer_tags|left join "users"|"first_contact_at" = least/, 'node activity SQL'],
  [/./s, 'webhook / enrollment path'],
];
const statements = new Map<string, number>();
db.onStatement((text) => statements.set(text, (statements.get(text) ?? 0) + 1));
const originOf = (text: string) => ORIGINS.find(([re]) => re.test(text))![1];
const shortText = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 110);
const perShape: Record<number, { cpu: number; pgCpu: number | null; byOrigin: Map<string, number>; total: number; executionsPerSecond: number; p50: number; p99: number; rssEnd: number }> = {};
await migrate(db);
const temporal = await startTemporalEngine({ db, port: 0 });
const ctx: Parameters<typeof createApp>[0] = { db, temporal };
const beforeWorker = threadTimes();
const runtime = await startFlowRuntime(ctx, { sweepEveryMs: 0, allowPrivateWebhooks: true });
labelNewThreads(beforeWorker, 'workflow threads');
ctx.flows = runtime;
const server = createApp(ctx).listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1');
await new Promise((r) => server.once('listening', r));
server.keepAliveTimeout = 65_000;
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const link = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourceHandle: 'next', target, targetHandle: 'in' });
const flowOf = (hookId: string, steps: number) => ({
  nodes: [node('trigger', 'trigger.webhook@1', { hookId, rateLimitPerMinute: 100_000 }), ...Array.from({ length: steps }, (_, i) => node(`n${i}`, 'action.add_note@1', { text: `step ${i} for {name}` }))],
  edges: Array.from({ length: steps }, (_, i) => link(i === 0 ? 'trigger' : `n${i - 1}`, `n${i}`)),
});

/**
 * A profile of the main thread through the inspector: `cpu` (sampled every 200 µs) or `heap`
 * (allocation sampling, the objects collected since included: what the scavenger has to clear).
 * Both open in Chrome DevTools; `pnpm bench profile-summary <file>` sums them up.
 */
async function startProfile(kind: 'cpu' | 'heap') {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  if (kind === 'cpu') {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  } else {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  return {
    async stop(file: string) {
      const { profile } = kind === 'cpu' ? await session.post('Profiler.stop') : await session.post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`${kind === 'cpu' ? 'CPU' : 'allocation'} profile of the main thread: ${file}`);
    },
  };
}

// a run on a reused PostgreSQL database must not be answered from an earlier run's idempotency keys
const runTag = `${process.pid}.${Date.now().toString(36)}`;
const ticks = 100; // USER_HZ
const cpuMs = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
};
const rssMb = () => process.memoryUsage().rss / 1_048_576;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

// ---------- the load generator, in a process of its own (bench/lib/load-client.mjs) ----------
const client = fork(join(import.meta.dirname, 'lib', 'load-client.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
await new Promise((resolve) => client.once('message', resolve));
type LoadResult = { sent: [string, number, number][]; refused: number; cpuMs: number };
const loadClient = (job: { base: string; hookId: string; tag: string; n: number; concurrency: number; rate: number }) =>
  new Promise<LoadResult>((resolve) => {
    client.once('message', (m) => resolve(m as LoadResult));
    client.send(job);
  });

// ---------- on PostgreSQL: the CPU of this database's backends, from /proc (same machine) ----------
type PgCpu = Map<number, number>;
async function databaseCpu(): Promise<PgCpu | null> {
  if (db.driver !== 'postgres') return null;
  const rows = await db.sql.query<{ pid: number }>(`select /* __bench_poll__ */ pid from pg_stat_activity where datname = current_database()`);
  const out: PgCpu = new Map();
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(Number(pid), ((Number(f[11]) + Number(f[12])) * 1000) / ticks);
    } catch {
      return null; // another machine (or not readable): no figure
    }
  }
  return out;
}
const databaseCpuSince = (before: PgCpu, after: PgCpu | null) => (after ? [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0) : 0);

async function shape(steps: number, n: number, label: string, quiet = false) {
  // the run tag too: flows of an earlier run on the same PostgreSQL database stay active on their hook
  const hookId = `bench-${label}-${runTag.replace(/[^a-z0-9]/g, '-')}`.slice(0, 63);
  await publishFlow(ctx, flowOf(hookId, steps), { name: label });
  const sentAt = new Map<string, number>();
  const answered: number[] = [];
  statements.clear();
  const cpu0 = cpuMs();
  const threads0 = threadTimes();
  const pg0 = await databaseCpu();
  const t0 = performance.now();
  const wall0 = Date.now();
  const result = await loadClient(
    { base, hookId, tag: `${runTag}-${label}`, n, concurrency: CONCURRENCY, rate: RATE > 0 && !quiet ? RATE : 0 },
  );
  const refused = result.refused;
  for (const [runId, sent, ms] of result.sent) {
    answered.push(ms);
    sentAt.set(runId, sent);
  }
  // wait for every run to finish
  const ids = [...sentAt.keys()];
  let rows: { id: string; status: string; finished_ms: number | null }[];
  for (;;) {
    rows = await db.sql.query<{ id: string; status: string; finished_ms: number | null }>(
      `select /* __bench_poll__ */ id, status::text as status, (extract(epoch from finished_at) * 1000)::float8 as finished_ms from flow_runs where id = any($1::uuid[])`,
      [ids],
    );
    if (rows.every((r) => r.status === 'completed' || r.status === 'failed')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const lastFinish = Math.max(...rows.map((r) => Number(r.finished_ms)));
  const seconds = (lastFinish - wall0) / 1000;
  const cpu = cpuMs() - cpu0;
  const byThread = threadTimesSince(threads0, n);
  const pgCpu = pg0 ? databaseCpuSince(pg0, await databaseCpu()) : null;
  const toDone = rows.map((r) => Number(r.finished_ms) - sentAt.get(r.id)!);
  if (quiet) return;
  const byOrigin = new Map<string, number>();
  const byText = new Map<string, number>();
  for (const [text, count] of statements) {
    const origin = originOf(text);
    if (origin === 'bench') continue;
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + count);
    const key = `${origin.split(' ')[0]}: ${shortText(text)}`;
    byText.set(key, (byText.get(key) ?? 0) + count);
  }
  const total = [...byOrigin.values()].reduce((a, b) => a + b, 0);
  perShape[steps] = { cpu: cpu / n, pgCpu: pgCpu === null ? null : pgCpu / n, byOrigin, total: total / n, executionsPerSecond: n / seconds, p50: pct(toDone, 50), p99: pct(toDone, 99), rssEnd: rssMb() };
  console.log(
    `${String(steps).padStart(2)}-step flow, ${n} requests, ${RATE > 0 ? `paced at ${RATE}/s` : `${CONCURRENCY} in flight`}: ${(n / seconds).toFixed(1)} executions/s; ` +
      `webhook → 202 p50 ${pct(answered, 50).toFixed(0)} ms p99 ${pct(answered, 99).toFixed(0)} ms; → finished p50 ${pct(toDone, 50).toFixed(0)} ms p99 ${pct(toDone, 99).toFixed(0)} ms; ` +
      `CPU ${(cpu / n).toFixed(1)} ms per execution; RSS ${rssMb().toFixed(0)} MB` +
      `${refused ? `; ${refused} not 202` : ''}${rows.some((r) => r.status === 'failed') ? '; some runs FAILED' : ''} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  console.log(`   CPU ms per execution by thread: ${formatThreadTimes(byThread)}` +
    `${pgCpu !== null ? `; PostgreSQL's backends ${(pgCpu / n).toFixed(1)} (server + database ${((cpu + pgCpu) / n).toFixed(1)})` : ''}` +
    `; the load generator (its own process, not counted) ${(result.cpuMs / n).toFixed(1)}`);
  console.log(`   SQL statements per execution: ${(total / n).toFixed(1)}`);
  for (const [origin, count] of [...byOrigin].sort((a, b) => b[1] - a[1])) console.log(`     ${(count / n).toFixed(2).padStart(7)}  ${origin}`);
  console.log('   most frequent statements (per execution):');
  for (const [text, count] of [...byText].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_SQL_TOP ?? 14))) console.log(`     ${(count / n).toFixed(2).padStart(7)}  ${text}`);
}

const rssAtRest = rssMb();
console.log(`Webhook benchmark on ${db.driver} (${dir ? 'data folder' : 'server'}); RSS at rest ${rssAtRest.toFixed(0)} MB`);
await shape(1, Math.min(50, N), 'warmup', true);
const profile = process.env.BENCH_CPU_PROFILE ? await startProfile('cpu') : null;
const heapProfile = process.env.BENCH_HEAP_PROFILE ? await startProfile('heap') : null;
for (const steps of SHAPES) await shape(steps, N, `s${steps}`);
if (profile) await profile.stop(process.env.BENCH_CPU_PROFILE!);
if (heapProfile) await heapProfile.stop(process.env.BENCH_HEAP_PROFILE!);

const shapes = Object.keys(perShape).map(Number).sort((a, b) => a - b);
if (shapes.length >= 2) {
  const [lo, hi] = [shapes[0]!, shapes[shapes.length - 1]!];
  const a = perShape[lo]!;
  const b = perShape[hi]!;
  const per = (x: number, y: number) => ((y - x) / (hi - lo)).toFixed(2);
  console.log(`per extra step (${lo} → ${hi} steps): CPU ${per(a.cpu, b.cpu)} ms, ${per(a.total, b.total)} statements`);
  for (const origin of new Set([...a.byOrigin.keys(), ...b.byOrigin.keys()])) {
    console.log(`     ${per((a.byOrigin.get(origin) ?? 0) / N, (b.byOrigin.get(origin) ?? 0) / N).padStart(7)}  ${origin}`);
  }
}

// one machine-readable line for bench/n8n.ts (which runs this file as a child, alternating with n8n)
if (process.env.BENCH_JSON) {
  const result = Object.fromEntries(Object.entries(perShape).map(([k, v]) => [k, { executionsPerSecond: v.executionsPerSecond, cpuMs: v.cpu, p50: v.p50, p99: v.p99, rssEnd: v.rssEnd }]));
  console.log(`BENCH_RESULT ${JSON.stringify({ driver: db.driver, rssAtRest, shapes: result })}`);
}

const lite = temporal.lite?.engine.stats;
if (lite) console.log(`temporal-lite: ${lite.eagerWorkflows} of ${lite.normalTasks + lite.stickyTasks} workflow tasks went out in a start's answer (eager start), ${lite.stickyTasks} on a sticky queue`);
client.kill();
server.close();
await runtime.stop();
await temporal.stop();
await db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(0);
