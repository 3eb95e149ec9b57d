import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { expireTags, runCustomerJobs, startCustomerJobs, tagHealth } from './index.js';

let now = new Date('2026-03-01T09:00:00Z');
let t: TestApp;
let admin: TestUser, manager: TestUser, agent: TestUser, otherAgent: TestUser, viewer: TestUser;
let customerId: string;

beforeAll(async () => {
  t = await createTestApp({ now: () => now });
  admin = await t.user('admin');
  manager = await t.user('manager');
  agent = await t.user('agent');
  otherAgent = await t.user('agent');
  viewer = await t.user('viewer');
  const [c] = await t.db.db.insert(schema.customers).values({ fullName: 'Ana López', ownerId: agent.id }).returning();
  customerId = c!.id;
});
afterAll(() => t.close());

describe('tags', () => {
  let groupId: string;

  it('groups and tags with colour, description and default lifetime (managers only)', async () => {
    const g = await t.http.post('/api/tags/groups').set(manager.auth).send({ name: 'Sales stage', dimension: 'behaviour', description: 'Where the lead is' });
    expect(g.status).toBe(201);
    groupId = g.body.id;
    const denied = await t.http.post('/api/tags').set(agent.auth).send({ name: 'new inquiry' });
    expect(denied.status).toBe(403);
    expect(await t.db.db.select().from(schema.tags)).toHaveLength(0);
    const tag = await t.http.post('/api/tags').set(manager.auth).send({ name: 'new inquiry', groupId, color: '#22c55e', description: '24h', defaultLifetimeHours: 24 });
    expect(tag.status).toBe(201);
    expect(tag.body).toMatchObject({ name: 'new inquiry', color: '#22c55e', defaultLifetimeHours: 24 });
    await t.http.post('/api/tags').set(manager.auth).send({ name: 'quote sent', groupId, defaultLifetimeHours: 168, reminderAfterHours: 144 });
    await t.http.post('/api/tags').set(manager.auth).send({ name: 'VIP' });
    const dup = await t.http.post('/api/tags').set(manager.auth).send({ name: 'vip' });
    expect(dup.status).toBe(409);
    const badColour = await t.http.post('/api/tags').set(manager.auth).send({ name: 'x', color: 'red' });
    expect(badColour.status).toBe(400);
    expect(badColour.body.error.details[0].path).toBe('body.color');
  });

  it('renames and deletes tag groups (tags stay, ungrouped)', async () => {
    const g = await t.http.post('/api/tags/groups').set(manager.auth).send({ name: 'Temp', dimension: 'attribute' });
    const tag = await t.http.post('/api/tags').set(manager.auth).send({ name: 'temp tag', groupId: g.body.id });
    expect((await t.http.patch(`/api/tags/groups/${g.body.id}`).set(manager.auth).send({ name: 'Temporary' })).body.name).toBe('Temporary');
    expect((await t.http.delete(`/api/tags/groups/${g.body.id}`).set(agent.auth)).status).toBe(403);
    expect((await t.http.delete(`/api/tags/groups/${g.body.id}`).set(manager.auth)).status).toBe(204);
    const tags = (await t.http.get('/api/tags').set(manager.auth)).body.items;
    expect(tags.find((x: { id: string }) => x.id === tag.body.id).groupId).toBeNull();
    expect((await t.http.delete(`/api/tags/${tag.body.id}`).set(manager.auth)).status).toBe(204);
  });

  it('adds tags to a customer with the default lifetime or an explicit expiry; timeline records it', async () => {
    const a = await t.http.post(`/api/customers/${customerId}/tags`).set(agent.auth).send({ tag: 'new inquiry' });
    expect(a.status).toBe(201);
    expect(a.body.expiresAt).toBe('2026-03-02T09:00:00.000Z');
    const b = await t.http.post(`/api/customers/${customerId}/tags`).set(agent.auth).send({ tag: 'quote sent', lifetimeHours: 72 });
    expect(b.body.expiresAt).toBe('2026-03-04T09:00:00.000Z');
    const c = await t.http.post(`/api/customers/${customerId}/tags`).set(agent.auth).send({ tag: 'VIP' });
    expect(c.body.expiresAt).toBeNull();
    const cust = await t.http.get(`/api/customers/${customerId}`).set(agent.auth);
    expect(cust.body.tags.map((x: { name: string }) => x.name)).toEqual(['new inquiry', 'quote sent', 'VIP']);
    expect(t.events.filter((e) => e.type === 'tag.added')).toHaveLength(3);
    const tl = await t.http.get(`/api/customers/${customerId}/timeline`).set(agent.auth);
    expect(tl.body.items.filter((i: { payload: { event?: string } }) => i.payload.event === 'tag_added')).toHaveLength(3);
  });

  it('the customers list filters by tag names (all of them); unknown tag names → 400', async () => {
    const both = await t.http.get('/api/customers?tag=vip,Quote%20Sent').set(manager.auth);
    expect(both.body.items.map((c: { id: string }) => c.id)).toEqual([customerId]);
    const none = await t.http.get('/api/customers?tag=VIP&tag=wholesale').set(manager.auth);
    expect(none.status).toBe(400);
    expect(none.body.error.details[0].path).toBe('query.tag');
  });

  it('refuses: unknown tag (400), other agent’s customer (403), viewer (403), past expiry (400) — nothing changes', async () => {
    const before = await t.db.db.select().from(schema.customerTags);
    const unknown = await t.http.post(`/api/customers/${customerId}/tags`).set(agent.auth).send({ tag: 'ghost' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_tag');
    expect((await t.http.post(`/api/customers/${customerId}/tags`).set(otherAgent.auth).send({ tag: 'VIP' })).status).toBe(403);
    expect((await t.http.post(`/api/customers/${customerId}/tags`).set(viewer.auth).send({ tag: 'VIP' })).status).toBe(403);
    expect((await t.http.delete(`/api/customers/${customerId}/tags/VIP`).set(otherAgent.auth)).status).toBe(403);
    const past = await t.http.post(`/api/customers/${customerId}/tags`).set(agent.auth).send({ tag: 'VIP', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(await t.db.db.select().from(schema.customerTags)).toEqual(before);
  });

  it('"expires within N days" lists tags about to expire', async () => {
    const one = await t.http.get('/api/tags/expiring?withinDays=1').set(agent.auth);
    expect(one.body.items.map((i: { tag: string }) => i.tag)).toEqual(['new inquiry']);
    const five = await t.http.get('/api/tags/expiring?withinDays=5').set(manager.auth);
    expect(five.body.items.map((i: { tag: string }) => i.tag)).toEqual(['new inquiry', 'quote sent']);
    const other = await t.http.get('/api/tags/expiring?withinDays=5').set(otherAgent.auth);
    expect(other.body.items).toEqual([]);
  });

  it('expireTags removes expired tags, writes the timeline, emits events; running twice is harmless', async () => {
    now = new Date('2026-03-02T10:00:00Z');
    const events: unknown[] = [];
    const r = await expireTags(t.db, now, (e) => void events.push(e));
    expect(r.removed).toEqual([expect.objectContaining({ customerId, tagName: 'new inquiry' })]);
    expect(events).toEqual([expect.objectContaining({ type: 'tag.removed', reason: 'expired', tagName: 'new inquiry' })]);
    expect((await expireTags(t.db, now)).removed).toHaveLength(0);
    const tl = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, customerId));
    expect(tl.filter((i) => (i.payload as { event?: string }).event === 'tag_expired')).toHaveLength(1);
    const left = await t.http.get(`/api/customers/${customerId}`).set(agent.auth);
    expect(left.body.tags.map((x: { name: string }) => x.name)).toEqual(['quote sent', 'VIP']);
    // the HTTP trigger for the job is admin-only
    expect((await t.http.post('/api/tags/expire').set(manager.auth)).status).toBe(403);
    now = new Date('2026-03-05T10:00:00Z');
    expect((await t.http.post('/api/tags/expire').set(admin.auth)).body).toEqual({ removed: 1 });
  });

  it('removes a tag by name', async () => {
    expect((await t.http.delete(`/api/customers/${customerId}/tags/vip`).set(agent.auth)).status).toBe(204);
    expect((await t.http.delete(`/api/customers/${customerId}/tags/vip`).set(agent.auth)).status).toBe(400);
    expect(t.events.at(-1)).toMatchObject({ type: 'tag.removed', reason: 'manual', tagName: 'VIP' });
  });

  it('tag health: share per tag, >40 % flagged, <5 % merge suggestion, response rate', async () => {
    const db = t.db.db;
    const tags = await db.select().from(schema.tags);
    const id = (n: string) => tags.find((x) => x.name === n)!.id;
    const custs = await db
      .insert(schema.customers)
      .values(Array.from({ length: 49 }, (_, i) => ({ fullName: `C${i}` })))
      .returning();
    // 50 customers: VIP on 30 (60 %), quote sent on 1 (2 %), new inquiry on 10 (20 %)
    await db.insert(schema.customerTags).values([
      ...custs.slice(0, 30).map((c) => ({ customerId: c.id, tagId: id('VIP') })),
      { customerId: custs[0]!.id, tagId: id('quote sent') },
      ...custs.slice(0, 10).map((c) => ({ customerId: c.id, tagId: id('new inquiry') })),
    ]);
    await db.insert(schema.interactions).values([
      { customerId: custs[0]!.id, kind: 'message_out', occurredAt: new Date('2026-03-01T00:00:00Z') },
      { customerId: custs[0]!.id, kind: 'message_in', occurredAt: new Date('2026-03-02T00:00:00Z') },
      { customerId: custs[1]!.id, kind: 'message_out', occurredAt: new Date('2026-03-01T00:00:00Z') },
    ]);
    const h = await tagHealth(t.db, now);
    expect(h.totalCustomers).toBe(50);
    const by = Object.fromEntries(h.items.map((i) => [i.name, i]));
    expect(by['VIP']).toMatchObject({ customers: 30, share: 0.6, flag: 'overused', responseRate: 0.5 });
    expect(by['quote sent']).toMatchObject({ customers: 1, flag: 'rare' });
    expect(by['quote sent']!.suggestion).toContain('new inquiry');
    expect(by['new inquiry']).toMatchObject({ share: 0.2, flag: null });
    expect((await t.http.get('/api/tags/health').set(agent.auth)).status).toBe(403);
    expect((await t.http.get('/api/tags/health').set(manager.auth)).body.items).toHaveLength(3);
  });

  it('"quote sent" reminds the owner on day 6 (once) and expires on day 7', async () => {
    now = new Date('2026-04-01T08:00:00Z');
    const [c] = await t.db.db.insert(schema.customers).values({ fullName: 'Quote Customer', ownerId: agent.id }).returning();
    const add = await t.http.post(`/api/customers/${c!.id}/tags`).set(agent.auth).send({ tag: 'quote sent' });
    expect(add.body.expiresAt).toBe('2026-04-08T08:00:00.000Z');
    now = new Date('2026-04-07T07:00:00Z'); // 143 h
    expect(await runCustomerJobs(t.ctx)).toEqual({ expired: 0, reminded: 0 });
    now = new Date('2026-04-07T09:00:00Z'); // 145 h
    t.events.length = 0;
    expect(await runCustomerJobs(t.ctx)).toEqual({ expired: 0, reminded: 1 });
    expect(t.events).toEqual([expect.objectContaining({ type: 'tag.reminder_due', customerId: c!.id, tagName: 'quote sent', ownerId: agent.id })]);
    expect(await runCustomerJobs(t.ctx)).toEqual({ expired: 0, reminded: 0 });
    const tasks = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, c!.id));
    const task = tasks.find((i) => i.kind === 'task');
    expect(task!.payload).toMatchObject({ event: 'tag_reminder', tag: 'quote sent', assigneeId: agent.id, status: 'open', dueAt: '2026-04-08T08:00:00.000Z' });
    now = new Date('2026-04-08T09:00:00Z');
    const jobs = startCustomerJobs(t.ctx, { everyMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    await jobs.stop();
    const left = await t.db.db.select().from(schema.customerTags).where(eq(schema.customerTags.customerId, c!.id));
    expect(left).toHaveLength(0);
  });
});
