/**
 * Memory soak: the server as `pnpm start` runs it (PGlite in a data folder, or DATABASE_URL;
 * temporal-lite and the flow worker in this process) under a steady load through the webhook
 * route, POST /api/hooks/<id> — each request a new customer and a new run of a flow of `steps`
 * add-note actions. Samples the process every `sample` seconds, after a full GC, and prints the
 * curve: RSS, V8 heap used, external (buffers and PGlite's WASM memory), and RSS by kind of
 * mapping (bench/lib/memory.ts: WASM, malloc arenas, other anonymous = V8 pages of every
 * isolate), runs finished, open executions. At the end: RSS and heap over the second half (a
 * least-squares slope in MB per 10 minutes), and the sizes of the engine's in-memory tables.
 *
 *   pnpm bench soak [minutes=10] [rate=20/s] [sample=60 s] [steps=1]      (30-minute soak: pnpm bench soak 30 5)
 *   BENCH_PORT=17901 to listen on a fixed port. The script re-runs itself with --expose-gc and, as
 *   `pnpm start` does, MALLOC_ARENA_MAX=2 (SOAK_MALLOC_ARENA_MAX=default keeps glibc's default).
 *   The data folder is created first, so "at rest" is a server started on an existing folder.
 */
import { spawnSync } from 'node:child_process';
if (!(globalThis as { gc?: unknown }).gc) {
  const arenas = process.env.SOAK_MALLOC_ARENA_MAX ?? '2';
  const env = { ...process.env, ...(arenas === 'default' ? {} : { MALLOC_ARENA_MAX: arenas }) };
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
process.env.NUDGE_DEMO_DATA ??= '0';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

const MINUTES = Number(process.argv[2] ?? 10);
const RATE = Number(process.argv[3] ?? 20);
const SAMPLE_S = Number(process.argv[4] ?? 60);
const STEPS = Number(process.argv[5] ?? 1);

const { createDb, migrate } = await import('@nudge/db');
const { startTemporalEngine } = await import('@nudge/server/engine');
const { startTemporalLite } = await import('@nudge/temporal-lite');
const { startFlowRuntime } = await import('@nudge/server/flows');
const { createApp } = await import('@nudge/server/app');
const { publishFlow, runStatusCounts } = await import('@nudge/server/flows/testing');
const { memoryBreakdown, formatBreakdown, wasmMemoryOf } = await import('./lib/memory.ts');

const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'nudge-soak-'));
// the folder is created and migrated by a first start, then opened again: at rest = a later `pnpm start`
if (dir) {
  const first = await createDb({ url: join(dir, 'db') });
  await migrate(first);
  await first.close();
}
const db = await createDb({ url: process.env.DATABASE_URL ?? join(dir!, 'db') });
await migrate(db);
// SOAK_OLD_CACHES=1: the caches as they were before they were bounded by memory (for before/after figures)
const old = process.env.SOAK_OLD_CACHES === '1';
const lite = await startTemporalLite({ db, port: 0, ...(old ? { closedCacheSize: 2000, closedCacheBytes: Number.MAX_SAFE_INTEGER } : {}) });
const temporal = await startTemporalEngine({ db, address: lite.address });
const ctx: Parameters<typeof createApp>[0] = { db, temporal };
// SOAK_WORKFLOW_THREADS=n: the worker's workflow thread pool (default: the runtime's)
const threads = process.env.SOAK_WORKFLOW_THREADS ? { workflowThreadPoolSize: Number(process.env.SOAK_WORKFLOW_THREADS) } : {};
const runtime = await startFlowRuntime(ctx, { sweepEveryMs: 0, allowPrivateWebhooks: true, ...threads, ...(old ? { maxCachedWorkflows: 1000 } : {}) });
ctx.flows = runtime;
const server = createApp(ctx).listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1');
await new Promise((r) => server.once('listening', r));
server.keepAliveTimeout = 65_000; // longer than the client's idle sockets: no reset race on a loaded machine
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const link = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourceHandle: 'next', target, targetHandle: 'in' });
const hookId = 'soak-load';
const graph = {
  nodes: [node('trigger', 'trigger.webhook@1', { hookId, rateLimitPerMinute: 100_000 }), ...Array.from({ length: STEPS }, (_, i) => node(`n${i}`, 'action.add_note@1', { text: `step ${i} for {name}` }))],
  edges: Array.from({ length: STEPS }, (_, i) => link(i === 0 ? 'trigger' : `n${i - 1}`, `n${i}`)),
};
const { flowId } = await publishFlow(ctx, graph, { name: 'soak', enrollment: { mode: 'once' } });

const gc = (globalThis as { gc?: () => void }).gc;
const fmt = (n: number, d = 0) => n.toFixed(d).padStart(7);
type Sample = { t: number; rss: number; heap: number; done: number };
const samples: Sample[] = [];
let sent = 0;
let failedRequests = 0;
let inFlight = 0;

async function sample(t0: number) {
  if (gc) gc();
  const m = memoryBreakdown(wasmMemoryOf(db));
  const c = await runStatusCounts(ctx, flowId);
  const s = { t: (Date.now() - t0) / 1000, rss: m.rss, heap: m.heapUsed, done: (c.completed ?? 0) + (c.failed ?? 0) };
  samples.push(s);
  const open = lite.engine.memoryStats().open;
  console.log(`${fmt(s.t / 60, 1)} min  ${formatBreakdown(m)}  requests ${fmt(sent)}  runs finished ${fmt(s.done)}  open ${fmt(open ?? 0)}  in flight ${fmt(inFlight)}`);
}

async function post(i: number) {
  inFlight++;
  try {
    const res = await fetch(`${base}/api/hooks/${hookId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `soak-${i}` },
      body: JSON.stringify({ email: `soak-${i}@example.com`, name: `Soak ${i}` }),
    });
    if (res.status !== 202) {
      failedRequests++;
      if (failedRequests <= 5) console.error(`request ${i}: ${res.status} ${await res.text()}`);
    } else await res.arrayBuffer();
  } catch (err) {
    failedRequests++;
    if (failedRequests <= 5) console.error(`request ${i}:`, err);
  } finally {
    inFlight--;
  }
}

console.log(`${old ? '[caches as before: 2,000 closed executions, 1,000 cached workflows] ' : ''}Soak on ${db.driver}: ${MINUTES} min at ${RATE} requests/s through POST /api/hooks/${hookId}, ${STEPS}-step flow, sample every ${SAMPLE_S} s${gc ? ' (after a full GC)' : ''}, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'default'}`);
const t0 = Date.now();
await sample(t0);
// SOAK_HEAP_SNAPSHOT=file.heapsnapshot: the main thread's heap at rest, for Chrome DevTools
if (process.env.SOAK_HEAP_SNAPSHOT) console.log(`heap snapshot at rest: ${(await import('node:v8')).writeHeapSnapshot(process.env.SOAK_HEAP_SNAPSHOT)}`);
const end = t0 + MINUTES * 60_000;
const sampler = setInterval(() => void sample(t0), SAMPLE_S * 1000);
// open loop at a fixed rate, at most 64 requests in flight and SOAK_MAX_OPEN runs open (default 300):
// a server slower than the rate is not buried under a backlog whose memory would hide a leak
const maxOpen = Number(process.env.SOAK_MAX_OPEN ?? 300);
let heldBack = 0;
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    const open = lite.engine.memoryStats().open ?? 0;
    if (sent < due && open >= maxOpen) heldBack = due - sent;
    while (sent < due && inFlight < 64 && open < maxOpen) void post(sent++);
    if (Date.now() >= end) {
      clearInterval(tick);
      resolve();
    }
  }, 20);
});
while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
clearInterval(sampler);
for (let i = 0; i < 1200 && (await runStatusCounts(ctx, flowId)).running; i++) await new Promise((r) => setTimeout(r, 100));
await sample(t0);

function slopePer10Min(points: { t: number; v: number }[]) {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.v - mv), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 600;
}
const half = samples.filter((s) => s.t >= (MINUTES * 60) / 2);
const first = samples[1] ?? samples[0]!;
const last = samples[samples.length - 1]!;
console.log(`\nrequests ${sent} (${failedRequests} not 202; ${heldBack} behind the rate at the end, held back while ${maxOpen} runs were open), runs finished ${last.done}`);
console.log(`RSS ${first.rss.toFixed(0)} MB at ${first.t.toFixed(0)} s → ${last.rss.toFixed(0)} MB at the end (max ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MB)`);
const at = (min: number) => samples.reduce((a, b) => (Math.abs(b.t - min * 60) < Math.abs(a.t - min * 60) ? b : a));
const marks = [0, 5, 10, 20, 30, 60].filter((m) => m <= MINUTES);
console.log(`RSS / heap: ${marks.map((m) => `${m === 0 ? 'at rest' : `${m} min`} ${at(m).rss.toFixed(0)} / ${at(m).heap.toFixed(0)} MB`).join(', ')}`);
console.log(`second half: RSS ${slopePer10Min(half.map((s) => ({ t: s.t, v: s.rss }))).toFixed(1)} MB / 10 min, heap ${slopePer10Min(half.map((s) => ({ t: s.t, v: s.heap }))).toFixed(1)} MB / 10 min`);
console.log('temporal-lite in memory:', JSON.stringify(lite.engine.memoryStats()));

server.close();
await runtime.stop();
await temporal.stop();
await lite.stop();
await db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(0);
