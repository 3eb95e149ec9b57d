/**
 * What one statement of the flow hot path costs in this process's CPU, one at a time (no
 * concurrency, so no batching): the floor of a statement (`select 1`), the customer snapshot a
 * step reads, a step's timeline entry in one statement (addInteractionOnce), the same entry the way
 * it was written before (advisory lock, check, insert, update in a transaction: 7 statements with
 * the snapshot), a step-status write (a batch of one), the run's final status. On PGlite the
 * database's work is in this process; on PostgreSQL (DATABASE_URL) only the driver's is.
 *
 *   pnpm bench statement-costs [repeats=300]
 */
process.env.TEMPORAL_LOG_LEVEL ??= 'ERROR';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const K = Number(process.argv[2] ?? 300);
// drizzle-orm as @nudge/db resolves it (the bench package does not depend on it)
const { eq } = createRequire(new URL('../packages/db/package.json', import.meta.url))('drizzle-orm') as typeof import('drizzle-orm');
const { createDb, migrate, schema } = await import('@nudge/db');
const { createUser, seedCustomers, publishFlow } = await import('@nudge/server/flows/testing');
const { loadCustomerSnapshot } = await import('../apps/server/src/flows/runtime/node-context.ts');
const { addInteractionOnce } = await import('../apps/server/src/customers/service.ts');
const { createStepWriter } = await import('../apps/server/src/flows/runtime/step-writer.ts');

const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'nudge-stmt-'));
const db = await createDb({ url: process.env.DATABASE_URL ?? join(dir!, 'db') });
await migrate(db);
type Ctx = Parameters<typeof createUser>[0];
const ctx = { db } as Ctx;
const [customerId] = await seedCustomers(ctx, { count: 1, ownerId: await createUser(ctx), prefix: `c${Date.now()}` });
const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const { flowId } = await publishFlow(ctx, {
  nodes: [node('t', 'trigger.manual@1'), node('n1', 'action.add_note@1', { text: 'hi' })],
  edges: [{ id: 'e', source: 't', sourceHandle: 'next', target: 'n1', targetHandle: 'in' }],
});
const [run] = await db.sql.query<{ id: string }>(
  `insert into flow_runs (flow_id, customer_id, workflow_id, enrollment_key) values ($1, $2, $3, 'once') returning id::text`,
  [flowId, customerId, `bench-${randomUUID()}`],
);
const runId = run!.id;
const writer = createStepWriter(db.sql, { delayMs: 0 });

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function measure(label: string, statements: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await fn(-1 - i); // warm up
  const c0 = cpu();
  for (let i = 0; i < K; i++) await fn(i);
  const ms = (cpu() - c0) / K;
  console.log(`${ms.toFixed(3).padStart(8)} ms  ${String(statements).padStart(2)} stmt  ${label}`);
}

console.log(`CPU per call on ${db.driver}${dir ? ' (data folder)' : ''}, ${K} calls each, one at a time:`);
await measure('select 1 (the floor of a statement)', 1, () => db.sql.query('select 1'));
await measure('customer snapshot (drizzle: customer + owner + tags, zod)', 1, () => loadCustomerSnapshot(ctx, customerId!, Date.now()));
let seq = 0;
await measure('timeline entry once: addInteractionOnce (one statement)', 1, () =>
  addInteractionOnce(ctx, customerId!, `bench:${randomUUID()}`, { kind: 'note', body: 'note', payload: { flowId } }));
await measure('timeline entry once, as before: BEGIN, lock, check, insert, update, COMMIT', 6, (i) =>
  db.db.transaction(async (tx) => {
    const key = `bench-old:${i}:${randomUUID()}`;
    await tx.execute(`select pg_advisory_xact_lock(hashtext('${key}'))`);
    await tx.select({ id: schema.interactions.id }).from(schema.interactions).where(eq(schema.interactions.customerId, customerId!)).limit(1);
    await tx.insert(schema.interactions).values({ customerId: customerId!, kind: 'note', body: 'note', payload: { idempotencyKey: key } }).returning();
    await tx.update(schema.customers).set({ lastInteractionAt: new Date() }).where(eq(schema.customers.id, customerId!));
  }));
await measure('step-status write (a batch of one)', 1, () =>
  writer.write({ runId, flowId, nodeId: 'n1', nodeKey: 'action.add_note@1', seq: ++seq, status: 'done', port: 'next', output: { noteId: 'x' }, error: null,
    attempt: 1, finishedAt: new Date().toISOString(), at: new Date().toISOString(), runStatus: 'running' }));
await measure('run final status (markRun, drizzle update)', 1, () =>
  db.db.update(schema.flowRuns).set({ status: 'running', exitReason: 'x', error: null, updatedAt: new Date() }).where(eq(schema.flowRuns.id, runId)));

await db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(0);
