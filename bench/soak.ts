/**
 * Memory soak: the server as `pnpm start` runs it (PGlite in a data folder, or DATABASE_URL;
 * temporal-lite and the flow worker in this process) under a steady load through the webhook
 * route, POST /api/hooks/<id> — each request a new customer and a new run of a flow of `steps`
 * add-note actions. Samples the process every `sample` seconds and prints the curve: RSS, V8 heap
 * used, external/array buffers, runs finished. At the end: RSS and heap over the second half
 * (a least-squares slope in MB per 10 minutes), and the sizes of the engine's in-memory tables.
 *
 *   pnpm bench soak [minutes=10] [rate=20/s] [sample=15 s] [steps=1]      (30-minute soak: pnpm bench soak 30)
 *   BENCH_PORT=17901 to listen on a fixed port; NODE_OPTIONS=--expose-gc to sample after a full GC.
 */
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
process.env.NUDGE_DEMO_DATA ??= '0';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

const MINUTES = Number(process.argv[2] ?? 10);
const RATE = Number(process.argv[3] ?? 20);
const SAMPLE_S = Number(process.argv[4] ?? 15);
const STEPS = Number(process.argv[5] ?? 1);

const { createDb, migrate } = await import('@nudge/db');
const { startTemporalEngine } = await import('@nudge/server/engine');
const { startTemporalLite } = await import('@nudge/temporal-lite');
const { startFlowRuntime } = await import('@nudge/server/flows');
const { createApp } = await import('@nudge/server/app');
const { publishFlow, runStatusCounts } = await import('@nudge/server/flows/testing');

const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'nudge-soak-'));
const db = await createDb({ url: process.env.DATABASE_URL ?? join(dir!, 'db') });
await migrate(db);
// SOAK_OLD_CACHES=1: the caches as they were before they were bounded by memory (for before/after figures)
const old = process.env.SOAK_OLD_CACHES === '1';
const lite = await startTemporalLite({ db, port: 0, ...(old ? { closedCacheSize: 2000, closedCacheBytes: Number.MAX_SAFE_INTEGER } : {}) });
const temporal = await startTemporalEngine({ db, address: lite.address });
const ctx: Parameters<typeof createApp>[0] = { db, temporal };
const runtime = await startFlowRuntime(ctx, { sweepEveryMs: 0, allowPrivateWebhooks: true, ...(old ? { maxCachedWorkflows: 1000 } : {}) });
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
const mb = (b: number) => b / 1_048_576;
const fmt = (n: number, d = 0) => n.toFixed(d).padStart(7);
type Sample = { t: number; rss: number; heap: number; ext: number; done: number };
const samples: Sample[] = [];
let sent = 0;
let failedRequests = 0;
let inFlight = 0;

async function sample(t0: number) {
  if (gc) gc();
  const m = process.memoryUsage();
  const c = await runStatusCounts(ctx, flowId);
  const s = { t: (Date.now() - t0) / 1000, rss: mb(m.rss), heap: mb(m.heapUsed), ext: mb(m.external + m.arrayBuffers), done: (c.completed ?? 0) + (c.failed ?? 0) };
  samples.push(s);
  console.log(`${fmt(s.t)} s  rss ${fmt(s.rss)} MB  heap ${fmt(s.heap)} MB  external+buffers ${fmt(s.ext)} MB  requests ${fmt(sent)}  runs finished ${fmt(s.done)}  in flight ${fmt(inFlight)}`);
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

console.log(`${old ? '[caches as before: 2,000 closed executions, 1,000 cached workflows] ' : ''}Soak on ${db.driver}: ${MINUTES} min at ${RATE} requests/s through POST /api/hooks/${hookId}, ${STEPS}-step flow, sample every ${SAMPLE_S} s${gc ? ' (after a full GC)' : ''}`);
const t0 = Date.now();
await sample(t0);
const end = t0 + MINUTES * 60_000;
const sampler = setInterval(() => void sample(t0), SAMPLE_S * 1000);
// open loop at a fixed rate, at most 64 in flight (a slower server is not buried)
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    while (sent < due && inFlight < 64) void post(sent++);
    if (Date.now() >= end) {
      clearInterval(tick);
      resolve();
    }
  }, 20);
});
while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
clearInterval(sampler);
for (let i = 0; i < 200 && (await runStatusCounts(ctx, flowId)).running; i++) await new Promise((r) => setTimeout(r, 100));
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
console.log(`\nrequests ${sent} (${failedRequests} not 202), runs finished ${last.done}`);
console.log(`RSS ${first.rss.toFixed(0)} MB at ${first.t.toFixed(0)} s → ${last.rss.toFixed(0)} MB at the end (max ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MB)`);
console.log(`second half: RSS ${slopePer10Min(half.map((s) => ({ t: s.t, v: s.rss }))).toFixed(1)} MB / 10 min, heap ${slopePer10Min(half.map((s) => ({ t: s.t, v: s.heap }))).toFixed(1)} MB / 10 min`);
console.log('temporal-lite in memory:', JSON.stringify(lite.engine.memoryStats()));

server.close();
await runtime.stop();
await temporal.stop();
await lite.stop();
await db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(0);
