/**
 * What one workflow kept in the SDK worker's sticky cache costs: N runs of a flow that waits an
 * hour (so every run stays open and cached), RSS measured at rest, after N and after 2N runs.
 * The runtime sizes `maxCachedWorkflows` from this figure (apps/server/src/flows/runtime/worker.ts).
 *
 *   pnpm bench worker-cache [n=300]          (DATABASE_URL=postgres://… for PostgreSQL)
 */
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
const N = Number(process.argv[2] ?? 300);
const { createRuntimeWorld, createUser, publishFlow, seedCustomers, runStatusCounts } = await import('@nudge/server/flows/testing');
const { enrollMany } = await import('@nudge/server/flows');

const w = await createRuntimeWorld({ timeSkipping: false, maxCachedWorkflows: 4 * N });
const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const link = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourceHandle: 'next', target, targetHandle: 'in' });
const graph = {
  nodes: [node('trigger', 'trigger.manual@1'), node('note', 'action.add_note@1', { text: 'hi {name}' }), node('wait', 'control.wait@1', { duration: { amount: 1, unit: 'hours' } }), node('end', 'control.end@1')],
  edges: [link('trigger', 'note'), link('note', 'wait'), link('wait', 'end')],
};
const { flowId } = await publishFlow(w.ctx, graph, { name: 'cache' });
const owner = await createUser(w.ctx, 'Cache Owner');
const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return process.memoryUsage().rss / 1_048_576;
};
async function enroll(n: number, prefix: string) {
  const ids = await seedCustomers(w.ctx, { count: n, ownerId: owner, prefix });
  await enrollMany(w.ctx, { flowId, customerIds: ids, concurrency: 20 });
}
async function allWaiting(total: number) {
  for (;;) {
    const c = await runStatusCounts(w.ctx, flowId);
    if ((c.waiting ?? 0) >= total) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
await enroll(20, 'warm');
await allWaiting(20);
await new Promise((r) => setTimeout(r, 3000));
const r0 = rss();
await enroll(N, 'a');
await allWaiting(20 + N);
await new Promise((r) => setTimeout(r, 3000));
const r1 = rss();
await enroll(N, 'b');
await allWaiting(20 + 2 * N);
await new Promise((r) => setTimeout(r, 3000));
const r2 = rss();
console.log(`RSS: ${r0.toFixed(0)} MB with 20 waiting runs cached, ${r1.toFixed(0)} MB with ${20 + N}, ${r2.toFixed(0)} MB with ${20 + 2 * N}`);
console.log(`per cached waiting workflow: ${(((r1 - r0) * 1024) / N).toFixed(0)} KiB (first ${N}), ${(((r2 - r1) * 1024) / N).toFixed(0)} KiB (next ${N})`);
await w.close();
process.exit(0);
