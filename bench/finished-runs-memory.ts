/**
 * Does the server's memory grow with the number of finished runs? Runs `batches` × `size` runs
 * of a 1-step flow to completion (real interpreter workflow, temporal-lite and the worker in this
 * process) and prints the V8 heap after a full GC and RSS after each batch, with what temporal-lite
 * keeps in memory. Run it with `--expose-gc` (the script re-executes itself with it).
 *
 *   pnpm bench finished-runs-memory [batches=6] [size=400] [steps=1]     (DATABASE_URL=postgres://… for PostgreSQL)
 *   BENCH_OLD_CACHES=1   the caches as before (2,000 closed executions, no byte budget; 1,000 cached workflows)
 */
import { spawnSync } from 'node:child_process';
if (!(globalThis as { gc?: unknown }).gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
const BATCHES = Number(process.argv[2] ?? 6);
const SIZE = Number(process.argv[3] ?? 400);
const STEPS = Number(process.argv[4] ?? 1);
const old = process.env.BENCH_OLD_CACHES === '1';
const { testDriver } = await import('@nudge/db/testing');
const { createRuntimeWorld, createUser, publishFlow, seedCustomers, runStatusCounts } = await import('@nudge/server/flows/testing');
const { enrollMany } = await import('@nudge/server/flows');
const { memoryBreakdown, formatBreakdown, wasmMemoryOf } = await import('./lib/memory.ts');

const w = await createRuntimeWorld({ timeSkipping: false, ...(old ? { maxCachedWorkflows: 1000 } : {}) });
const engine = w.engine.lite!.engine;
if (old) Object.assign(engine, { closedCacheSize: 2000, closedCacheBytes: Number.MAX_SAFE_INTEGER });
const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const link = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourceHandle: 'next', target, targetHandle: 'in' });
const graph = {
  nodes: [node('trigger', 'trigger.manual@1'), ...Array.from({ length: STEPS }, (_, i) => node(`n${i}`, 'action.add_note@1', { text: `step ${i} for {name}` }))],
  edges: Array.from({ length: STEPS }, (_, i) => link(i === 0 ? 'trigger' : `n${i - 1}`, `n${i}`)),
};
const { flowId } = await publishFlow(w.ctx, graph, { name: 'memory' });
const owner = await createUser(w.ctx, 'Memory Owner');
const gc = (globalThis as unknown as { gc: () => void }).gc;
const mem = () => {
  gc();
  const b = memoryBreakdown(wasmMemoryOf(w.ctx.db));
  return { heap: b.heapUsed, rss: b.rss, line: formatBreakdown(b) };
};
let total = 0;
async function batch(n: number, prefix: string) {
  const ids = await seedCustomers(w.ctx, { count: n, ownerId: owner, prefix });
  await enrollMany(w.ctx, { flowId, customerIds: ids, concurrency: 20 });
  total += n;
  for (;;) {
    const c = await runStatusCounts(w.ctx, flowId);
    if ((c.completed ?? 0) + (c.failed ?? 0) >= total) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
console.log(`${old ? '[caches as before] ' : ''}Finished runs vs memory on ${testDriver()}: ${BATCHES} × ${SIZE} runs of a ${STEPS}-step flow`);
await batch(50, 'warm');
const base = mem();
console.log(`after ${String(total).padStart(5)} runs: ${base.line}   ${JSON.stringify(engine.memoryStats())}`);
let last = base;
for (let b = 0; b < BATCHES; b++) {
  const t0 = Date.now();
  await batch(SIZE, `b${b}`);
  last = mem();
  console.log(`after ${String(total).padStart(5)} runs: ${last.line} (${((SIZE * 1000) / (Date.now() - t0)).toFixed(0)} runs/s)   ${JSON.stringify(engine.memoryStats())}`);
}
console.log(`heap per finished run: ${(((last.heap - base.heap) * 1024) / (total - 50)).toFixed(1)} KiB over ${total - 50} runs`);
await w.close();
process.exit(0);
