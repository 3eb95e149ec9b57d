// The ops API against the real runtime: temporal-lite (time skipping, held when a test needs a
// run to stay put), the SDK worker running the interpreter workflow, the SMTP stand-in. Runs,
// run detail, node counts, version pinning, pause, cancel, retry (signal and resume), failure
// alerts and real test runs. PGlite, or Postgres when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { and, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { createApp } from '../../app.js';
import { createSession } from '../../auth/service.js';
import type { Role } from '../../http/auth.js';
import { createPotentialSegment, createRuntimeWorld, eventually, seedCustomers, type RuntimeWorld } from '../runtime/test-support.js';

let world: RuntimeWorld;
let http: ReturnType<typeof request>;
type U = { id: string; auth: { Authorization: string } };
let admin: U, manager: U, agent: U, otherAgent: U, viewer: U;
let segmentId: string;

async function user(role: Role, name = `${role} user`): Promise<U> {
  const [u] = await world.db.db
    .insert(schema.users)
    .values({ email: `${role}-${randomBytes(4).toString('hex')}@test.local`, name, passwordHash: 'scrypt$unusable', role })
    .returning();
  const s = await createSession(world.db, u!.id, new Date());
  return { id: u!.id, auth: { Authorization: `Bearer ${s.token}` } };
}

async function customer(values: Partial<typeof schema.customers.$inferInsert> & { fullName: string }) {
  const [c] = await world.db.db.insert(schema.customers).values(values).returning();
  return c!.id;
}

const followUp = () => ({
  nodes: [
    step('trigger', 'trigger.segment_entry@1', { segmentId }),
    step('email', 'action.send_message@1', { channel: 'email', subject: 'Hi {name}', body: 'Still interested, {name}?' }),
    step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 3, unit: 'days' } }),
    step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: 24, unit: 'hours' } }),
    step('done', 'control.end@1'),
  ],
  edges: [edge('trigger', 'next', 'email'), edge('email', 'next', 'wait'), edge('wait', 'timeout', 'task'), edge('wait', 'replied', 'done')],
});
const callOwner = () => ({
  nodes: [step('trigger', 'trigger.manual@1'), step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: 2, unit: 'hours' } })],
  edges: [edge('trigger', 'next', 'task')],
});

async function publishedFlow(name: string, graph: unknown): Promise<string> {
  const created = await http.post('/api/flows').set(manager.auth).send({ name, graph });
  expect(created.status).toBe(201);
  const published = await http.post(`/api/flows/${created.body.id}/publish`).set(manager.auth).send({ note: 'v1' });
  expect(published.status).toBe(201);
  return created.body.id as string;
}

const runRow = async (runId: string) => (await world.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.id, runId)))[0]!;
async function enroll(flowId: string, customerId: string) {
  const r = await world.runtime.enrollCustomer({ flowId, customerId });
  expect(r.outcome).toBe('started');
  return r.run!.id;
}

beforeAll(async () => {
  world = await createRuntimeWorld();
  http = request(createApp(world.ctx));
  admin = await user('admin');
  manager = await user('manager', 'Mia Manager');
  agent = await user('agent', 'Ann Agent');
  otherAgent = await user('agent', 'Otto Other');
  viewer = await user('viewer');
  segmentId = await createPotentialSegment(world.ctx);
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('runs of a published flow', () => {
  let flowId: string;
  let runId: string;
  let ming: string;

  beforeAll(async () => {
    await world.clock.lock(); // runs must stay at their wait
    flowId = await publishedFlow('Follow-up', followUp());
    ming = await customer({ fullName: '王小明', email: 'ming@example.com', ownerId: agent.id });
    runId = await enroll(flowId, ming);
    await eventually(async () => (await runRow(runId)).status === 'waiting', 'the run to wait for a reply');
  });
  afterAll(() => world.clock.unlock());

  it('lists runs by flow, customer and status, with the version and the customer', async () => {
    const byFlow = await http.get(`/api/flows/${flowId}/runs`).set(viewer.auth);
    expect(byFlow.status).toBe(200);
    expect(byFlow.body).toMatchObject({ total: 1, page: 1 });
    expect(byFlow.body.items[0]).toMatchObject({ id: runId, status: 'waiting', version: 1, customerName: '王小明', flowName: 'Follow-up', currentNodeId: 'wait', isTest: false });
    const byCustomer = await http.get(`/api/runs?customerId=${ming}`).set(manager.auth);
    expect(byCustomer.body.items.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect((await http.get(`/api/flows/${flowId}/runs?status=failed`).set(manager.auth)).body.items).toEqual([]);
    expect((await http.get(`/api/runs?customer=${encodeURIComponent('小明')}`).set(manager.auth)).body.items.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect((await http.get(`/api/runs?customer=${encodeURIComponent('100%')}`).set(manager.auth)).body.total).toBe(0);
    const byName = await http.get(`/api/runs?customerId=${encodeURIComponent('王小明')}`).set(manager.auth);
    expect(byName.status).toBe(400);
    expect(byName.body.error.message).toMatch(/to search by name, use customer=/);
    const today = new Date().toISOString().slice(0, 10);
    expect((await http.get(`/api/flows/${flowId}/runs?from=${today}&to=${today}`).set(manager.auth)).body.total).toBe(1);
    expect((await http.get(`/api/flows/${flowId}/runs?to=2020-01-01`).set(manager.auth)).body.total).toBe(0);
    const bad = await http.get(`/api/flows/${flowId}/runs?status=stuck&from=yesterday`).set(manager.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.from', 'query.status']);
  });

  it('shows one run with every step and the graph of its version', async () => {
    const res = await http.get(`/api/runs/${runId}`).set(agent.auth);
    expect(res.status).toBe(200);
    expect(res.body.steps.map((s: { nodeId: string; status: string; nodeType: string }) => [s.nodeId, s.status, s.nodeType])).toEqual([
      ['email', 'done', 'action.send_message@1'],
      ['wait', 'waiting', 'control.wait_for_event@1'],
    ]);
    expect(res.body.steps[0]).toMatchObject({ attempt: 1, port: 'next', error: null });
    expect(res.body.steps[0].finishedAt).not.toBeNull();
    expect(res.body.graph.nodes.map((n: { id: string }) => n.id)).toContain('wait');
    expect(world.smtp.messages.map((m) => m.to)).toContainEqual(['ming@example.com']);
  });

  it('hides runs of customers an agent may not see', async () => {
    expect((await http.get(`/api/runs/${runId}`).set(otherAgent.auth)).status).toBe(404);
    expect((await http.get(`/api/flows/${flowId}/runs`).set(otherAgent.auth)).body).toMatchObject({ items: [], total: 0 });
  });

  it('counts customers at each node for the canvas', async () => {
    const res = await http.get(`/api/flows/${flowId}/node-counts`).set(viewer.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      email: { waiting: 0, running: 0, done: 1, failed: 0 },
      wait: { waiting: 1, running: 0, done: 0, failed: 0 },
    });
  });

  it('keeps running instances on their version when a new one is published', async () => {
    const graph = followUp();
    graph.nodes[3]!.data.config = { title: 'Call {name} NOW', taskType: 'call', dueIn: { amount: 1, unit: 'hours' } };
    await http.put(`/api/flows/${flowId}`).set(manager.auth).send({ graph });
    const v2 = await http.post(`/api/flows/${flowId}/publish`).set(manager.auth).send({ note: 'urgent' });
    expect(v2.body.currentVersion).toBe(2);
    expect((await http.get(`/api/runs/${runId}`).set(manager.auth)).body.version).toBe(1);
  });

  it('keeps suppressed customers out', async () => {
    const quiet = await customer({ fullName: 'Quiet Quinn', email: 'quinn@example.com', ownerId: agent.id });
    await http.post(`/api/flows/${flowId}/suppressions`).set(manager.auth).send({ customerIds: [quiet] }).expect(201);
    expect(await world.runtime.enrollCustomer({ flowId, customerId: quiet })).toMatchObject({ outcome: 'skipped', reason: 'suppressed' });
  });

  it('takes no new enrollments while paused: events and sweeps skip it', async () => {
    await http.post(`/api/flows/${flowId}/pause`).set(manager.auth).expect(200);
    const other = await customer({ fullName: 'Paused Pat', email: 'pat@example.com', ownerId: agent.id });
    expect(await world.runtime.enrollCustomer({ flowId, customerId: other })).toMatchObject({ outcome: 'skipped', reason: 'flow_not_active' });
    // a customer who matches the segment while the flow is paused
    const [potential] = await world.db.db.insert(schema.tags).values({ name: 'potential' }).onConflictDoNothing().returning();
    const [matching] = await seedCustomers(world.ctx, { count: 1, ownerId: agent.id, tagId: potential!.id, prefix: 'sweep' });
    const swept = await world.runtime.sweepAll({ force: true });
    expect(swept.find((x) => x.flowId === flowId)).toBeUndefined();
    expect((await http.get(`/api/runs?customerId=${matching}`).set(manager.auth)).body.total).toBe(0);
    await http.post(`/api/flows/${flowId}/resume`).set(manager.auth).send({ enroll: 'existing' }).expect(200); // resumed for the customers matching now too
    await world.runtime.sweepAll({ force: true });
    expect((await http.get(`/api/runs?customerId=${matching}`).set(manager.auth)).body.total).toBe(1);
    const resumed = await world.runtime.enrollCustomer({ flowId, customerId: other });
    expect(resumed.outcome).toBe('started');
    const [version] = await world.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.id, resumed.run!.flowVersionId!));
    expect(version!.version).toBe(2);
  });

  it('cancels a run: Temporal cancels the workflow, the run and its open step end at once', async () => {
    const refused = await http.post(`/api/runs/${runId}/cancel`).set(agent.auth);
    expect(refused.status).toBe(403);
    expect((await runRow(runId)).status).toBe('waiting');

    const res = await http.post(`/api/runs/${runId}/cancel`).set(manager.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', exitReason: 'cancelled', currentNodeId: null });
    expect(res.body.steps.find((s: { nodeId: string }) => s.nodeId === 'wait')).toMatchObject({ status: 'skipped', error: 'Run cancelled by Mia Manager' });
    const handle = world.engine.client.workflow.getHandle((await runRow(runId)).workflowId);
    await eventually(async () => (await handle.describe()).status.name === 'CANCELLED', 'Temporal to cancel the workflow');
    expect((await runRow(runId)).status).toBe('cancelled');
    const waitCounts = async () => (await http.get(`/api/flows/${flowId}/node-counts`).set(manager.auth)).body.wait;
    await eventually(async () => (await waitCounts())?.waiting === 2, 'the runs started after the pause to reach the wait');
    const counts = { wait: await waitCounts() };
    // the two customers enrolled after the pause still wait; the cancelled run did not pass the wait
    expect(counts.wait).toEqual({ waiting: 2, running: 0, done: 0, failed: 0 });
    const again = await http.post(`/api/runs/${runId}/cancel`).set(manager.auth);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/has ended already \(cancelled\)/);
  });
});

describe('failed steps: alerts and retries', () => {
  let flowId: string;

  beforeAll(async () => {
    flowId = await publishedFlow('Call the owner', callOwner());
  });

  it('alerts the flow owner and retries the failed step in the open run (signal)', async () => {
    await world.clock.lock(); // the failed run stays open for a retry
    try {
      const orphan = await customer({ fullName: 'Orphan Olga', email: 'olga@example.com' });
      const runId = await enroll(flowId, orphan);
      await eventually(async () => (await runRow(runId)).status === 'failed', 'the task step to fail');
      const failed = (await http.get(`/api/runs/${runId}`).set(manager.auth)).body;
      expect(failed.finishedAt).toBeNull();
      expect(failed.error).toMatch(/Step task .* failed: Customer Orphan Olga has no owner/);
      const step = failed.steps.find((s: { nodeId: string }) => s.nodeId === 'task');
      expect(step).toMatchObject({ status: 'failed' });
      expect(step.error).toMatch(/Assign an owner first/);
      expect((await http.get(`/api/flows/${flowId}/node-counts`).set(manager.auth)).body.task).toMatchObject({ failed: 1 });

      // the flow's owner (the manager who created it) is told; nobody else
      const inbox = await http.get('/api/notifications').set(manager.auth);
      expect(inbox.status).toBe(200);
      expect(inbox.body.unread).toBe(1);
      expect(inbox.body.items[0]).toMatchObject({ event: 'flow_run_failed', title: 'Flow "Call the owner" failed', flowId, runId, customerName: 'Orphan Olga', read: false });
      expect(inbox.body.items[0].body).toMatch(/at step task: Step task/);
      expect((await http.get('/api/notifications').set(admin.auth)).body.items).toEqual([]);
      // the alert is on the customer's timeline too, once
      await http.get('/api/notifications').set(manager.auth);
      const timeline = await world.db.db
        .select()
        .from(schema.interactions)
        .where(and(eq(schema.interactions.customerId, orphan), eq(schema.interactions.kind, 'system')));
      expect(timeline).toHaveLength(1);

      const read = await http.post('/api/notifications/read').set(manager.auth).send({ all: true });
      expect(read.body.updated).toBe(1);
      expect((await http.get('/api/notifications?unread=true').set(manager.auth)).body.items).toEqual([]);
      expect((await http.post('/api/notifications/read').set(manager.auth).send({})).status).toBe(400);

      // retrying is for editors, and only for the failed step
      expect((await http.post(`/api/runs/${runId}/steps/${step.id}/retry`).set(viewer.auth)).status).toBe(403);
      const missing = await http.post(`/api/runs/${runId}/steps/00000000-0000-4000-8000-000000000000/retry`).set(manager.auth);
      expect(missing.status).toBe(404);

      await world.db.db.update(schema.customers).set({ ownerId: agent.id }).where(eq(schema.customers.id, orphan));
      const retry = await http.post(`/api/runs/${runId}/steps/${step.id}/retry`).set(manager.auth);
      expect(retry.status).toBe(202);
      expect(retry.body.retry).toBe('signal');
      await eventually(async () => (await runRow(runId)).status === 'completed', 'the retried run to complete');
      const done = (await http.get(`/api/runs/${runId}`).set(manager.auth)).body;
      expect(done.steps.map((s: { nodeId: string; status: string }) => [s.nodeId, s.status])).toEqual([['task', 'done']]);
      expect(done.error).toBeNull();
      const tasks = await world.db.db
        .select()
        .from(schema.interactions)
        .where(and(eq(schema.interactions.customerId, orphan), eq(schema.interactions.kind, 'task')));
      expect(tasks.map((x) => x.body)).toEqual(['Call Orphan Olga']);
      const again = await http.post(`/api/runs/${runId}/steps/${step.id}/retry`).set(manager.auth);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(/is done, not failed/);
    } finally {
      await world.clock.unlock();
    }
  });

  it('resumes a run that closed as failed at the failed node, on its own version', async () => {
    const orphan = await customer({ fullName: 'Late Larry', email: 'larry@example.com' });
    const runId = await enroll(flowId, orphan);
    // time skipping runs the 7-day hold out: the run closes as failed
    await eventually(async () => (await runRow(runId)).finishedAt !== null, 'the failed run to close');
    const closed = (await http.get(`/api/runs/${runId}`).set(manager.auth)).body;
    expect(closed).toMatchObject({ status: 'failed', exitReason: 'failed' });
    const failedStep = closed.steps.find((s: { status: string }) => s.status === 'failed');

    await world.db.db.update(schema.customers).set({ ownerId: agent.id }).where(eq(schema.customers.id, orphan));
    const retry = await http.post(`/api/runs/${runId}/steps/${failedStep.id}/retry`).set(admin.auth);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ retry: 'resumed', status: 'running', finishedAt: null });
    await eventually(async () => (await runRow(runId)).status === 'completed', 'the resumed run to complete');
    const done = (await http.get(`/api/runs/${runId}`).set(manager.auth)).body;
    expect(done.steps.map((s: { nodeId: string; status: string }) => [s.nodeId, s.status])).toEqual([
      ['task', 'failed'],
      ['task', 'done'],
    ]);
    // the canvas counts the node's latest visit per run
    expect((await http.get(`/api/flows/${flowId}/node-counts`).set(manager.auth)).body.task).toEqual({ waiting: 0, running: 0, done: 2, failed: 0 });
  });
});

describe('starting a flow by hand', () => {
  it('enrolls selected customers once, with reasons for the ones it skips', async () => {
    const flowId = await publishedFlow('By hand', callOwner());
    const a = await customer({ fullName: 'Hand A', ownerId: agent.id });
    const b = await customer({ fullName: 'Hand B', ownerId: agent.id });
    const c = await customer({ fullName: 'Hand C', ownerId: agent.id });
    await http.post(`/api/flows/${flowId}/suppressions`).set(manager.auth).send({ customerIds: [c] }).expect(201);
    expect((await http.post(`/api/flows/${flowId}/enroll`).set(agent.auth).send({ customerIds: [a] })).status).toBe(403);
    const res = await http.post(`/api/flows/${flowId}/enroll`).set(manager.auth).send({ customerIds: [a, b, c, a] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ started: 2, existing: 0, skipped: 1, reasons: { suppressed: 1 } });
    await eventually(async () => (await http.get(`/api/flows/${flowId}/runs?status=completed`).set(manager.auth)).body.total === 2, 'both runs to complete');
    // a "once" flow: the same customers again start nothing new
    const again = await http.post(`/api/flows/${flowId}/enroll`).set(manager.auth).send({ customerIds: [a, b] });
    expect(again.body).toMatchObject({ started: 0, existing: 2 });
    const unknown = await http.post(`/api/flows/${flowId}/enroll`).set(manager.auth).send({ customerIds: ['00000000-0000-4000-8000-00000000beef'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/nobody was enrolled/);
    await http.post(`/api/flows/${flowId}/pause`).set(manager.auth).expect(200);
    const paused = await http.post(`/api/flows/${flowId}/enroll`).set(manager.auth).send({ customerIds: [a] });
    expect(paused.status).toBe(409);
    expect(paused.body.error.message).toMatch(/is paused: only an active flow takes customers \(resume it first\)/);
  });
});

describe('test runs on the engine', () => {
  it('runs the draft as a real test workflow: waits skipped, nothing sent, listed only on demand', async () => {
    await world.clock.lock(); // a test run must not need time skipping
    try {
      const created = await http.post('/api/flows').set(manager.auth).send({ name: 'Draft only', graph: followUp() });
      const flowId = created.body.id as string;
      const daming = await customer({ fullName: '張大明', email: 'daming@example.com', ownerId: agent.id });
      const mails = world.smtp.messages.length;
      const res = await http.post(`/api/flows/${flowId}/test-run`).set(manager.auth).send({ customerId: daming });
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe('completed');
      expect(res.body.runId).toEqual(expect.any(String));
      expect(res.body.path.map((p: { nodeId: string; status: string; port: string | null }) => [p.nodeId, p.status, p.port])).toEqual([
        ['trigger', 'done', 'next'],
        ['email', 'done', 'next'],
        ['wait', 'done', 'timeout'],
        ['task', 'done', 'next'],
      ]);
      expect(res.body.actions).toEqual([
        expect.objectContaining({ action: 'send_message', nodeId: 'email', to: 'daming@example.com', subject: 'Hi 張大明' }),
        expect.objectContaining({ action: 'create_task', nodeId: 'task', assigneeId: agent.id, title: 'Call 張大明' }),
      ]);
      expect(world.smtp.messages.length).toBe(mails);
      const timeline = await world.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, daming));
      expect(timeline.filter((i) => i.kind !== 'system')).toEqual([]);

      expect((await http.get(`/api/flows/${flowId}/runs`).set(manager.auth)).body.total).toBe(0);
      const tests = await http.get(`/api/flows/${flowId}/runs?test=true`).set(manager.auth);
      expect(tests.body.items).toEqual([expect.objectContaining({ id: res.body.runId, isTest: true, status: 'completed', version: null })]);
      // a test run is not something to retry or cancel
      expect((await http.post(`/api/runs/${res.body.runId}/cancel`).set(manager.auth)).status).toBe(409);

      // a sample triggering event reaches the steps of a real test run too
      const keyword = await http
        .post('/api/flows')
        .set(manager.auth)
        .send({
          name: 'Keyword',
          graph: {
            nodes: [step('trigger', 'trigger.inbound_message@1', { keywords: ['price'] }), step('note', 'action.add_note@1', { text: 'Asked: {event.text}' })],
            edges: [edge('trigger', 'next', 'note')],
          },
        });
      const withEvent = await http
        .post(`/api/flows/${keyword.body.id}/test-run`)
        .set(manager.auth)
        .send({ customerId: daming, event: { type: 'message.received', data: { channel: 'whatsapp', text: 'price list?' } } });
      expect(withEvent.body.actions).toEqual([expect.objectContaining({ action: 'add_note', nodeId: 'note', text: 'Asked: price list?' })]);
    } finally {
      await world.clock.unlock();
    }
  });
});
