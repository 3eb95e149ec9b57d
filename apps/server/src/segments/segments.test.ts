import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { countSegment, customerInSegment, segmentMemberIds, type SegmentCondition } from './index.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

let t: TestApp;
let admin: TestUser, agent: TestUser, viewer: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp({ now: () => NOW });
  const team = await t.team();
  admin = await t.user('admin');
  agent = await t.user('agent', { teamId: team });
  viewer = await t.user('viewer');
  const db = t.db.db;
  const [potential, vip, quote] = await db
    .insert(schema.tags)
    .values([{ name: 'potential' }, { name: 'VIP' }, { name: 'quote sent' }])
    .returning();
  await db.insert(schema.customFieldDefinitions).values([
    { key: 'discount_rate', label: 'Discount', type: 'number' },
    { key: 'channel_pref', label: 'Channel', type: 'select', options: ['email', 'whatsapp'] },
  ]);
  const rows = await db
    .insert(schema.customers)
    .values([
      // potential, followed up 40 days ago → in "potential AND no follow-up 30 days"
      { fullName: 'Old Lead', tier: 'B', lastFollowUpAt: daysAgo(40), lastInteractionAt: daysAgo(40), ownerId: agent.id, totalSpend: 0, customFields: { discount_rate: 5, channel_pref: 'email' } },
      // potential, never followed up → in
      { fullName: 'Never Called', tier: 'C', lastFollowUpAt: null, totalSpend: 200 },
      // potential, followed up 3 days ago → out
      { fullName: 'Fresh Lead', tier: 'A', lastFollowUpAt: daysAgo(3), lastInteractionAt: daysAgo(1), totalSpend: 600_000, customFields: { discount_rate: 15 } },
      // not potential, VIP
      { fullName: 'Big Client', tier: 'strategic', lastFollowUpAt: daysAgo(50), totalSpend: 1_000_000, productsOfInterest: ['ERP'] },
      // archived potential → never in a segment
      { fullName: 'Archived', tier: 'B', lastFollowUpAt: daysAgo(90), archivedAt: daysAgo(1) },
      // potential with an expired tag → out
      { fullName: 'Expired Tag', tier: 'B', lastFollowUpAt: daysAgo(90) },
    ])
    .returning();
  for (const r of rows) ids[r.fullName] = r.id;
  await db.insert(schema.customerTags).values([
    { customerId: ids['Old Lead']!, tagId: potential!.id },
    { customerId: ids['Never Called']!, tagId: potential!.id },
    { customerId: ids['Fresh Lead']!, tagId: potential!.id },
    { customerId: ids['Archived']!, tagId: potential!.id },
    { customerId: ids['Expired Tag']!, tagId: potential!.id, expiresAt: daysAgo(1) },
    { customerId: ids['Big Client']!, tagId: vip!.id },
    { customerId: ids['Old Lead']!, tagId: quote!.id },
  ]);
  await db.insert(schema.interactions).values([
    { customerId: ids['Old Lead']!, kind: 'message_out', occurredAt: daysAgo(10) },
    { customerId: ids['Fresh Lead']!, kind: 'message_in', channel: 'whatsapp', occurredAt: daysAgo(2) },
    { customerId: ids['Fresh Lead']!, kind: 'order', payload: { amount: 300 }, occurredAt: daysAgo(5) },
    { customerId: ids['Big Client']!, kind: 'order', payload: { amount: 900 }, occurredAt: daysAgo(100) },
  ]);
});
afterAll(() => t.close());

const POTENTIAL_NO_FOLLOW_UP: SegmentCondition = {
  type: 'and',
  conditions: [
    { type: 'has_tag', tag: 'potential' },
    { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 },
  ],
};

async function members(tree: SegmentCondition) {
  const found = await segmentMemberIds(t.db, tree, { now: NOW });
  return Object.entries(ids)
    .filter(([, id]) => found.includes(id))
    .map(([name]) => name)
    .sort();
}

describe('segment compiler', () => {
  it('tag = potential AND no follow-up for 30 days (never followed up counts; expired tags and archived do not)', async () => {
    expect(await members(POTENTIAL_NO_FOLLOW_UP)).toEqual(['Never Called', 'Old Lead']);
  });

  it('OR, NOT, lacks_tag', async () => {
    expect(await members({ type: 'or', conditions: [{ type: 'has_tag', tag: 'VIP' }, { type: 'field', field: 'tier', op: 'eq', value: 'A' }] })).toEqual(['Big Client', 'Fresh Lead']);
    expect(await members({ type: 'not', condition: { type: 'has_tag', tag: 'potential' } })).toEqual(['Big Client', 'Expired Tag']);
    expect(await members({ type: 'lacks_tag', tag: 'Potential' })).toEqual(['Big Client', 'Expired Tag']);
  });

  it('field comparisons: in, numbers, contains, is_empty, arrays, custom fields', async () => {
    expect(await members({ type: 'field', field: 'tier', op: 'in', value: ['A', 'C'] })).toEqual(['Fresh Lead', 'Never Called']);
    expect(await members({ type: 'field', field: 'totalSpend', op: 'gt', value: 500_000 })).toEqual(['Big Client', 'Fresh Lead']);
    expect(await members({ type: 'field', field: 'fullName', op: 'contains', value: 'lead' })).toEqual(['Fresh Lead', 'Old Lead']);
    expect(await members({ type: 'field', field: 'lastFollowUpAt', op: 'is_empty' })).toEqual(['Never Called']);
    expect(await members({ type: 'field', field: 'productsOfInterest', op: 'contains', value: 'ERP' })).toEqual(['Big Client']);
    expect(await members({ type: 'field', field: 'customFields.discount_rate', op: 'gte', value: 10 })).toEqual(['Fresh Lead']);
    expect(await members({ type: 'field', field: 'customFields.channel_pref', op: 'eq', value: 'email' })).toEqual(['Old Lead']);
    expect(await members({ type: 'field', field: 'tier', op: 'neq', value: 'B' })).toEqual(['Big Client', 'Fresh Lead', 'Never Called']);
  });

  it('days since last interaction, spend in a window, message activity ("quote sent AND no reply for 7 days")', async () => {
    expect(await members({ type: 'days_since', field: 'lastInteractionAt', op: 'lt', days: 7 })).toEqual(['Fresh Lead']);
    expect(await members({ type: 'spend', op: 'gte', amount: 100, withinDays: 30 })).toEqual(['Fresh Lead']);
    expect(await members({ type: 'spend', op: 'gte', amount: 100 })).toEqual(['Big Client', 'Fresh Lead', 'Never Called']);
    expect(
      await members({
        type: 'and',
        conditions: [
          { type: 'has_tag', tag: 'quote sent' },
          { type: 'activity', present: false, kinds: ['message_in'], withinDays: 7 },
        ],
      }),
    ).toEqual(['Old Lead']);
    expect(await members({ type: 'activity', present: true, kinds: ['message_in'], channel: 'whatsapp', withinDays: 7 })).toEqual(['Fresh Lead']);
  });

  it('customerInSegment and countSegment for the flow engine', async () => {
    expect(await customerInSegment(t.db, POTENTIAL_NO_FOLLOW_UP, ids['Old Lead']!, NOW)).toBe(true);
    expect(await customerInSegment(t.db, POTENTIAL_NO_FOLLOW_UP, ids['Fresh Lead']!, NOW)).toBe(false);
    expect(await countSegment(t.db, POTENTIAL_NO_FOLLOW_UP, { now: NOW })).toBe(2);
    const first = await segmentMemberIds(t.db, POTENTIAL_NO_FOLLOW_UP, { now: NOW, limit: 1 });
    const rest = await segmentMemberIds(t.db, POTENTIAL_NO_FOLLOW_UP, { now: NOW, after: first[0] });
    expect([...first, ...rest].sort()).toEqual([ids['Old Lead'], ids['Never Called']].sort());
  });
});

describe('segments API', () => {
  it('live count, scoped to what the caller may see', async () => {
    const res = await t.http.post('/api/segments/count').set(admin.auth).send({ definition: POTENTIAL_NO_FOLLOW_UP });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
    const mine = await t.http.post('/api/segments/count').set(agent.auth).send({ definition: POTENTIAL_NO_FOLLOW_UP });
    expect(mine.body.count).toBe(1); // only Old Lead is the agent's
  });

  it('unknown field → 400 naming the field and its path', async () => {
    const res = await t.http
      .post('/api/segments/count')
      .set(admin.auth)
      .send({ definition: { type: 'and', conditions: [{ type: 'has_tag', tag: 'potential' }, { type: 'field', field: 'shoeSize', op: 'eq', value: 42 }] } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_segment');
    expect(res.body.error.message).toContain('shoeSize');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.definition.conditions.1.field' }));
  });

  it('unknown tag, wrong operator, wrong value type, malformed tree → 400 with paths', async () => {
    const send = (definition: unknown) => t.http.post('/api/segments/count').set(admin.auth).send({ definition });
    const tag = await send({ type: 'has_tag', tag: 'nope' });
    expect(tag.status).toBe(400);
    expect(tag.body.error.details[0]).toMatchObject({ path: 'body.definition.tag', code: 'unknown_tag', value: 'nope', message: 'there is no tag "nope"; choose an existing tag' });
    const op = await send({ type: 'field', field: 'optOutEmail', op: 'contains', value: 'x' });
    expect(op.body.error.details[0].path).toBe('body.definition.op');
    const val = await send({ type: 'field', field: 'tier', op: 'eq', value: 'Z' });
    expect(val.body.error.details[0].path).toBe('body.definition.value');
    const cf = await send({ type: 'field', field: 'customFields.nope', op: 'eq', value: 1 });
    expect(cf.body.error.details[0].path).toBe('body.definition.field');
    const malformed = await send({ type: 'and', conditions: [] });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].path).toBe('body.definition.conditions');
    const kind = await send({ type: 'xor' });
    expect(kind.status).toBe(400);
  });

  it('users who see contacts masked may only test whether a contact field is empty', async () => {
    const probe = { type: 'field', field: 'phone', op: 'starts_with', value: '+886' };
    const denied = await t.http.post('/api/segments/count').set(viewer.auth).send({ definition: probe });
    expect(denied.status).toBe(400);
    expect(denied.body.error.details[0]).toMatchObject({ path: 'body.definition.op' });
    const empty = await t.http.post('/api/segments/count').set(viewer.auth).send({ definition: { type: 'field', field: 'phone', op: 'is_empty' } });
    expect(empty.status).toBe(200);
    expect((await t.http.post('/api/segments/count').set(admin.auth).send({ definition: probe })).status).toBe(200);
  });

  it('saves segments (managers); agents get 403 and nothing is saved; customers list filters by segment', async () => {
    const denied = await t.http.post('/api/segments').set(agent.auth).send({ name: 'x', definition: POTENTIAL_NO_FOLLOW_UP });
    expect(denied.status).toBe(403);
    expect((await t.db.db.select({ n: count() }).from(schema.segments))[0]!.n).toBe(0);
    const bad = await t.http.post('/api/segments').set(admin.auth).send({ name: 'bad', definition: { type: 'field', field: 'nope', op: 'eq', value: 1 } });
    expect(bad.status).toBe(400);
    expect((await t.db.db.select({ n: count() }).from(schema.segments))[0]!.n).toBe(0);

    const saved = await t.http.post('/api/segments').set(admin.auth).send({ name: 'Cold potentials', definition: POTENTIAL_NO_FOLLOW_UP });
    expect(saved.status).toBe(201);
    const id = saved.body.id;
    expect((await t.http.get(`/api/segments/${id}/count`).set(viewer.auth)).body.count).toBe(2);
    expect(await customerInSegment(t.db, id, ids['Never Called']!, NOW)).toBe(true);
    const list = await t.http.get(`/api/customers?segmentId=${id}&sort=name`).set(admin.auth);
    expect(list.body.items.map((c: { fullName: string }) => c.fullName)).toEqual(['Never Called', 'Old Lead']);
    expect((await t.http.get('/api/segments').set(viewer.auth)).body.items).toHaveLength(1);
    const upd = await t.http.put(`/api/segments/${id}`).set(admin.auth).send({ name: 'VIPs', definition: { type: 'has_tag', tag: 'VIP' } });
    expect(upd.status).toBe(200);
    expect((await t.http.get(`/api/segments/${id}/count`).set(admin.auth)).body.count).toBe(1);
    expect((await t.http.delete(`/api/segments/${id}`).set(admin.auth)).status).toBe(204);
    expect((await t.http.get(`/api/segments/${id}`).set(admin.auth)).status).toBe(404);
  });

  it('in_segment expands a saved segment; unknown ids and cycles → 400; membership per customer', async () => {
    const base = await t.http.post('/api/segments').set(admin.auth).send({ name: 'Potentials', definition: { type: 'has_tag', tag: 'potential' } });
    expect(base.status).toBe(201);
    const composed = { type: 'and', conditions: [{ type: 'in_segment', segmentId: base.body.id }, { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 }] };
    expect((await t.http.post('/api/segments/count').set(admin.auth).send({ definition: composed })).body.count).toBe(2);
    const outer = await t.http.post('/api/segments').set(admin.auth).send({ name: 'Cold', definition: composed });
    expect(outer.status).toBe(201);
    expect(await customerInSegment(t.db, outer.body.id, ids['Old Lead']!, NOW)).toBe(true);

    const unknown = await t.http.post('/api/segments/count').set(admin.auth).send({ definition: { type: 'in_segment', segmentId: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body.definition.segmentId');
    // make "Potentials" refer to "Cold", which refers back to "Potentials"
    const cycle = await t.http.put(`/api/segments/${base.body.id}`).set(admin.auth).send({ name: 'Potentials', definition: { type: 'in_segment', segmentId: outer.body.id } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.message).toContain('refers to itself');
    expect((await t.http.get(`/api/segments/${base.body.id}`).set(admin.auth)).body.definition).toEqual({ type: 'has_tag', tag: 'potential' });

    const m = await t.http.get(`/api/segments/membership/${ids['Old Lead']}`).set(admin.auth);
    expect(m.body.items.map((x: { name: string }) => x.name)).toEqual(['Cold', 'Potentials']);
    const fresh = await t.http.get(`/api/segments/membership/${ids['Big Client']}`).set(admin.auth);
    expect(fresh.body.items).toEqual([]);
    for (const id of [outer.body.id, base.body.id]) await t.http.delete(`/api/segments/${id}`).set(admin.auth);
  });

  it('describes the fields a segment can test (custom fields included; contacts empty-only when masked)', async () => {
    const res = await t.http.get('/api/segments/fields').set(admin.auth);
    expect(res.status).toBe(200);
    const by = Object.fromEntries(res.body.fields.map((f: { field: string }) => [f.field, f]));
    expect(by.tier).toMatchObject({ type: 'enum', values: ['A', 'B', 'C', 'strategic'] });
    expect(by['customFields.channel_pref']).toMatchObject({ type: 'enum', values: ['email', 'whatsapp'] });
    expect(by['customFields.discount_rate'].ops).toContain('gte');
    expect(by.phone.ops).toContain('starts_with');
    const masked = await t.http.get('/api/segments/fields').set(viewer.auth);
    expect(masked.body.fields.find((f: { field: string }) => f.field === 'phone').ops).toEqual(['is_empty', 'is_not_empty']);
  });

  it('documents the condition tree in OpenAPI', async () => {
    const doc = (await t.http.get('/api/openapi.json')).body;
    expect(doc.components.schemas.SegmentCondition.oneOf.length).toBeGreaterThanOrEqual(9);
    expect(JSON.stringify(doc.components.schemas.SegmentCondition)).toContain('#/components/schemas/SegmentCondition');
  });
});
