/**
 * The inbox API over the demo data: who sees what (agents: theirs and the unassigned; masked
 * contacts without contact.unmask), filters and cursor paging, notes with @mentions, snooze,
 * validation errors, the rule tester and rule validation, the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp } from '../http/testing.js';
import { seedDemoData } from '../demo/seed.js';
import { seedInboxDemo } from './demo.js';

let t: TestApp;
const NOW = new Date('2026-12-01T02:00:00Z'); // Tue 10:00 Taipei
beforeAll(async () => {
  t = await createTestApp({ now: () => NOW });
  await seedDemoData(t.db, { customers: 500, now: NOW });
  const seeded = await seedInboxDemo(t.db, { conversations: 300, now: NOW });
  expect(seeded).toMatchObject({ skipped: false, conversations: 300, rules: 7 });
});
afterAll(async () => { await t?.close(); });

const agentAuth = async (email: string) => {
  const [u] = await t.db.db.select().from(schema.users).where(eq(schema.users.email, email));
  const { createSession } = await import('../auth/service.js');
  const s = await createSession(t.db, u!.id, NOW);
  return { user: u!, auth: { Authorization: `Bearer ${s.token}` } };
};

describe('demo inbox', () => {
  it('is idempotent and has hours, profiles, rules, conversations with messages', async () => {
    expect((await seedInboxDemo(t.db, { now: NOW })).skipped).toBe(true);
    const [m] = await t.db.db.select({ n: count() }).from(schema.conversationMessages);
    expect(m!.n).toBeGreaterThan(300);
    const [taipei] = await t.db.db.select().from(schema.teamInboxSettings).innerJoin(schema.teams, eq(schema.teams.id, schema.teamInboxSettings.teamId)).where(eq(schema.teams.name, 'Taipei'));
    expect(taipei!.team_inbox_settings).toMatchObject({ timezone: 'Asia/Taipei', isDefault: true });
    expect(taipei!.team_inbox_settings.periods).toContainEqual({ weekday: 1, start: '13:30', end: '18:00' });
  });
});

describe('who sees what', () => {
  it('an agent lists only their own and unassigned conversations, contacts masked', async () => {
    const { user, auth } = await agentAuth('yating.lin@nudge.local');
    const res = await t.http.get('/api/conversations').set(auth).query({ limit: 200 });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((c: { assigneeId: string | null }) => c.assigneeId === null || c.assigneeId === user.id)).toBe(true);
    const withPhone = res.body.items.find((c: { customer: { phone: string | null } }) => c.customer.phone);
    expect(withPhone.customer.phone).toMatch(/\*\*\*/);
    const mine = await t.http.get('/api/conversations').set(auth).query({ view: 'mine', limit: 200 });
    expect(mine.body.items.every((c: { assigneeId: string }) => c.assigneeId === user.id)).toBe(true);
    // someone else's conversation: 404, not a leak
    const [other] = await t.db.db.select().from(schema.conversations).where(eq(schema.conversations.status, 'open'));
    const foreign = (await t.db.db.select().from(schema.conversations)).find((c) => c.assigneeId && c.assigneeId !== user.id)!;
    expect((await t.http.get(`/api/conversations/${foreign.id}`).set(auth)).status).toBe(404);
    expect(other).toBeDefined();
  });

  it('a manager sees all, unmasked; a viewer sees all, masked, and may not reply', async () => {
    const manager = await t.user('manager');
    const viewer = await t.user('viewer');
    const all = await t.http.get('/api/conversations').set(manager.auth).query({ limit: 200 });
    expect(all.body.items.some((c: { customer: { phone: string | null } }) => c.customer.phone && /^\+\d+$/.test(c.customer.phone))).toBe(true);
    const v = await t.http.get('/api/conversations').set(viewer.auth).query({ limit: 200 });
    expect(v.body.items.filter((c: { customer: { phone: string | null } }) => c.customer.phone).every((c: { customer: { phone: string } }) => c.customer.phone.includes('***'))).toBe(true);
    const id = v.body.items[0].id;
    const detail = await t.http.get(`/api/conversations/${id}`).set(viewer.auth);
    expect(detail.status).toBe(200);
    expect(detail.body.messages.length).toBeGreaterThan(0);
    expect((await t.http.post(`/api/conversations/${id}/notes`).set(viewer.auth).send({ text: 'x' })).status).toBe(403);
  });
});

describe('list, filters and paging', () => {
  it('pages through everything once with the cursor; filters by status and priority', async () => {
    const admin = await t.user('admin');
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: string; lastMessageAt: string }[]; nextCursor: string | null } } = await t.http.get('/api/conversations').set(admin.auth).query({ limit: 70, ...(cursor ? { cursor } : {}) });
      for (const c of res.body.items) {
        expect(seen.has(c.id)).toBe(false);
        seen.add(c.id);
      }
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen.size).toBe(300);
    const p1open = await t.http.get('/api/conversations').set(admin.auth).query({ status: 'open,pending', priority: 'P1', limit: 200 });
    expect(p1open.body.items.every((c: { status: string; priority: string }) => ['open', 'pending'].includes(c.status) && c.priority === 'P1')).toBe(true);
    const bad = await t.http.get('/api/conversations').set(admin.auth).query({ status: 'closed' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status/);
    const badCursor = await t.http.get('/api/conversations').set(admin.auth).query({ cursor: 'nope' });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toMatch(/cursor/);
  });
});

describe('notes, mentions, snooze', () => {
  it('a note with an @mention notifies the mentioned user; snooze needs a future time', async () => {
    const admin = await t.user('admin');
    const { user: yating } = await agentAuth('yating.lin@nudge.local');
    const { auth: yAuth } = await agentAuth('yating.lin@nudge.local');
    const [c] = await t.db.db.select().from(schema.conversations).limit(1);
    const note = await t.http.post(`/api/conversations/${c!.id}/notes`).set(admin.auth).send({ text: '@林雅婷 please call back', mentions: [yating.id] });
    expect(note.status).toBe(201);
    const notes = await t.http.get('/api/inbox/notifications').set(yAuth);
    expect(notes.body.some((n: { kind: string; body: string }) => n.kind === 'mention' && n.body.includes('please call back'))).toBe(true);
    // read: by id for the owner only, then all; a body that names neither is a 400
    const mention = notes.body.find((n: { kind: string; readAt: string | null }) => n.kind === 'mention' && !n.readAt);
    expect((await t.http.post('/api/inbox/notifications/read').set(admin.auth).send({ ids: [mention.id] })).body.updated).toBe(0);
    expect((await t.http.post('/api/inbox/notifications/read').set(yAuth).send({})).status).toBe(400);
    expect((await t.http.post('/api/inbox/notifications/read').set(yAuth).send({ ids: [mention.id] })).body.updated).toBe(1);
    const after = await t.http.get('/api/inbox/notifications').set(yAuth);
    expect(after.body.find((n: { id: string }) => n.id === mention.id).readAt).toEqual(expect.any(String));
    await t.http.post('/api/inbox/notifications/read').set(yAuth).send({ all: true });
    expect((await t.http.get('/api/inbox/notifications').set(yAuth)).body.every((n: { readAt: string | null }) => n.readAt)).toBe(true);
    const past = await t.http.post(`/api/conversations/${c!.id}/snooze`).set(admin.auth).send({ until: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    const ok = await t.http.post(`/api/conversations/${c!.id}/snooze`).set(admin.auth).send({ until: '2026-12-02T00:00:00Z' });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('snoozed');
    const empty = await t.http.post(`/api/conversations/${c!.id}/reply`).set(admin.auth).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/text or template/);
  });
});

describe('rule tester and rules', () => {
  it('answers "what would answer this message?"', async () => {
    const admin = await t.user('admin');
    const price = await t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: '請問價格？' });
    expect(price.status).toBe(200);
    expect(price.body).toMatchObject({ language: 'zh-Hant', inHours: true, keyword: { name: 'Price', pattern: '价格' }, goesToPerson: false });
    expect(price.body.keyword.reply).toMatch(/我們的產品價格/);
    const night = await t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: 'envío', at: '2026-12-01T20:00:00+08:00' });
    expect(night.body).toMatchObject({ language: 'es', inHours: false, keyword: { name: 'Shipping' } });
    expect(night.body.away.reply).toMatch(/cerrados/);
    const human = await t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: 'I want a HUMAN AGENT' });
    expect(human.body).toMatchObject({ handoff: { name: 'Hand-off to a person' }, keyword: null, goesToPerson: true });
  });

  it('refuses a broken regular expression with the pattern\'s place; a new rule is used at once', async () => {
    const admin = await t.user('admin');
    const bad = await t.http.post('/api/auto-replies').set(admin.auth).send({ name: 'broken', match: 'regex', patterns: ['ok', '(unclosed'], replies: { en: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body\.patterns\.1/);
    const made = await t.http.post('/api/auto-replies').set(admin.auth).send({ name: 'Discount', position: 5, match: 'regex', patterns: ['desc(uento)?|discount|折扣'], replies: { en: 'Use code NUDGE10.', es: 'Use el código NUDGE10.' } });
    expect(made.status).toBe(201);
    const test = await t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: '¿Hay descuento?' });
    expect(test.body.keyword).toMatchObject({ name: 'Discount', reply: 'Use el código NUDGE10.' });
    const agent = await t.user('agent');
    expect((await t.http.post('/api/auto-replies').set(agent.auth).send({ name: 'x' })).status).toBe(403);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await t.http.get('/api/openapi.json');
    for (const p of ['/api/conversations', '/api/conversations/{id}/reply', '/api/auto-replies/test', '/api/inbox/notifications']) expect(doc.body.paths[p]).toBeDefined();
  });
});
