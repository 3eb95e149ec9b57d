/**
 * Flow runtime benchmark: the real interpreter workflow, activities and enrollment on
 * temporal-lite (same process, same database), worker in this process.
 *   - enrollments started per second: enrollMany (a sweep's batch) and enrollCustomer one by one
 *   - executions per second end to end: N runs of a one-action flow, first start → last completion
 *     (n8n publishes 220 executions/s for one instance; its executions are in-memory function
 *     calls, ours are durable workflows with every step persisted twice: history and step table)
 *   - per-step overhead of the interpreter: a 20-action flow vs a 1-action flow (cheap add-note
 *     actions), (t20 − t1) / 19 per step
 *   - time to sweep a segment of S customers (segment query pages + run rows + workflow starts);
 *     the worker is stopped during the sweep so the figure is the sweep's alone
 *
 *   pnpm bench flows [runs=500] [sweep=100000]       (DATABASE_URL=postgres://… for PostgreSQL)
 *   NUDGE_TEST_TEMPORAL=dev pnpm bench flows 500 0    the same on the real Temporal dev server (sweep 0: no time skipping there)
 */
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
const { testDriver } = await import('@nudge/db/testing');
const { createRuntimeWorld, createTag, createUser, createPotentialSegment, publishFlow, seedCustomers, runStatusCounts } = await import(
  '@nudge/server/flows/testing'
);
const { enrollCustomer, enrollMany, sweepFlow } = await import('@nudge/server/flows');

const RUNS = Number(process.argv[2] ?? 500);
const SWEEP = Number(process.argv[3] ?? 100_000);

const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const link = (source: string, target: string, handle = 'next') => ({ id: `${source}-${target}`, source, sourceHandle: handle, target, targetHandle: 'in' });
/** manual trigger → `n` add-note actions in a row */
function notesFlow(n: number) {
  const nodes = [node('trigger', 'trigger.manual@1'), ...Array.from({ length: n }, (_, i) => node(`note${i}`, 'action.add_note@1', { text: `step ${i} for {name}` }))];
  const edges = Array.from({ length: n }, (_, i) => link(i === 0 ? 'trigger' : `note${i - 1}`, `note${i}`));
  return { nodes, edges };
}

const w = await createRuntimeWorld({ timeSkipping: false, maxConcurrentActivityTaskExecutions: 100 });
const { ctx } = w;
const owner = await createUser(ctx, 'Bench Owner');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const results: [string, string][] = [];
const report = (name: string, value: string) => {
  results.push([name, value]);
  console.log(`  ${name}: ${value}`);
};

async function waitCompleted(flowId: string, count: number) {
  for (;;) {
    const c = await runStatusCounts(ctx, flowId);
    if ((c.completed ?? 0) + (c.failed ?? 0) >= count) return c;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function timeFlow(steps: number, runs: number, label: string) {
  const { flowId } = await publishFlow(ctx, notesFlow(steps), { name: label });
  const ids = await seedCustomers(ctx, { count: runs, ownerId: owner, prefix: label });
  const t0 = performance.now();
  await enrollMany(ctx, { flowId, customerIds: ids, concurrency: 50 });
  const started = performance.now();
  const counts = await waitCompleted(flowId, runs);
  const done = performance.now();
  if (counts.failed) throw new Error(`${counts.failed} runs of ${label} failed`);
  return { startMs: started - t0, totalMs: done - t0 };
}

console.log(`Flow runtime benchmark on ${testDriver()} (temporal-lite in process, worker in process, ${RUNS} runs per measurement)`);

// warm-up: the bundle, connections, caches
await timeFlow(1, 50, 'warmup');

// 1. enrollments started per second
{
  const { flowId } = await publishFlow(ctx, notesFlow(1), { name: 'enroll-one-by-one' });
  const ids = await seedCustomers(ctx, { count: RUNS, ownerId: owner, prefix: 'single' });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ids.length) await enrollCustomer(ctx, { flowId, customerId: ids[next++]! });
    }),
  );
  const ms = performance.now() - t0;
  report('enrollCustomer (16 concurrent callers)', `${fmt((RUNS / ms) * 1000)} enrollments started/s`);
  await waitCompleted(flowId, RUNS);
}
const one = await timeFlow(1, RUNS, 'one-step');
report('enrollMany (batch of a sweep)', `${fmt((RUNS / one.startMs) * 1000)} enrollments started/s`);
report('executions end to end (1-action flow)', `${fmt((RUNS / one.totalMs) * 1000)} executions/s  (n8n, one instance: 220/s)`);

// 2. per-step overhead
const twenty = await timeFlow(20, RUNS, 'twenty-steps');
const perStepMs = (twenty.totalMs - one.totalMs) / 19 / RUNS;
report('20-action flow end to end', `${fmt((RUNS / twenty.totalMs) * 1000, 1)} executions/s, ${fmt((RUNS * 20 / twenty.totalMs) * 1000)} steps/s`);
report('per-step overhead (throughput cost of one more action step)', `${fmt(perStepMs, 2)} ms of wall time per step per run at ${RUNS} concurrent runs`);
{
  // latency of one run alone (no concurrency): 20 steps vs 1 step
  const l1 = await timeFlow(1, 1, 'lat1');
  const l20 = await timeFlow(20, 1, 'lat20');
  report('single-run latency', `1 step ${fmt(l1.totalMs)} ms, 20 steps ${fmt(l20.totalMs)} ms → ${fmt((l20.totalMs - l1.totalMs) / 19, 1)} ms per step`);
}

// 3. sweep of a large segment
if (SWEEP > 0) {
  const tag = await createTag(ctx, 'potential');
  const segmentId = await createPotentialSegment(ctx);
  const t0 = performance.now();
  await ctx.db.sql.exec(`
    insert into customers (full_name, email, owner_id, last_follow_up_at, source)
    select 'Sweep ' || g, 'sweep' || g || '@example.com', '${owner}', now() - interval '40 days', 'import' from generate_series(1, ${SWEEP}) g;
    insert into customer_tags (customer_id, tag_id, source) select id, '${tag}', 'import' from customers where full_name like 'Sweep %';
  `);
  console.log(`  (seeded ${fmt(SWEEP)} matching customers in ${fmt((performance.now() - t0) / 1000, 1)} s)`);
  const graph = { nodes: [node('trigger', 'trigger.segment_entry@1', { segmentId }), node('wait', 'control.wait@1', { duration: { amount: 1, unit: 'days' } })], edges: [link('trigger', 'wait')] };
  const { flowId } = await publishFlow(ctx, graph, { name: 'sweep' });
  await w.runtime.stop(); // the sweep alone: no worker competing for the database
  const s0 = performance.now();
  const r = await sweepFlow(ctx, flowId);
  const sweepMs = performance.now() - s0;
  report(`sweep of a ${fmt(SWEEP)}-customer segment`, `${fmt(sweepMs / 1000, 1)} s (${fmt((r.started / sweepMs) * 1000)} enrollments/s, matched ${fmt(r.matched)}, started ${fmt(r.started)})`);
  const s1 = performance.now();
  const again = await sweepFlow(ctx, flowId);
  report('the same sweep again (nothing new)', `${fmt((performance.now() - s1) / 1000, 1)} s, started ${again.started}`);
  const [{ n }] = (await ctx.db.sql.query('select count(*)::int as n from flow_runs where flow_id = $1', [flowId])) as [{ n: number }];
  if (Number(n) !== SWEEP) throw new Error(`expected ${SWEEP} runs, found ${n}`);
  w.runtime = { stop: async () => {} } as typeof w.runtime;
}

await w.close();
console.log('\nFlow runtime benchmark');
for (const [k, v] of results) console.log(`${k.padEnd(62)} ${v}`);
process.exit(0);
