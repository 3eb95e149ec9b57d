// The flow lifecycle API: nodes manifest, drafts, validation against the database, publishing
// immutable versions, pause / resume / archive, roles and bad input. Runs on PGlite, or on
// Postgres when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import SwaggerParser from '@apidevtools/swagger-parser';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { createTestApp, type TestApp, type TestUser } from '../../http/testing.js';

let t: TestApp;
let admin: TestUser, manager: TestUser, agent: TestUser, viewer: TestUser;
let segmentId: string;

const followUp = (segment: string) => ({
  nodes: [
    step('trigger', 'trigger.segment_entry@1', { segmentId: segment }, 'Potential, no follow-up 30 days'),
    step('email', 'action.send_message@1', { channel: 'email', subject: 'Hi {name}', body: 'Still interested, {name}?' }),
    step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 3, unit: 'days' } }),
    step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: 24, unit: 'hours' } }),
    step('done', 'control.end@1'),
  ],
  edges: [edge('trigger', 'next', 'email'), edge('email', 'next', 'wait'), edge('wait', 'timeout', 'task'), edge('wait', 'replied', 'done')],
});

const versionsOf = async (flowId: string) =>
  (await t.db.db.select({ n: count() }).from(schema.flowVersions).where(eq(schema.flowVersions.flowId, flowId)))[0]!.n;

async function newFlow(name: string, graph: unknown = followUp(segmentId)) {
  const res = await t.http.post('/api/flows').set(manager.auth).send({ name, graph });
  expect(res.status).toBe(201);
  return res.body as { id: string; status: string };
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
  manager = await t.user('manager');
  agent = await t.user('agent');
  viewer = await t.user('viewer');
  const [seg] = await t.db.db
    .insert(schema.segments)
    .values({ name: 'Potential, quiet 30 days', definition: { type: 'has_tag', tag: 'potential' } })
    .returning();
  segmentId = seg!.id;
});
afterAll(() => t.close());

describe('GET /api/nodes', () => {
  it('serves the node manifest to any signed-in user, in four languages', async () => {
    const res = await t.http.get('/api/nodes').set(viewer.auth);
    expect(res.status).toBe(200);
    const keys = (res.body.nodes as { key: string }[]).map((n) => n.key);
    expect(keys).toEqual(expect.arrayContaining(['trigger.segment_entry@1', 'action.send_message@1', 'control.wait_for_event@1']));
    const send = (res.body.nodes as { key: string; label: Record<string, string>; configSchema: object }[]).find((n) => n.key === 'action.send_message@1')!;
    expect(Object.keys(send.label)).toEqual(expect.arrayContaining(['en', 'zh-TW', 'zh-CN', 'es']));
    expect(send.configSchema).toHaveProperty('properties');
    expect(res.body.categories.length).toBeGreaterThan(0);
  });
  it('needs a session', async () => {
    expect((await t.http.get('/api/nodes')).status).toBe(401);
  });
});

describe('drafts', () => {
  it('creates, lists, reads and autosaves a draft', async () => {
    const created = await t.http.post('/api/flows').set(admin.auth).send({ name: '潛在客戶跟進', description: 'follow-up' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '潛在客戶跟進', status: 'draft', currentVersion: null, ownerId: admin.id, graph: { nodes: [], edges: [] } });
    const id = created.body.id as string;

    const graph = followUp(segmentId);
    const saved = await t.http.put(`/api/flows/${id}`).set(manager.auth).send({ graph });
    expect(saved.status).toBe(200);
    expect(saved.body.graph.nodes).toHaveLength(5);
    expect(saved.body.hasUnpublishedChanges).toBe(true);

    const renamed = await t.http.put(`/api/flows/${id}`).set(manager.auth).send({ name: 'Follow-up' });
    expect(renamed.body).toMatchObject({ name: 'Follow-up', description: 'follow-up' });
    expect(renamed.body.graph.nodes).toHaveLength(5);

    const list = await t.http.get('/api/flows').set(agent.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.map((f: { id: string }) => f.id)).toContain(id);
    const one = await t.http.get(`/api/flows/${id}`).set(viewer.auth);
    expect(one.body.graph).toEqual(JSON.parse(JSON.stringify(graph)));

    const audit = await t.db.db.select().from(schema.auditLog).where(eq(schema.auditLog.entityId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(['flow.create', 'flow.update']);
  });

  it('keeps an unfinished draft (it is judged at validate / publish time)', async () => {
    const flow = await newFlow('Unfinished', { nodes: [step('a', 'action.send_message@1')], edges: [] });
    const res = await t.http.get(`/api/flows/${flow.id}`).set(manager.auth);
    expect(res.body.graph.nodes[0].id).toBe('a');
  });

  it('refuses agents and viewers, and changes nothing', async () => {
    const flow = await newFlow('Roles');
    for (const u of [agent, viewer]) {
      const create = await t.http.post('/api/flows').set(u.auth).send({ name: 'Nope' });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('forbidden');
      const put = await t.http.put(`/api/flows/${flow.id}`).set(u.auth).send({ name: 'Hijacked', graph: { nodes: [], edges: [] } });
      expect(put.status).toBe(403);
    }
    const after = await t.http.get(`/api/flows/${flow.id}`).set(manager.auth);
    expect(after.body.name).toBe('Roles');
    expect(after.body.graph.nodes).toHaveLength(5);
    const nope = await t.db.db.select({ n: count() }).from(schema.flows).where(eq(schema.flows.name, 'Nope'));
    expect(nope[0]!.n).toBe(0);
  });

  it('says what is wrong with bad input', async () => {
    const noName = await t.http.post('/api/flows').set(manager.auth).send({ name: '  ' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.details).toEqual([expect.objectContaining({ path: 'body.name', message: 'give the flow a name' })]);
    const badGraph = await t.http.post('/api/flows').set(manager.auth).send({ name: 'x', graph: { nodes: [{ position: { x: 0, y: 0 } }] } });
    expect(badGraph.status).toBe(400);
    expect(badGraph.body.error.details[0].path).toBe('body.graph.nodes.0.id');
    const empty = await t.http.put(`/api/flows/${(await newFlow('Empty put')).id}`).set(manager.auth).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/send at least one of name, description, graph, enrollment or sending/);
    const notUuid = await t.http.get('/api/flows/42').set(manager.auth);
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.error.details[0]).toMatchObject({ path: 'params.id', message: 'a flow id is a UUID' });
    const missing = await t.http.get('/api/flows/00000000-0000-4000-8000-000000000000').set(manager.auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/Flow 00000000-0000-4000-8000-000000000000 does not exist/);
  });
});

describe('validate and publish', () => {
  it('reports every problem on its node, checking references against the database', async () => {
    const flow = await newFlow('Deleted segment', followUp('6d1c1d7e-0000-4000-8000-000000000001'));
    const graph = followUp('6d1c1d7e-0000-4000-8000-000000000001');
    graph.nodes[1]!.data.config = { channel: 'email', subject: 'Hi', body: 'Hello {nickname}' };
    graph.edges = graph.edges.filter((e) => e.source !== 'wait' || e.sourceHandle !== 'replied');
    await t.http.put(`/api/flows/${flow.id}`).set(manager.auth).send({ graph });
    // agents and viewers may look at the problems (nothing changes)
    const res = await t.http.post(`/api/flows/${flow.id}/validate`).set(viewer.auth);
    expect(res.status).toBe(200);
    const problems = res.body.problems as { nodeId?: string; field?: string; port?: string; code: string; message: string }[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'trigger', field: 'segmentId', code: 'reference.unknown_segment' }),
        expect.objectContaining({ nodeId: 'email', field: 'body', code: 'template.unknown_variable' }),
        expect.objectContaining({ nodeId: 'wait', port: 'replied', code: 'port.unconnected' }),
      ]),
    );
    expect(problems.find((p) => p.code === 'reference.unknown_segment')!.message).toMatch(/does not exist/);
  });

  it('refuses to publish an invalid graph with 422 and per-node problems, and publishes nothing', async () => {
    const flow = await newFlow('Invalid', { nodes: [step('email', 'action.send_message@1', { channel: 'email' })], edges: [] });
    const res = await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({ note: 'try' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('flow_invalid');
    expect(res.body.error.message).toMatch(/cannot be published/);
    const problems = res.body.error.details.problems as { nodeId?: string; code: string }[];
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(['flow.no_trigger', 'node.invalid_config']));
    expect(problems.find((p) => p.code === 'node.invalid_config')!.nodeId).toBe('email');
    expect(await versionsOf(flow.id)).toBe(0);
    const after = await t.http.get(`/api/flows/${flow.id}`).set(manager.auth);
    expect(after.body).toMatchObject({ status: 'draft', currentVersion: null });
  });

  it('publishes immutable versions: editing the draft never changes a published one', async () => {
    const flow = await newFlow('Versions');
    const v1 = await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({ note: 'First: email, wait 3 days, call' });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ status: 'active', currentVersion: 1, hasUnpublishedChanges: false });

    const changed = followUp(segmentId);
    changed.nodes[3]!.data.config = { title: 'Call {name} today', taskType: 'call', dueIn: { amount: 2, unit: 'hours' } };
    const draft = await t.http.put(`/api/flows/${flow.id}`).set(manager.auth).send({ graph: changed });
    expect(draft.body.hasUnpublishedChanges).toBe(true);
    expect(draft.body.currentVersion).toBe(1);

    const v2 = await t.http.post(`/api/flows/${flow.id}/publish`).set(admin.auth).send({});
    expect(v2.body.currentVersion).toBe(2);

    const versions = await t.http.get(`/api/flows/${flow.id}/versions`).set(agent.auth);
    expect(versions.status).toBe(200);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.body.items[1]).toMatchObject({ note: 'First: email, wait 3 days, call', publishedBy: { id: manager.id } });
    expect(versions.body.items[0].note).toBeNull();

    const one = await t.http.get(`/api/flows/${flow.id}/versions/1`).set(viewer.auth);
    expect(one.body.graph.nodes[3].data.config.title).toBe('Call {name}');
    expect(one.body.plan).toMatchObject({ planVersion: 1, trigger: { nodeId: 'trigger', key: 'trigger.segment_entry@1' }, startNodeId: 'email' });
    expect(one.body.plan.nodes.task.config.title).toBe('Call {name}');
    const two = await t.http.get(`/api/flows/${flow.id}/versions/2`).set(viewer.auth);
    expect(two.body.plan.nodes.task.config.title).toBe('Call {name} today');
    expect((await t.http.get(`/api/flows/${flow.id}/versions/3`).set(viewer.auth)).status).toBe(404);
  });

  it('numbers concurrent publishes without gaps or duplicates', async () => {
    const flow = await newFlow('Concurrent');
    const results = await Promise.all([1, 2, 3].map((i) => t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({ note: `p${i}` })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const versions = await t.http.get(`/api/flows/${flow.id}/versions`).set(manager.auth);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
  });

  it('refuses publishing to agents and viewers, and publishes nothing', async () => {
    const flow = await newFlow('Publish roles');
    for (const u of [agent, viewer]) {
      const res = await t.http.post(`/api/flows/${flow.id}/publish`).set(u.auth).send({ note: 'x' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/may not publish/);
    }
    expect(await versionsOf(flow.id)).toBe(0);
  });
});

describe('pause, resume, archive', () => {
  it('moves through the lifecycle and refuses impossible moves', async () => {
    const flow = await newFlow('Lifecycle');
    const early = await t.http.post(`/api/flows/${flow.id}/pause`).set(manager.auth);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/Only an active flow can be paused; "Lifecycle" is draft/);
    const resumeDraft = await t.http.post(`/api/flows/${flow.id}/resume`).set(manager.auth);
    expect(resumeDraft.body.error.message).toMatch(/publish it to start it/);

    await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({ note: '' });
    expect((await t.http.post(`/api/flows/${flow.id}/pause`).set(agent.auth)).status).toBe(403);
    const paused = await t.http.post(`/api/flows/${flow.id}/pause`).set(manager.auth);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    // publishing a paused flow keeps it paused
    const v2 = await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({ note: 'while paused' });
    expect(v2.body).toMatchObject({ status: 'paused', currentVersion: 2 });
    const resumed = await t.http.post(`/api/flows/${flow.id}/resume`).set(manager.auth);
    expect(resumed.body.status).toBe('active');

    const archived = await t.http.post(`/api/flows/${flow.id}/archive`).set(admin.auth);
    expect(archived.body.status).toBe('archived');
    const edit = await t.http.put(`/api/flows/${flow.id}`).set(manager.auth).send({ name: 'Again' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.message).toMatch(/archived and read-only/);
    expect((await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({})).status).toBe(409);
    expect((await t.http.post(`/api/flows/${flow.id}/archive`).set(manager.auth)).status).toBe(409);
    expect(await versionsOf(flow.id)).toBe(2);

    // archived flows leave the default list, and can be listed on purpose
    const list = await t.http.get('/api/flows').set(manager.auth);
    expect(list.body.items.map((f: { id: string }) => f.id)).not.toContain(flow.id);
    const arch = await t.http.get('/api/flows?status=archived').set(manager.auth);
    expect(arch.body.items.map((f: { id: string }) => f.id)).toContain(flow.id);
    expect((await t.http.get('/api/flows?status=gone').set(manager.auth)).status).toBe(400);

    const actions = (await t.db.db.select().from(schema.auditLog).where(eq(schema.auditLog.entityId, flow.id))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['flow.publish', 'flow.pause', 'flow.resume', 'flow.archive']));
  });

  it('a published flow can be started by another flow; an archived one cannot', async () => {
    const target = await newFlow('Target');
    const starter = (flowId: string) => ({
      nodes: [step('trigger', 'trigger.manual@1'), step('start', 'action.start_flow@1', { flowId })],
      edges: [edge('trigger', 'next', 'start')],
    });
    const flow = await newFlow('Starter', starter(target.id));
    const draftOnly = await t.http.post(`/api/flows/${flow.id}/validate`).set(manager.auth);
    expect(draftOnly.body.problems).toEqual([expect.objectContaining({ nodeId: 'start', code: 'reference.unknown_flow' })]);
    await t.http.post(`/api/flows/${target.id}/publish`).set(manager.auth).send({});
    expect((await t.http.post(`/api/flows/${flow.id}/validate`).set(manager.auth)).body.problems).toEqual([]);
    await t.http.post(`/api/flows/${target.id}/archive`).set(manager.auth);
    expect((await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({})).status).toBe(422);
  });
});

describe('enrollment, sending rules and suppressions', () => {
  it('sets how customers enter and when messages may go out', async () => {
    const flow = await newFlow('Rules');
    const fresh = await t.http.get(`/api/flows/${flow.id}`).set(viewer.auth);
    expect(fresh.body).toMatchObject({ enrollment: { mode: 'once' }, sending: {} });
    const res = await t.http
      .put(`/api/flows/${flow.id}`)
      .set(manager.auth)
      .send({ enrollment: { mode: 'again_after_days', days: 30 }, sending: { quietHours: { start: '21:00', end: '08:00' }, frequencyCap: { maxMessages: 2, perHours: 24 } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      enrollment: { mode: 'again_after_days', days: 30 },
      sending: { quietHours: { start: '21:00', end: '08:00' }, frequencyCap: { maxMessages: 2, perHours: 24 } },
    });
    const [row] = await t.db.db.select().from(schema.flows).where(eq(schema.flows.id, flow.id));
    expect(row!.enrollment).toEqual({ mode: 'again_after_days', days: 30 });

    const bad = await t.http
      .put(`/api/flows/${flow.id}`)
      .set(manager.auth)
      .send({ enrollment: { mode: 'again_after_days', days: 0 }, sending: { quietHours: { start: '25:00', end: '08:00' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.enrollment.days', 'body.sending.quietHours.start']));
    expect((await t.http.put(`/api/flows/${flow.id}`).set(agent.auth).send({ enrollment: { mode: 'once' } })).status).toBe(403);
    expect((await t.http.get(`/api/flows/${flow.id}`).set(manager.auth)).body.enrollment.days).toBe(30);
  });

  it('keeps customers out of one flow or of every flow', async () => {
    const flow = await newFlow('Suppressed');
    const [a, b] = await t.db.db.insert(schema.customers).values([{ fullName: 'Do Not Disturb' }, { fullName: 'Competitor' }]).returning();
    const add = await t.http.post(`/api/flows/${flow.id}/suppressions`).set(manager.auth).send({ customerIds: [a!.id, b!.id], reason: 'asked us to stop' });
    expect(add.status).toBe(201);
    expect(add.body).toEqual({ added: 2, already: 0 });
    expect((await t.http.post(`/api/flows/${flow.id}/suppressions`).set(manager.auth).send({ customerIds: [a!.id] })).body).toEqual({ added: 0, already: 1 });
    const list = await t.http.get(`/api/flows/${flow.id}/suppressions`).set(agent.auth);
    expect(list.body.items.map((x: { customerName: string }) => x.customerName).sort()).toEqual(['Competitor', 'Do Not Disturb']);
    expect(list.body.items[0]).toMatchObject({ reason: 'asked us to stop', createdBy: manager.id });

    expect((await t.http.post(`/api/flows/${flow.id}/suppressions`).set(agent.auth).send({ customerIds: [a!.id] })).status).toBe(403);
    const unknown = await t.http.post(`/api/flows/${flow.id}/suppressions`).set(manager.auth).send({ customerIds: ['00000000-0000-4000-8000-00000000abcd'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/No customer has the id 00000000-0000-4000-8000-00000000abcd; nothing was suppressed/);

    expect((await t.http.delete(`/api/flows/${flow.id}/suppressions/${b!.id}`).set(manager.auth)).status).toBe(204);
    expect((await t.http.delete(`/api/flows/${flow.id}/suppressions/${b!.id}`).set(manager.auth)).status).toBe(404);
    expect((await t.http.get(`/api/flows/${flow.id}/suppressions`).set(manager.auth)).body.items).toHaveLength(1);

    const global = await t.http.post('/api/suppressions').set(admin.auth).send({ customerIds: [b!.id] });
    expect(global.body.added).toBe(1);
    expect((await t.http.get('/api/suppressions').set(viewer.auth)).body.items.map((x: { customerId: string }) => x.customerId)).toEqual([b!.id]);
    expect((await t.http.delete(`/api/suppressions/${b!.id}`).set(admin.auth)).status).toBe(204);
    expect((await t.http.get('/api/suppressions').set(viewer.auth)).body.items).toEqual([]);
  });
});

describe('test run without an engine (simulated over the database)', () => {
  it('walks the draft on a real customer: waits skipped, actions recorded and not performed', async () => {
    const flow = await newFlow('Simulated test run');
    const [customer] = await t.db.db
      .insert(schema.customers)
      .values({ fullName: '張大明', email: 'daming@example.com', ownerId: agent.id })
      .returning();
    const res = await t.http.post(`/api/flows/${flow.id}/test-run`).set(manager.auth).send({ customerId: customer!.id });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('completed');
    expect(res.body.runId).toBeNull();
    expect(res.body.path.map((p: { nodeId: string; status: string; port: string | null }) => [p.nodeId, p.status, p.port])).toEqual([
      ['trigger', 'done', 'next'],
      ['email', 'done', 'next'],
      ['wait', 'done', 'timeout'],
      ['task', 'done', 'next'],
    ]);
    expect(res.body.path[2].output).toMatchObject({ skipped: 'test run' });
    // three days passed in the simulation, not in the request
    expect(Date.parse(res.body.path[3].at) - Date.parse(res.body.path[2].at)).toBe(3 * 86_400_000);
    expect(res.body.actions).toEqual([
      expect.objectContaining({ action: 'send_message', nodeId: 'email', channel: 'email', to: 'daming@example.com', subject: 'Hi 張大明' }),
      expect.objectContaining({ action: 'create_task', nodeId: 'task', assigneeId: agent.id, title: 'Call 張大明', taskType: 'call' }),
    ]);
    const timeline = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, customer!.id));
    expect(timeline).toEqual([]);
  });

  it('hands a sample triggering event to the steps', async () => {
    const flow = await newFlow('Keyword reply', {
      nodes: [
        step('trigger', 'trigger.inbound_message@1', { channel: 'any', match: 'contains', keywords: ['price', '價格'] }),
        step('note', 'action.add_note@1', { text: 'Asked: {event.text}' }),
      ],
      edges: [edge('trigger', 'next', 'note')],
    });
    const [customer] = await t.db.db.insert(schema.customers).values({ fullName: '李小華' }).returning();
    const res = await t.http
      .post(`/api/flows/${flow.id}/test-run`)
      .set(manager.auth)
      .send({ customerId: customer!.id, event: { type: 'message.received', data: { channel: 'whatsapp', text: '價格多少?' } } });
    expect(res.status).toBe(200);
    expect(res.body.actions).toEqual([expect.objectContaining({ action: 'add_note', nodeId: 'note', text: 'Asked: 價格多少?' })]);
    const bad = await t.http.post(`/api/flows/${flow.id}/test-run`).set(manager.auth).send({ customerId: customer!.id, event: { type: 'message.sent' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body.event.type');
  });

  it('shows where and why a step would fail', async () => {
    const flow = await newFlow('Simulated failure');
    const [orphan] = await t.db.db.insert(schema.customers).values({ fullName: 'No Owner', email: 'no-owner@example.com' }).returning();
    const res = await t.http.post(`/api/flows/${flow.id}/test-run`).set(admin.auth).send({ customerId: orphan!.id });
    expect(res.body.outcome).toBe('failed');
    const last = res.body.path.at(-1);
    expect(last).toMatchObject({ nodeId: 'task', status: 'failed' });
    expect(last.error).toMatch(/has no owner/);
  });

  it('refuses invalid drafts, other roles and unknown customers', async () => {
    const [customer] = await t.db.db.insert(schema.customers).values({ fullName: 'Sample' }).returning();
    const invalid = await newFlow('Invalid test run', { nodes: [step('email', 'action.send_message@1', { channel: 'email' })], edges: [] });
    const bad = await t.http.post(`/api/flows/${invalid.id}/test-run`).set(manager.auth).send({ customerId: customer!.id });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/cannot be test-run/);
    expect(bad.body.error.details.problems.length).toBeGreaterThan(0);
    const flow = await newFlow('Test-run roles');
    for (const u of [agent, viewer]) {
      expect((await t.http.post(`/api/flows/${flow.id}/test-run`).set(u.auth).send({ customerId: customer!.id })).status).toBe(403);
    }
    const missing = await t.http.post(`/api/flows/${flow.id}/test-run`).set(manager.auth).send({ customerId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/Customer/);
    const noBody = await t.http.post(`/api/flows/${flow.id}/test-run`).set(manager.auth).send({});
    expect(noBody.status).toBe(400);
    expect(noBody.body.error.details[0].path).toBe('body.customerId');
  });
});

describe('runs without an engine', () => {
  it('cancel and retry say the engine is not running', async () => {
    const flow = await newFlow('No engine');
    await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({});
    const [customer] = await t.db.db.insert(schema.customers).values({ fullName: 'Ops' }).returning();
    const [version] = await t.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.flowId, flow.id));
    const [run] = await t.db.db
      .insert(schema.flowRuns)
      .values({ flowId: flow.id, flowVersionId: version!.id, customerId: customer!.id, workflowId: `wf-${flow.id}`, enrollmentKey: 'once', status: 'waiting' })
      .returning();
    const res = await t.http.post(`/api/runs/${run!.id}/cancel`).set(manager.auth);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('engine_unavailable');
    const after = await t.http.get(`/api/runs/${run!.id}`).set(manager.auth);
    expect(after.body.status).toBe('waiting');
  });
});

describe('report', () => {
  it('counts reach, response, conversion and each step over the runs of a period', async () => {
    const flow = await newFlow('Report');
    await t.http.post(`/api/flows/${flow.id}/publish`).set(manager.auth).send({});
    const [version] = await t.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.flowId, flow.id));
    const people = await t.db.db
      .insert(schema.customers)
      .values([{ fullName: 'R1' }, { fullName: 'R2' }, { fullName: 'R3' }, { fullName: 'R4' }])
      .returning();
    const day = (d: number) => new Date(Date.UTC(2026, 5, d, 9));
    const run = async (i: number, values: Partial<typeof schema.flowRuns.$inferInsert>) =>
      (
        await t.db.db
          .insert(schema.flowRuns)
          .values({ flowId: flow.id, flowVersionId: version!.id, customerId: people[i]!.id, workflowId: `report-${flow.id}-${i}-${values.isTest ?? false}`, enrollmentKey: 'once', ...values })
          .returning()
      )[0]!;
    // R1 replied on day 2 and converted; R2 timed out and got a task; R3 waits; R4's run is a test
    const r1 = await run(0, { status: 'completed', exitReason: 'goal', startedAt: day(1), finishedAt: day(3) });
    const r2 = await run(1, { status: 'completed', exitReason: 'end', startedAt: day(1), finishedAt: day(5) });
    const r3 = await run(2, { status: 'waiting', startedAt: day(10) });
    const r4 = await run(3, { status: 'completed', isTest: true, startedAt: day(1) });
    const steps = (runId: string, list: [string, string, string | null][]) =>
      t.db.db.insert(schema.flowRunSteps).values(list.map(([nodeId, status, port], i) => ({ runId, flowId: flow.id, nodeId, nodeKey: 'k', seq: i + 1, status: status as 'done', port })));
    await steps(r1.id, [['email', 'done', 'next'], ['wait', 'done', 'replied'], ['done', 'done', null]]);
    await steps(r2.id, [['email', 'done', 'next'], ['wait', 'done', 'timeout'], ['task', 'done', 'next']]);
    await steps(r3.id, [['email', 'skipped', 'next'], ['wait', 'waiting', null]]);
    await steps(r4.id, [['email', 'done', 'next']]);
    await t.db.db.insert(schema.interactions).values([
      { customerId: people[0]!.id, kind: 'message_in', channel: 'email', occurredAt: day(2) },
      { customerId: people[1]!.id, kind: 'message_in', channel: 'email', occurredAt: day(7) }, // after the run ended
    ]);

    const all = await t.http.get(`/api/flows/${flow.id}/report`).set(viewer.auth);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      runs: 3,
      customers: 3,
      byStatus: { running: 0, waiting: 1, completed: 2, failed: 0, cancelled: 0 },
      responded: 1,
      responseRate: 33.3,
      conversions: 1,
      conversionRate: 33.3,
    });
    expect(all.body.steps).toEqual({
      email: { reached: 3, done: 2, skipped: 1, failed: 0, replied: 0 },
      wait: { reached: 3, done: 2, skipped: 0, failed: 0, replied: 1 },
      task: { reached: 1, done: 1, skipped: 0, failed: 0, replied: 0 },
      done: { reached: 1, done: 1, skipped: 0, failed: 0, replied: 0 },
    });
    const june1to5 = await t.http.get(`/api/flows/${flow.id}/report?from=2026-06-01&to=2026-06-05`).set(manager.auth);
    expect(june1to5.body).toMatchObject({ runs: 2, byStatus: { waiting: 0 }, conversionRate: 50 });
    const empty = await t.http.get(`/api/flows/${flow.id}/report?from=2030-01-01`).set(manager.auth);
    expect(empty.body).toMatchObject({ runs: 0, responseRate: null, conversionRate: null, steps: {} });
    expect((await t.http.get(`/api/flows/${flow.id}/report?from=June`).set(manager.auth)).status).toBe(400);
  });
});

describe('OpenAPI', () => {
  it('documents the flow and run endpoints', async () => {
    const doc = (await t.http.get('/api/openapi.json')).body;
    await SwaggerParser.validate(structuredClone(doc));
    for (const p of ['/api/nodes', '/api/flows', '/api/flows/{id}', '/api/flows/{id}/publish', '/api/flows/{id}/versions/{version}', '/api/flows/{id}/node-counts', '/api/runs', '/api/runs/{id}', '/api/runs/{id}/cancel', '/api/runs/{id}/steps/{stepId}/retry', '/api/flows/{id}/test-run', '/api/notifications', '/api/flows/{id}/suppressions', '/api/suppressions', '/api/flows/{id}/report']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/api/flows/{id}/publish'].post.description).toMatch(/Roles: admin, manager/);
  });
});
