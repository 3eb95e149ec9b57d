/**
 * The HTTP webhook path end to end, as users run it: the server (PGlite in a data folder, or
 * DATABASE_URL; temporal-lite and the flow worker in this process) and N requests to
 * POST /api/hooks/<id> at a fixed concurrency, each a new customer and a run of a flow of `steps`
 * add-note actions. Prints, per flow shape:
 *   - executions/s: N / (first request sent → last run finished)
 *   - p50 / p99 webhook → 202 (run started) and webhook → run finished
 *   - CPU ms per execution: this process's user+system time from /proc/self/stat over the run / N
 *     (the database's own CPU is not in it on PostgreSQL; on PGlite it is)
 *   - RSS at rest and at the end
 *
 *   pnpm bench webhook [n=500] [concurrency=16] [shapes=1,20]      (DATABASE_URL=postgres://… for PostgreSQL)
 *
 * n8n beside it (not automated, and not measured in the session that wrote this): install it
 * in an empty folder (`npm install n8n@1`, with package.json `overrides` for whatever native
 * module this machine's Node cannot build), start it with N8N_EXPRESSION_ENGINE=legacy, import a
 * "Webhook → N × Set" workflow and drive its /webhook/<path> with the same N and concurrency, in
 * runs alternating with this one; divide the executions/s.
 */
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { formatThreadTimes, labelNewThreads, threadTimes, threadTimesSince } from './lib/threads.js';

const N = Number(process.argv[2] ?? 500);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const SHAPES = (process.argv[4] ?? '1,20').split(',').map(Number);

const { createDb, migrate } = await import('@nudge/db');
const { startTemporalEngine } = await import('@nudge/server/engine');
const { startFlowRuntime } = await import('@nudge/server/flows');
const { createApp } = await import('@nudge/server/app');
const { publishFlow } = await import('@nudge/server/flows/testing');

const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'nudge-webhook-'));
const db = await createDb({ url: process.env.DATABASE_URL ?? join(dir!, 'db') });
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

async function shape(steps: number, n: number, label: string, quiet = false) {
  const hookId = `bench-${label}`;
  await publishFlow(ctx, flowOf(hookId, steps), { name: label });
  const sentAt = new Map<string, number>();
  const answered: number[] = [];
  let next = 0;
  let refused = 0;
  const cpu0 = cpuMs();
  const threads0 = threadTimes();
  const t0 = performance.now();
  const wall0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        const sent = Date.now();
        const res = await fetch(`${base}/api/hooks/${hookId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `${label}-${i}` },
          body: JSON.stringify({ email: `${label}-${i}@example.com`, name: `Bench ${i}` }),
        });
        const body = (await res.json()) as { runId?: string };
        if (res.status !== 202 || !body.runId) refused++;
        else {
          answered.push(performance.now() - t);
          sentAt.set(body.runId, sent);
        }
      }
    }),
  );
  // wait for every run to finish
  const ids = [...sentAt.keys()];
  let rows: { id: string; status: string; finished_ms: number | null }[];
  for (;;) {
    rows = await db.sql.query<{ id: string; status: string; finished_ms: number | null }>(
      `select id, status::text as status, (extract(epoch from finished_at) * 1000)::float8 as finished_ms from flow_runs where id = any($1::uuid[])`,
      [ids],
    );
    if (rows.every((r) => r.status === 'completed' || r.status === 'failed')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const lastFinish = Math.max(...rows.map((r) => Number(r.finished_ms)));
  const seconds = (lastFinish - wall0) / 1000;
  const cpu = cpuMs() - cpu0;
  const byThread = threadTimesSince(threads0, n);
  const toDone = rows.map((r) => Number(r.finished_ms) - sentAt.get(r.id)!);
  if (quiet) return;
  console.log(
    `${String(steps).padStart(2)}-step flow, ${n} requests, ${CONCURRENCY} in flight: ${(n / seconds).toFixed(1)} executions/s; ` +
      `webhook → 202 p50 ${pct(answered, 50).toFixed(0)} ms p99 ${pct(answered, 99).toFixed(0)} ms; → finished p50 ${pct(toDone, 50).toFixed(0)} ms p99 ${pct(toDone, 99).toFixed(0)} ms; ` +
      `CPU ${(cpu / n).toFixed(1)} ms per execution; RSS ${rssMb().toFixed(0)} MB` +
      `${refused ? `; ${refused} not 202` : ''}${rows.some((r) => r.status === 'failed') ? '; some runs FAILED' : ''} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  console.log(`   CPU ms per execution by thread: ${formatThreadTimes(byThread)}`);
}

console.log(`Webhook benchmark on ${db.driver} (${dir ? 'data folder' : 'server'}); RSS at rest ${rssMb().toFixed(0)} MB`);
await shape(1, Math.min(50, N), 'warmup', true);
for (const steps of SHAPES) await shape(steps, N, `s${steps}`);

server.close();
await runtime.stop();
await temporal.stop();
await db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(0);
