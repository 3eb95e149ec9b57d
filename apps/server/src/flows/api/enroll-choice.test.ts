// Publishing / resuming a flow whose trigger is "enters a segment" asks whom to enroll: the
// customers matching now ("existing") or only those who enter from now on ("new"). The API
// refuses a publish / resume without the choice while customers match, and the segment sweep
// honours it. Real runtime (temporal-lite); PGlite, or Postgres when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { and, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { createApp } from '../../app.js';
import { createSession } from '../../auth/service.js';
import { sweepFlow } from '../runtime/triggers.js';
import { createPotentialSegment, createRuntimeWorld, createTag, createUser, seedCustomers, type RuntimeWorld } from '../runtime/test-support.js';

let world: RuntimeWorld;
let http: ReturnType<typeof request>;
let auth: { Authorization: string };
let segmentId: string;
let tagId: string;
let ownerId: string;

const graph = () => ({
  nodes: [
    step('trigger', 'trigger.segment_entry@1', { segmentId }),
    step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: 2, unit: 'hours' } }),
  ],
  edges: [edge('trigger', 'next', 'task')],
});

async function newFlow(name: string): Promise<string> {
  const res = await http.post('/api/flows').set(auth).send({ name, graph: graph() });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const enrolledIds = async (flowId: string) =>
  (await world.db.db.select({ id: schema.flowRuns.customerId }).from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId))).map((r) => r.id).sort();
const matching = (n: number) => seedCustomers(world.ctx, { count: n, ownerId, tagId });
const untag = (customerId: string) =>
  world.db.db.delete(schema.customerTags).where(and(eq(schema.customerTags.customerId, customerId), eq(schema.customerTags.tagId, tagId)));
const tag = (customerId: string) => world.db.db.insert(schema.customerTags).values({ customerId, tagId, source: 'manual' });

beforeAll(async () => {
  world = await createRuntimeWorld();
  http = request(createApp(world.ctx));
  const [u] = await world.db.db
    .insert(schema.users)
    .values({ email: `m-${randomBytes(4).toString('hex')}@test.local`, name: 'Mia Manager', passwordHash: 'scrypt$unusable', role: 'manager' })
    .returning();
  auth = { Authorization: `Bearer ${(await createSession(world.db, u!.id, new Date())).token}` };
  ownerId = await createUser(world.ctx);
  tagId = await createTag(world.ctx, 'potential');
  segmentId = await createPotentialSegment(world.ctx);
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('publish: whom to enroll', () => {
  let before: string[];
  beforeAll(async () => {
    before = await matching(3);
  });

  it('says how many customers match now, and refuses a publish without the choice (nothing published)', async () => {
    const flowId = await newFlow('Ask first');
    const preview = await http.get(`/api/flows/${flowId}/enroll-preview`).set(auth);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ asks: true, segmentId, matchingNow: 3, trigger: 'trigger.segment_entry@1' });

    const refused = await http.post(`/api/flows/${flowId}/publish`).set(auth).send({ note: 'v1' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'enroll_choice_required', details: { matchingNow: 3 } });
    expect(refused.body.error.message).toMatch(/3 customers match .*"existing".*"new"/);
    const bad = await http.post(`/api/flows/${flowId}/publish`).set(auth).send({ enroll: 'everyone' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toMatch(/body\.enroll/);
    expect((await http.get(`/api/flows/${flowId}`).set(auth)).body).toMatchObject({ status: 'draft', currentVersion: null, enrolls: null });
  });

  it('"new" enrolls nobody who matches at publish time, and enrolls a customer who enters afterwards', async () => {
    const flowId = await newFlow('Only new');
    const published = await http.post(`/api/flows/${flowId}/publish`).set(auth).send({ enroll: 'new' });
    expect(published.status).toBe(201);
    expect(published.body.enrolls).toMatchObject({ mode: 'new' });
    expect(typeof published.body.enrolls.since).toBe('string');
    const [version] = await world.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.flowId, flowId));
    expect(version!.enrollExisting).toBe(false);

    expect((await sweepFlow(world.ctx, flowId)).started).toBe(0);
    expect(await enrolledIds(flowId)).toEqual([]);

    const [late] = await matching(1);
    expect((await sweepFlow(world.ctx, flowId)).started).toBe(1);
    expect(await enrolledIds(flowId)).toEqual([late]);

    // one who was there at publish leaves the segment and comes back: that is entering
    await untag(before[0]!);
    await sweepFlow(world.ctx, flowId);
    expect(await enrolledIds(flowId)).toEqual([late]);
    await tag(before[0]!);
    await sweepFlow(world.ctx, flowId);
    expect(await enrolledIds(flowId)).toEqual([late, before[0]].sort());
  });

  it('"existing" enrolls the customers matching now', async () => {
    const flowId = await newFlow('Everyone in it');
    const matchesNow = (await http.get(`/api/flows/${flowId}/enroll-preview`).set(auth)).body.matchingNow as number;
    const published = await http.post(`/api/flows/${flowId}/publish`).set(auth).send({ enroll: 'existing' });
    expect(published.status).toBe(201);
    expect(published.body.enrolls).toEqual({ mode: 'existing', since: null });
    const res = await sweepFlow(world.ctx, flowId);
    expect(res.started).toBe(matchesNow);
    expect((await enrolledIds(flowId)).length).toBe(matchesNow);
    expect(await enrolledIds(flowId)).toEqual(expect.arrayContaining(before));
  });
});

describe('resume: whom to enroll', () => {
  it('asks again when a paused flow is resumed; "new" skips those who entered while it was paused', async () => {
    const flowId = await newFlow('Paused one');
    expect((await http.post(`/api/flows/${flowId}/publish`).set(auth).send({ enroll: 'new' })).status).toBe(201);
    expect((await http.post(`/api/flows/${flowId}/pause`).set(auth).send({})).status).toBe(200);
    const [whilePaused] = await matching(1);
    const preview = await http.get(`/api/flows/${flowId}/enroll-preview?action=resume`).set(auth);
    expect(preview.body).toMatchObject({ asks: true });
    const refused = await http.post(`/api/flows/${flowId}/resume`).set(auth).send({});
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('enroll_choice_required');
    expect((await http.get(`/api/flows/${flowId}`).set(auth)).body.status).toBe('paused');

    const resumed = await http.post(`/api/flows/${flowId}/resume`).set(auth).send({ enroll: 'new' });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ status: 'active', enrolls: { mode: 'new' } });
    await sweepFlow(world.ctx, flowId);
    expect(await enrolledIds(flowId)).not.toContain(whilePaused);
    const [after] = await matching(1);
    await sweepFlow(world.ctx, flowId);
    expect(await enrolledIds(flowId)).toEqual([after]);
  });

  it('"existing" on resume enrolls everyone matching then', async () => {
    const flowId = await newFlow('Paused, then everyone');
    expect((await http.post(`/api/flows/${flowId}/publish`).set(auth).send({ enroll: 'new' })).status).toBe(201);
    expect((await http.post(`/api/flows/${flowId}/pause`).set(auth).send({})).status).toBe(200);
    const matchesNow = (await http.get(`/api/flows/${flowId}/enroll-preview?action=resume`).set(auth)).body.matchingNow as number;
    const resumed = await http.post(`/api/flows/${flowId}/resume`).set(auth).send({ enroll: 'existing' });
    expect(resumed.body.enrolls).toEqual({ mode: 'existing', since: null });
    expect((await sweepFlow(world.ctx, flowId)).started).toBe(matchesNow);
  });

  it('a flow with nothing matching publishes without being asked (as before)', async () => {
    await createTag(world.ctx, 'rare');
    const [seg] = await world.db.db
      .insert(schema.segments)
      .values({ name: 'Nobody yet', definition: { type: 'and', conditions: [{ type: 'has_tag', tag: 'rare' }] } })
      .returning({ id: schema.segments.id });
    const other = seg!.id;
    const res = await http
      .post('/api/flows')
      .set(auth)
      .send({ name: 'Empty segment', graph: { ...graph(), nodes: [step('trigger', 'trigger.segment_entry@1', { segmentId: other }), graph().nodes[1]] } });
    expect((await http.get(`/api/flows/${res.body.id}/enroll-preview`).set(auth)).body.matchingNow).toBe(0);
    const published = await http.post(`/api/flows/${res.body.id}/publish`).set(auth).send({});
    expect(published.status).toBe(201);
  });
});
