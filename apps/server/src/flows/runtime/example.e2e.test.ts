/**
 * The example of issue 4, end to end on temporal-lite with time skipping (PGlite, or Postgres
 * with DATABASE_URL): tag = potential AND no follow-up for 30 days → send email (SMTP stand-in)
 * → wait up to 3 days for a reply → no reply: a phone-call task for the owner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { followUpFlow } from '@nudge/workflow-nodes/testing';
import { enrollCustomer } from './enroll.js';
import { sweepFlow } from './triggers.js';
import {
  createPotentialSegment,
  createRuntimeWorld,
  createTag,
  createUser,
  eventually,
  onJavaTestServer,
  publishFlow,
  runStatusCounts,
  seedCustomers,
  type RuntimeWorld,
} from './test-support.js';

const DAY = 86_400_000;

describe('the follow-up example, end to end', () => {
  let w: RuntimeWorld;
  let ownerId: string;
  let tagId: string;
  let segmentId: string;

  beforeAll(async () => {
    w = await createRuntimeWorld({ timeSkipping: true });
    ownerId = await createUser(w.ctx, 'Owner Olga');
    tagId = await createTag(w.ctx, 'potential');
    segmentId = await createPotentialSegment(w.ctx);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  }, 60_000);

  const graph = () => {
    const g = followUpFlow();
    g.nodes[0]!.data.config = { segmentId };
    return g;
  };

  const tasksOf = async (customerIds: string[]) =>
    w.ctx.db.db
      .select({ customerId: schema.interactions.customerId, body: schema.interactions.body, payload: schema.interactions.payload })
      .from(schema.interactions)
      .where(and(eq(schema.interactions.kind, 'task'), inArray(schema.interactions.customerId, customerIds)));

  const emailsTo = (address: string) => w.smtp.messages.filter((m) => m.envelopeTo.includes(address));

  const emailOf = async (customerId: string) => {
    const [c] = await w.ctx.db.db.select({ email: schema.customers.email }).from(schema.customers).where(eq(schema.customers.id, customerId));
    return c!.email!;
  };

  const waitForRun = async (runId: string, statuses: string[]) =>
    eventually(async () => {
      const [r] = await w.ctx.db.db.select({ status: schema.flowRuns.status }).from(schema.flowRuns).where(eq(schema.flowRuns.id, runId));
      return !!r && statuses.includes(r.status);
    }, `run ${runId} to be ${statuses.join('/')}`, 60_000);

  it('a customer who never replies gets exactly one email and one call task for the owner', async () => {
    const { flowId } = await publishFlow(w.ctx, graph(), { name: 'Follow up potentials' });
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, tagId, prefix: 'silent' });
    const sweep = await sweepFlow(w.ctx, flowId);
    expect(sweep).toMatchObject({ matched: 1, started: 1 });
    const [run] = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
    const result = await w.engine.client.workflow.getHandle(run!.workflowId).result();
    expect(result).toMatchObject({ outcome: 'completed' });

    const email = await emailOf(customerId!);
    expect(emailsTo(email)).toHaveLength(1);
    expect(emailsTo(email)[0]!.subject).toBe('Hi Customer silent-0');
    const tasks = await tasksOf([customerId!]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ body: 'Call Customer silent-0', payload: { taskType: 'call', assigneeId: ownerId, flowId } });

    const [done] = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.id, run!.id));
    expect(done).toMatchObject({ status: 'completed', exitReason: 'end', currentNodeId: null });
    const steps = await w.ctx.db.db.select().from(schema.flowRunSteps).where(eq(schema.flowRunSteps.runId, run!.id)).orderBy(schema.flowRunSteps.seq);
    expect(steps.map((s) => [s.nodeId, s.status, s.port])).toEqual([
      ['email', 'done', 'next'],
      ['wait', 'done', 'timeout'],
      ['task', 'done', 'next'],
    ]);
    // the wait really lasted three days of workflow time
    const waited = steps[1]!.output as { timedOutAtMs: number };
    expect(waited.timedOutAtMs - steps[0]!.finishedAt!.getTime()).toBeGreaterThanOrEqual(3 * DAY - 60_000);
    // the email counts as a follow-up on the timeline
    const [c] = await w.ctx.db.db.select({ at: schema.customers.lastFollowUpAt }).from(schema.customers).where(eq(schema.customers.id, customerId!));
    expect(Date.now() - c!.at!.getTime()).toBeLessThan(DAY);
  }, 120_000);

  it('a customer who replies on day 2 gets the email and no task', async () => {
    const { flowId } = await publishFlow(w.ctx, graph(), { name: 'Follow up (reply)' });
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, tagId, prefix: 'replier' });
    await w.clock.lock();
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
      expect(r.outcome).toBe('started');
      await waitForRun(r.run!.id, ['waiting']);
      await eventually(async () => (await w.engine.client.workflow.getHandle(r.run!.workflowId).query<{ nodeId: string }>('currentNode')).nodeId === 'wait', 'the run to reach the wait');
      const t0 = (await w.clock.now());
      await w.clock.sleep(2 * DAY);
      expect((await w.clock.now()) - t0).toBeGreaterThanOrEqual(2 * DAY);
      const routed = await w.runtime.routeInboundMessage({ customerId: customerId!, channel: 'email', text: 'Yes, still interested!' });
      expect(routed.signalled).toBe(1);
      const result = await w.engine.client.workflow.getHandle(r.run!.workflowId).result();
      expect(result).toMatchObject({ outcome: 'completed' });
    } finally {
      await w.clock.unlock();
    }
    expect(emailsTo(await emailOf(customerId!))).toHaveLength(1);
    expect(await tasksOf([customerId!])).toHaveLength(0);
    const steps = await w.ctx.db.db.select().from(schema.flowRunSteps).where(eq(schema.flowRunSteps.flowId, flowId)).orderBy(schema.flowRunSteps.seq);
    expect(steps.map((s) => [s.nodeId, s.port])).toEqual([
      ['email', 'next'],
      ['wait', 'replied'],
      ['done', null],
    ]);
    expect(steps[1]!.output).toMatchObject({ event: 'message.received', data: { channel: 'email', text: 'Yes, still interested!' } });
  }, 120_000);

  it('1,000 matching customers imported in a batch are enrolled exactly once each, also when the sweep runs twice', async () => {
    const { flowId } = await publishFlow(w.ctx, graph(), { name: 'Follow up (batch)' });
    const ids = await seedCustomers(w.ctx, { count: 1000, ownerId, tagId, prefix: 'batch' });
    // customers outside the segment: recently followed up, or without the tag
    await seedCustomers(w.ctx, { count: 20, ownerId, tagId, prefix: 'recent', lastFollowUpDaysAgo: 3 });
    await seedCustomers(w.ctx, { count: 20, ownerId, prefix: 'untagged' });
    const before = w.smtp.messages.length;
    // two sweeps at once (two servers), then a third after they finished
    const [a, b] = await Promise.all([sweepFlow(w.ctx, flowId), sweepFlow(w.ctx, flowId)]);
    expect(a.started + b.started).toBe(1000);
    const again = await sweepFlow(w.ctx, flowId);
    expect(again).toMatchObject({ matched: expect.any(Number), started: 0 });
    const runs = await w.ctx.db.db
      .select({ n: sql<number>`count(*)::int`, customers: sql<number>`count(distinct customer_id)::int` })
      .from(schema.flowRuns)
      .where(eq(schema.flowRuns.flowId, flowId));
    expect(runs[0]).toEqual({ n: 1000, customers: 1000 });
    const enrolled = await w.ctx.db.db.select({ id: schema.flowRuns.customerId }).from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
    expect(new Set(enrolled.map((e) => e.id))).toEqual(new Set(ids));

    await eventually(async () => (await runStatusCounts(w.ctx, flowId)).completed === 1000, '1,000 runs to complete', 600_000);
    expect(w.smtp.messages.length - before).toBe(1000);
    const tasks = await tasksOf(ids);
    expect(tasks).toHaveLength(1000);
    expect(new Set(tasks.map((t) => t.customerId)).size).toBe(1000);
    // a sweep after they all finished enrolls nobody again ("once" flow)
    expect(await sweepFlow(w.ctx, flowId)).toMatchObject({ started: 0 });
  }, 900_000);

  // not on the Java test server (see onJavaTestServer)
  it.skipIf(onJavaTestServer)('killing the worker while runs wait and activities are in flight loses nothing and sends nothing twice', async () => {
    const { flowId } = await publishFlow(w.ctx, graph(), { name: 'Follow up (crash)' });
    const ids = await seedCustomers(w.ctx, { count: 40, ownerId, tagId, prefix: 'crash' });
    const before = w.smtp.messages.length;
    await w.clock.lock();
    try {
      const sweep = sweepFlow(w.ctx, flowId);
      // stop the worker as soon as the first emails went out: some runs wait, others are mid-send
      await eventually(async () => w.smtp.messages.length - before >= 5, 'the first emails');
      await w.runtime.stop();
      expect((await sweep).started).toBe(40);
      const counts = await runStatusCounts(w.ctx, flowId);
      expect(counts.completed ?? 0).toBe(0);
      const sentBeforeRestart = w.smtp.messages.length - before;
      expect(sentBeforeRestart).toBeLessThan(40 + 1);
      await w.restartWorker();
      await eventually(async () => (await runStatusCounts(w.ctx, flowId)).waiting === 40, 'all 40 runs to wait for a reply', 120_000);
    } finally {
      await w.clock.unlock();
    }
    await eventually(async () => (await runStatusCounts(w.ctx, flowId)).completed === 40, 'all 40 runs to complete', 300_000);
    const mails = w.smtp.messages.slice(before);
    expect(mails).toHaveLength(40);
    expect(new Set(mails.map((m) => m.envelopeTo[0])).size).toBe(40);
    const tasks = await tasksOf(ids);
    expect(tasks).toHaveLength(40);
    expect(new Set(tasks.map((t) => t.customerId)).size).toBe(40);
  }, 600_000);
});
