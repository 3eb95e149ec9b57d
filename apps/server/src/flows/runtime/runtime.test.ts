/**
 * The runtime beyond the example: goals, cancellation, a failed step retried by ops, test runs,
 * event and keyword triggers, suppression, re-enrollment after N days, quiet hours, webhook
 * address checks. temporal-lite with time skipping; PGlite, or Postgres with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { NonRetryableNodeError, type StepResult } from '@nudge/workflow-nodes';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { addTag } from '../../tags/index.js';
import { emitCustomersImported } from '../../import/events.js';
import { createFlowActivities } from './activities.js';
import { flowWorkflowBundle } from './worker.js';
import { enrollCustomer } from './enroll.js';
import { createDbNodeContext, isPrivateAddress } from './node-context.js';
import { signalCustomerRuns, sweepAll, sweepFlow } from './triggers.js';
import { createPotentialSegment, createRuntimeWorld, createTag, createUser, eventually, publishFlow, seedCustomers, type RuntimeWorld } from './test-support.js';

const DAY = 86_400_000;

describe('flow runtime', () => {
  let w: RuntimeWorld;
  let ownerId: string;

  beforeAll(async () => {
    w = await createRuntimeWorld({ timeSkipping: true });
    ownerId = await createUser(w.ctx, 'Owner Otto');
    await createTag(w.ctx, 'vip');
    await createTag(w.ctx, 'asked-price');
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  }, 60_000);

  const runRow = async (runId: string) => (await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.id, runId)))[0]!;
  const stepsOf = async (runId: string) => w.ctx.db.db.select().from(schema.flowRunSteps).where(eq(schema.flowRunSteps.runId, runId)).orderBy(schema.flowRunSteps.seq);
  const interactionsOf = async (customerId: string, kind: (typeof schema.INTERACTION_KINDS)[number]) =>
    w.ctx.db.db.select().from(schema.interactions).where(and(eq(schema.interactions.customerId, customerId), eq(schema.interactions.kind, kind)));
  const waitStatus = (runId: string, status: string) => eventually(async () => (await runRow(runId)).status === status, `run ${runId} to be ${status}`, 60_000);

  const manualFlow = (nodes: ReturnType<typeof step>[], edges: ReturnType<typeof edge>[]) => ({
    nodes: [step('trigger', 'trigger.manual@1'), ...nodes],
    edges,
  });

  it('leaves the flow when a goal event arrives during a wait, without running later steps', async () => {
    const { flowId } = await publishFlow(
      w.ctx,
      manualFlow(
        [step('wait', 'control.wait@1', { duration: { amount: 5, unit: 'days' } }), step('note', 'action.add_note@1', { text: 'still here' }), step('bought', 'control.goal@1', { name: 'Bought', event: 'order.created' })],
        [edge('trigger', 'next', 'wait'), edge('wait', 'next', 'note')],
      ),
    );
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'goal' });
    await w.clock.lock();
    let runId: string;
    let workflowId: string;
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
      runId = r.run!.id;
      workflowId = r.run!.workflowId;
      await waitStatus(runId, 'waiting');
      await w.clock.sleep(DAY);
      expect(await signalCustomerRuns(w.ctx, customerId!, { type: 'order.created', data: { amount: 100 } })).toBe(1);
      expect(await w.engine.client.workflow.getHandle(workflowId).result()).toMatchObject({ outcome: 'goal', nodeId: 'bought' });
    } finally {
      await w.clock.unlock();
    }
    expect(await runRow(runId)).toMatchObject({ status: 'completed', exitReason: 'goal' });
    expect((await stepsOf(runId)).map((s) => [s.nodeId, s.status])).toEqual([
      ['wait', 'done'],
      ['bought', 'done'],
    ]);
    expect(await interactionsOf(customerId!, 'note')).toHaveLength(0);
    // the recorded history (activities, local activities, patches, timer, signal) replays deterministically
    const history = await w.engine.client.workflow.getHandle(workflowId).fetchHistory();
    const { Worker } = await import('@temporalio/worker');
    await Worker.runReplayHistory({ workflowBundle: await flowWorkflowBundle() }, history, workflowId);
  });

  it('fails the run, naming the step, when a plan holds settings this version cannot read', async () => {
    const { flowId } = await publishFlow(w.ctx, manualFlow([step('wait', 'control.wait@1', { duration: { amount: 1, unit: 'days' } })], [edge('trigger', 'next', 'wait')]), {
      adjustPlan: (plan) => void (plan.nodes.wait!.config = { duration: 'soon' }),
    });
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'broken' });
    const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
    await expect(w.engine.client.workflow.getHandle(r.run!.workflowId).result()).rejects.toThrow();
    await waitStatus(r.run!.id, 'failed');
    expect((await runRow(r.run!.id)).error).toMatch(/^Step wait \(control\.wait@1\) has invalid settings: duration/);
  });

  it('marks a cancelled run cancelled', async () => {
    const { flowId } = await publishFlow(w.ctx, manualFlow([step('wait', 'control.wait@1', { duration: { amount: 2, unit: 'days' } })], [edge('trigger', 'next', 'wait')]));
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'cancel' });
    await w.clock.lock();
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
      await waitStatus(r.run!.id, 'waiting');
      expect(await w.engine.client.workflow.getHandle(r.run!.workflowId).query('currentNode')).toMatchObject({ nodeId: 'wait', status: 'waiting' });
      await w.engine.client.workflow.getHandle(r.run!.workflowId).cancel();
      await waitStatus(r.run!.id, 'cancelled');
      expect(await runRow(r.run!.id)).toMatchObject({ exitReason: 'cancelled', currentNodeId: null });
      // the run row is written by the workflow's last activity, just before the workflow itself closes
      await eventually(async () => (await w.engine.client.workflow.getHandle(r.run!.workflowId).describe()).status.name === 'CANCELLED', 'the workflow to close as cancelled');
    } finally {
      await w.clock.unlock();
    }
  });

  it('ends quietly when the customer is erased while the run waits', async () => {
    const { flowId } = await publishFlow(
      w.ctx,
      manualFlow([step('wait', 'control.wait@1', { duration: { amount: 1, unit: 'days' } }), step('note', 'action.add_note@1', { text: 'after' })], [edge('trigger', 'next', 'wait'), edge('wait', 'next', 'note')]),
    );
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'erased' });
    await w.clock.lock();
    let workflowId: string;
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
      workflowId = r.run!.workflowId;
      await waitStatus(r.run!.id, 'waiting');
      await w.ctx.db.db.delete(schema.customers).where(eq(schema.customers.id, customerId!)); // erasure cascades to runs and steps
    } finally {
      await w.clock.unlock();
    }
    expect(await w.engine.client.workflow.getHandle(workflowId).result()).toMatchObject({ outcome: 'completed', nodeId: null });
    expect(await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId))).toHaveLength(0);
  });

  it('records a step that fails for good, and runs it again on "retry step"', async () => {
    const { flowId } = await publishFlow(w.ctx, manualFlow([step('task', 'action.create_task@1', { title: 'Call {name}' })], [edge('trigger', 'next', 'task')]));
    const [customerId] = await w.ctx.db.db.insert(schema.customers).values({ fullName: 'No Owner' }).returning({ id: schema.customers.id });
    await w.clock.lock();
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId!.id });
      await waitStatus(r.run!.id, 'failed');
      const failed = await runRow(r.run!.id);
      expect(failed.error).toMatch(/^Step task \(action\.create_task@1\) failed: .*owner/i);
      expect((await stepsOf(r.run!.id))[0]).toMatchObject({ nodeId: 'task', status: 'failed' });
      // ops fix the data and retry the step
      await w.ctx.db.db.update(schema.customers).set({ ownerId }).where(eq(schema.customers.id, customerId!.id));
      await w.engine.client.workflow.getHandle(r.run!.workflowId).signal('retryFailedStep');
      await waitStatus(r.run!.id, 'completed');
    } finally {
      await w.clock.unlock();
    }
    expect(await interactionsOf(customerId!.id, 'task')).toHaveLength(1);
  });

  it('runs consecutive database-only steps as one local activity, records every step, and runs a failing step on its own', async () => {
    const graph = manualFlow(
      [
        step('tag', 'action.add_tag@1', { tag: 'vip' }),
        step('vip', 'condition.if_else@1', { condition: { type: 'tag', operator: 'has', tag: 'vip' } }),
        step('note', 'action.add_note@1', { text: 'VIP {name}' }),
        step('other', 'action.add_note@1', { text: 'not VIP' }),
        step('task', 'action.create_task@1', { title: 'Call {name}' }),
        step('after', 'action.add_note@1', { text: 'called' }),
      ],
      [edge('trigger', 'next', 'tag'), edge('tag', 'next', 'vip'), edge('vip', 'true', 'note'), edge('vip', 'false', 'other'), edge('note', 'next', 'task'), edge('task', 'next', 'after')],
    );
    const { flowId } = await publishFlow(w.ctx, graph);
    // no owner: the task step fails for good until ops set one
    const [customer] = await w.ctx.db.db.insert(schema.customers).values({ fullName: 'Chain Chen' }).returning({ id: schema.customers.id });
    const customerId = customer!.id;
    await w.clock.lock();
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId });
      await waitStatus(r.run!.id, 'failed');
      // the steps before the failure are written, each with its own seq and port
      expect((await stepsOf(r.run!.id)).map((s) => [s.seq, s.nodeId, s.status, s.port])).toEqual([
        [1, 'tag', 'done', 'next'],
        [2, 'vip', 'done', 'true'],
        [3, 'note', 'done', 'next'],
        [4, 'task', 'failed', null],
      ]);
      await w.ctx.db.db.update(schema.customers).set({ ownerId }).where(eq(schema.customers.id, customerId));
      await w.engine.client.workflow.getHandle(r.run!.workflowId).signal('retryFailedStep');
      await waitStatus(r.run!.id, 'completed');
      expect((await stepsOf(r.run!.id)).map((s) => [s.seq, s.nodeId, s.status])).toEqual([
        [1, 'tag', 'done'],
        [2, 'vip', 'done'],
        [3, 'note', 'done'],
        [4, 'task', 'done'],
        [5, 'after', 'done'],
      ]);
      expect((await runRow(r.run!.id)).exitReason).toBe('end');
      // which activities ran: the chain (tag → vip → note, stopped at task), task alone (failed, then
      // retried), then the last note as a chain of one that also closed the run (no markRun)
      // the run row is completed by the last chain, before its workflow task records it: wait for the workflow
      const handle = w.engine.client.workflow.getHandle(r.run!.workflowId);
      expect(await handle.result()).toMatchObject({ outcome: 'completed', steps: 5 });
      const history = await handle.fetchHistory();
      const activities = (history.events ?? [])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
        .map((e) => {
          const data = e.markerRecordedEventAttributes!.details!.data!.payloads![0]!.data!;
          return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type;
        });
      expect(activities).toEqual(['runSteps', 'runStep', 'recordStep', 'recordStep', 'runStep', 'runSteps']);
    } finally {
      await w.clock.unlock();
    }
    expect(await interactionsOf(customerId, 'note')).toHaveLength(2);
    expect(await interactionsOf(customerId, 'task')).toHaveLength(1);
  });

  it('test runs record actions instead of performing them and skip waits', async () => {
    const graph = manualFlow(
      [
        step('email', 'action.send_message@1', { channel: 'email', subject: 'Hi {name}', body: 'Hello' }),
        step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 3, unit: 'days' } }),
        step('task', 'action.create_task@1', { title: 'Call {name}' }),
        step('tag', 'action.add_tag@1', { tag: 'vip' }),
        step('end', 'control.end@1'),
      ],
      [edge('trigger', 'next', 'email'), edge('email', 'next', 'wait'), edge('wait', 'timeout', 'task'), edge('task', 'next', 'tag'), edge('wait', 'replied', 'end')],
    );
    const { flowId } = await publishFlow(w.ctx, graph);
    await w.ctx.db.db.update(schema.flows).set({ status: 'draft' }).where(eq(schema.flows.id, flowId));
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'testrun' });
    const mailsBefore = w.smtp.messages.length;
    await w.clock.lock(); // waits must be skipped by the interpreter, not by the clock
    try {
      const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId!, test: true });
      expect(r).toMatchObject({ outcome: 'started', run: { isTest: true } });
      expect(await w.engine.client.workflow.getHandle(r.run!.workflowId).result()).toMatchObject({ outcome: 'completed' });
      const steps = await stepsOf(r.run!.id);
      expect(steps.map((s) => s.nodeId)).toEqual(['email', 'wait', 'task', 'tag']);
      expect(steps[0]!.output).toMatchObject({ recorded: [{ action: 'send_message', channel: 'email', subject: 'Hi Customer testrun-0' }] });
      expect(steps[2]!.output).toMatchObject({ recorded: [{ action: 'create_task', title: 'Call Customer testrun-0', assigneeId: ownerId }] });
      expect(steps[3]!.output).toMatchObject({ recorded: [{ action: 'add_tag', tag: 'vip' }] });
    } finally {
      await w.clock.unlock();
    }
    expect(w.smtp.messages.length).toBe(mailsBefore);
    expect(await interactionsOf(customerId!, 'task')).toHaveLength(0);
    expect(await w.ctx.db.db.select().from(schema.customerTags).where(eq(schema.customerTags.customerId, customerId!))).toHaveLength(0);
    // a draft flow does not take real enrollments
    expect(await enrollCustomer(w.ctx, { flowId, customerId: customerId! })).toMatchObject({ outcome: 'skipped', reason: 'flow_not_active' });
  });

  it('starts a flow when its event trigger fires (tag added), once per customer', async () => {
    const { flowId } = await publishFlow(w.ctx, {
      nodes: [step('trigger', 'trigger.tag_changed@1', { change: 'added', tag: 'vip' }), step('note', 'action.add_note@1', { text: 'Welcome to VIP, {name}' })],
      edges: [edge('trigger', 'next', 'note')],
    });
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'event' });
    await addTag(w.ctx, null, customerId!, 'vip');
    await eventually(async () => (await interactionsOf(customerId!, 'note')).length === 1, 'the welcome note');
    await addTag(w.ctx, null, customerId!, 'vip'); // the event again
    await new Promise((r) => setTimeout(r, 500));
    const runs = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
    expect(runs).toHaveLength(1);
    expect((await interactionsOf(customerId!, 'note'))[0]!.body).toBe('Welcome to VIP, Customer event-0');
  });

  it('starts "customer imported" flows for every customer an import batch created', async () => {
    const { flowId } = await publishFlow(w.ctx, {
      nodes: [step('trigger', 'trigger.customer_created@1', { origin: 'imported' }), step('note', 'action.add_note@1', { text: 'Imported: welcome {name}' })],
      edges: [edge('trigger', 'next', 'note')],
    });
    const ids = await seedCustomers(w.ctx, { count: 5, ownerId, prefix: 'imported' });
    emitCustomersImported({ importId: 'imp-1', createdIds: ids, updatedIds: [], at: new Date() });
    emitCustomersImported({ importId: 'imp-1', createdIds: ids, updatedIds: [], at: new Date() }); // delivered twice
    await eventually(async () => (await w.ctx.db.db.select().from(schema.flowRuns).where(and(eq(schema.flowRuns.flowId, flowId), eq(schema.flowRuns.status, 'completed')))).length === 5, 'five runs');
    await new Promise((r) => setTimeout(r, 300));
    expect(await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId))).toHaveLength(5);
    for (const id of ids) expect(await interactionsOf(id, 'note')).toHaveLength(1);
  });

  it('routes inbound messages to keyword triggers (any language, case-insensitive)', async () => {
    const { flowId } = await publishFlow(w.ctx, {
      nodes: [step('trigger', 'trigger.inbound_message@1', { match: 'contains', keywords: ['price', '價格'] }), step('tag', 'action.add_tag@1', { tag: 'asked-price' })],
      edges: [edge('trigger', 'next', 'tag')],
    });
    const [asks, chats] = await seedCustomers(w.ctx, { count: 2, ownerId, prefix: 'inbound' });
    expect((await w.runtime.routeInboundMessage({ customerId: asks!, channel: 'whatsapp', text: '請問價格多少？' })).started).toBe(1);
    expect((await w.runtime.routeInboundMessage({ customerId: chats!, channel: 'whatsapp', text: 'hello there' })).started).toBe(0);
    await eventually(async () => (await w.ctx.db.db.select().from(schema.customerTags).where(eq(schema.customerTags.customerId, asks!))).length === 1, 'the tag');
    expect(await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId))).toHaveLength(1);
  });

  it('honours suppression lists and "again after N days"', async () => {
    const { flowId } = await publishFlow(w.ctx, manualFlow([step('note', 'action.add_note@1', { text: 'hi' })], [edge('trigger', 'next', 'note')]), {
      enrollment: { mode: 'again_after_days', days: 7 },
    });
    const [a, b] = await seedCustomers(w.ctx, { count: 2, ownerId, prefix: 'again' });
    await w.ctx.db.db.insert(schema.flowSuppressions).values({ flowId: null, customerId: b!, reason: 'asked not to be contacted' });
    expect(await enrollCustomer(w.ctx, { flowId, customerId: b! })).toMatchObject({ outcome: 'skipped', reason: 'suppressed' });
    const first = await enrollCustomer(w.ctx, { flowId, customerId: a!, enrollmentKey: 'e1' });
    expect(first.outcome).toBe('started');
    expect(await enrollCustomer(w.ctx, { flowId, customerId: a!, enrollmentKey: 'e1' })).toMatchObject({ outcome: 'existing', run: { id: first.run!.id } });
    await waitStatus(first.run!.id, 'completed');
    expect(await enrollCustomer(w.ctx, { flowId, customerId: a!, enrollmentKey: 'e2' })).toMatchObject({ outcome: 'skipped', reason: 'too_soon' });
    // eight days later the customer may enter again
    const later = { ...w.ctx, now: () => new Date(Date.now() + 8 * DAY) };
    expect(await enrollCustomer(later, { flowId, customerId: a!, enrollmentKey: 'e3' })).toMatchObject({ outcome: 'started' });
  });

  it('holds a send during quiet hours with a durable timer, then sends once', async () => {
    const now = new Date((await w.clock.now())); // the workflow clock (earlier tests skipped it ahead)
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const quietHours = { start: hhmm(new Date(now.getTime() - 3_600_000)), end: hhmm(new Date(now.getTime() + 2 * 3_600_000)) };
    const { flowId } = await publishFlow(w.ctx, manualFlow([step('email', 'action.send_message@1', { channel: 'email', subject: 'Quiet', body: 'Hello' })], [edge('trigger', 'next', 'email')]), {
      sending: { quietHours },
    });
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'quiet' });
    const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
    await waitStatus(r.run!.id, 'completed');
    const steps = await stepsOf(r.run!.id);
    expect(steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['email', 'done'],
      ['email', 'done'],
    ]);
    expect(steps[0]!.output).toMatchObject({ heldBy: 'quiet_hours' });
    expect(w.smtp.messages.filter((m) => m.subject === 'Quiet')).toHaveLength(1);
  });

  it('an activity retried after its completion was lost sends and creates nothing twice', async () => {
    const { flowId, versionId } = await publishFlow(w.ctx, manualFlow([step('email', 'action.send_message@1', { channel: 'email', subject: 'Once only', body: 'Hi {name}' })], [edge('trigger', 'next', 'email')]));
    const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId, prefix: 'retry' });
    const [run] = await w.ctx.db.db
      .insert(schema.flowRuns)
      .values({ flowId, flowVersionId: versionId, customerId: customerId!, workflowId: `manual-${customerId}`, enrollmentKey: 'once' })
      .returning();
    const activities = createFlowActivities({ app: w.ctx, channels: w.channels });
    const input = { runId: run!.id, flowId, customerId: customerId!, isTest: false, flowVersion: 1, nodeId: 'email', nodeKey: 'action.send_message@1', config: { channel: 'email', templateId: '', subject: 'Once only', body: 'Hi {name}' }, seq: 1, visit: 1, nowMs: Date.now(), triggerEvent: null };
    const { MockActivityEnvironment } = await import('@temporalio/testing');
    const first = (await new MockActivityEnvironment({ attempt: 1 }).run(activities.runStep, input)) as StepResult;
    const again = (await new MockActivityEnvironment({ attempt: 2 }).run(activities.runStep, input)) as StepResult; // the worker died before reporting the first
    expect(again.output).toMatchObject({ providerMessageId: (first.output as { providerMessageId: string }).providerMessageId });
    expect(w.smtp.messages.filter((m) => m.subject === 'Once only')).toHaveLength(1);
    expect(await interactionsOf(customerId!, 'message_out')).toHaveLength(1);
    expect(await stepsOf(run!.id)).toMatchObject([{ nodeId: 'email', status: 'done', attempt: 2 }]);
  });

  it('sweeps cron schedules once per tick and birthdays once per birthday', async () => {
    const potential = await createTag(w.ctx, 'potential');
    const segmentId = await createPotentialSegment(w.ctx);
    const members = await seedCustomers(w.ctx, { count: 3, ownerId, tagId: potential, prefix: 'cron' });
    const note = step('note', 'action.add_note@1', { text: 'scheduled hello' });
    const { flowId: cronFlow } = await publishFlow(
      w.ctx,
      { nodes: [step('trigger', 'trigger.schedule@1', { cron: '0 * * * *', timezone: 'UTC', segmentId }), note], edges: [edge('trigger', 'next', 'note')] },
      { enrollment: { mode: 'again_after_days', days: 0 } },
    );
    const today = new Date().toISOString().slice(0, 10);
    const [birthdayKid] = await w.ctx.db.db.insert(schema.customers).values({ fullName: 'Birthday Kid', birthday: `1990-${today.slice(5)}`, ownerId }).returning({ id: schema.customers.id });
    const { flowId: birthdayFlow } = await publishFlow(w.ctx, {
      nodes: [step('trigger', 'trigger.birthday@1', { daysBefore: 0, atTime: '00:00' }), step('note', 'action.add_note@1', { text: 'Happy birthday {name}' })],
      edges: [edge('trigger', 'next', 'note')],
    });
    // the hourly schedule was last swept 61 minutes ago: the top of this hour is due
    const sweptAgo = () => w.ctx.db.db.update(schema.flows).set({ lastSweptAt: new Date(Date.now() - 61 * 60_000) }).where(eq(schema.flows.id, cronFlow));
    await sweptAgo();
    const first = await sweepAll(w.ctx, { force: true });
    expect(first.find((r) => r.flowId === cronFlow)).toMatchObject({ started: 3 });
    expect(first.find((r) => r.flowId === birthdayFlow)).toMatchObject({ started: 1 });
    const runs = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, cronFlow));
    expect(new Set(runs.map((r) => r.customerId))).toEqual(new Set(members));
    expect(runs.every((r) => typeof r.temporalRunId === 'string' && r.temporalRunId.length > 0)).toBe(true);
    expect(runs[0]!.enrollmentKey).toMatch(/^schedule-\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    // swept again: no tick since; and the same tick again (the key of the tick): nobody new
    expect(await sweepFlow(w.ctx, cronFlow)).toMatchObject({ matched: 0, started: 0 });
    await sweptAgo();
    expect(await sweepFlow(w.ctx, cronFlow)).toMatchObject({ matched: 3, started: 0, existing: 3 });
    expect(await sweepFlow(w.ctx, birthdayFlow)).toMatchObject({ started: 0 });
    const [bday] = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, birthdayFlow));
    expect(bday).toMatchObject({ customerId: birthdayKid!.id });
    await eventually(async () => (await interactionsOf(birthdayKid!.id, 'note')).length === 1, 'the birthday note');
  });

  it('assigns owners round-robin, starts another flow, and holds a send for the frequency cap', async () => {
    const ann = await createUser(w.ctx, 'Ann');
    const bob = await createUser(w.ctx, 'Bob');
    const { flowId: greet } = await publishFlow(
      w.ctx,
      manualFlow([step('email', 'action.send_message@1', { channel: 'email', subject: 'Capped', body: 'Hello {name}, {owner} here' })], [edge('trigger', 'next', 'email')]),
      { sending: { frequencyCap: { maxMessages: 1, perHours: 24 } } },
    );
    const { flowId: assign } = await publishFlow(
      w.ctx,
      manualFlow(
        [step('owner', 'action.assign_owner@1', { strategy: 'round_robin', userIds: [ann, bob] }), step('next', 'action.start_flow@1', { flowId: greet })],
        [edge('trigger', 'next', 'owner'), edge('owner', 'next', 'next')],
      ),
    );
    const customers = await w.ctx.db.db
      .insert(schema.customers)
      .values(['Chen', 'Diaz', 'Evans'].map((fullName) => ({ fullName, email: `${fullName.toLowerCase()}@example.com` })))
      .returning({ id: schema.customers.id });
    // Chen got a message an hour ago (on the workflow clock, which earlier tests moved ahead): the cap (1 per 24 h) holds the next one back
    await w.ctx.db.db.insert(schema.interactions).values({ customerId: customers[0]!.id, kind: 'message_out', channel: 'email', body: 'earlier', occurredAt: new Date((await w.clock.now()) - 3_600_000) });
    const owners: string[] = [];
    for (const c of customers) {
      const r = await enrollCustomer(w.ctx, { flowId: assign, customerId: c.id });
      await waitStatus(r.run!.id, 'completed');
      const [row] = await w.ctx.db.db.select({ ownerId: schema.customers.ownerId }).from(schema.customers).where(eq(schema.customers.id, c.id));
      owners.push(row!.ownerId!);
    }
    expect(owners[0]).not.toBe(owners[1]);
    expect(owners[2]).toBe(owners[0]);
    expect(new Set(owners)).toEqual(new Set([ann, bob]));
    await eventually(async () => (await w.ctx.db.db.select().from(schema.flowRuns).where(and(eq(schema.flowRuns.flowId, greet), eq(schema.flowRuns.status, 'completed')))).length === 3, 'the three greetings');
    const capped = w.smtp.messages.filter((m) => m.subject === 'Capped');
    expect(capped.map((m) => m.envelopeTo[0]).sort()).toEqual(['chen@example.com', 'diaz@example.com', 'evans@example.com']);
    const [chenRun] = await w.ctx.db.db.select().from(schema.flowRuns).where(and(eq(schema.flowRuns.flowId, greet), eq(schema.flowRuns.customerId, customers[0]!.id)));
    const chenSteps = await stepsOf(chenRun!.id);
    expect(chenSteps[0]).toMatchObject({ nodeId: 'email', output: { heldBy: 'frequency_cap' } });
    expect(chenSteps.at(-1)).toMatchObject({ nodeId: 'email', status: 'done', port: 'next' });
  });

  it('blocks webhooks to private addresses unless allowed', async () => {
    expect(['127.0.0.1', '10.1.2.3', '192.168.0.9', '172.20.0.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:10.0.0.1'].every(isPrivateAddress)).toBe(true);
    expect(['8.8.8.8', '1.1.1.1', '2606:4700::1111'].some(isPrivateAddress)).toBe(false);
    const run = { runId: 'r', flowId: 'f', flowVersion: 1, nodeId: 'hook', customerId: 'c', attempt: 1, idempotencyKey: 'r:hook:1', testMode: false };
    const strict = createDbNodeContext({ app: w.ctx, allowPrivateWebhooks: false }, run, Date.now());
    await expect(strict.http.request({ url: 'http://127.0.0.1:9/hook', method: 'POST', headers: {}, timeoutMs: 1000 })).rejects.toThrow(NonRetryableNodeError);
    await expect(strict.http.request({ url: 'http://localhost:9/hook', method: 'POST', headers: {}, timeoutMs: 1000 })).rejects.toThrow(/private address/);
  });
});
