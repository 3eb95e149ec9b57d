/**
 * Hand-off, the 10-minute follow-up, high-value words, assignment (round-robin, cap, skills,
 * language, backlog), SLA breach alerts and the 24-hour window — through the signed webhook, the
 * WhatsApp stand-in and the inbox API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, or } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { sweepInbox } from './jobs.js';
import { addAgent, createInboxWorld, eventually, IN_HOURS, messageWebhook, sentTo, sleep, type InboxWorld } from './test-support.js';
import { forgetInboxSettings } from './settings.js';

let n = 0;
const phone = () => `88691300${String(++n).padStart(4, '0')}`;

async function conversationOf(w: InboxWorld, waId: string) {
  const [c] = await w.t.db.db.select({ conv: schema.conversations }).from(schema.conversations)
    .innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId))
    .where(or(eq(schema.customers.whatsappId, waId), eq(schema.customers.phone, `+${waId}`)));
  return c?.conv;
}

/** Sends and waits until the stand-in has `count` messages for the number. */
async function say(w: InboxWorld, from: string, text: string, count?: number) {
  const res = await w.post(messageWebhook(from, text));
  expect(res.status).toBe(200);
  if (count !== undefined) await eventually(async () => sentTo(w.wa, from).length >= count, `${count} message(s) to ${from}`);
  return res.body.results[0];
}

describe('hand-off to a person', () => {
  let w: InboxWorld;
  beforeAll(async () => { w = await createInboxWorld(); await addAgent(w, { maxOpen: 50 }); });
  afterAll(async () => { await w?.close(); });

  it.each([
    ['我要人工客服', /专人将尽快/],
    ['請給我真人', /專人將盡快/],
    ['Quiero un agente humano', /una persona de nuestro equipo/],
    ['human agent please', /a colleague will answer/],
  ])('"%s" → the customer is told in their language, the conversation is assigned', async (text, notice) => {
    const from = phone();
    const r = await say(w, from, text, 2); // welcome + hand-off notice
    expect(sentTo(w.wa, from)[1]).toMatch(notice);
    expect(r.conversation).toMatchObject({ handoff: true });
    const c = (await conversationOf(w, from))!;
    expect(c.needsHuman).toBe(true);
    expect(c.assigneeId).not.toBeNull();
  });

  it('the same question 3 times in a row hands off (answered twice, then a person)', async () => {
    const from = phone();
    await say(w, from, 'price?', 2);
    await say(w, from, 'Price?', 3);
    const third = await say(w, from, 'PRICE ?', 4);
    expect(third.conversation.handoff).toBe(true);
    expect(sentTo(w.wa, from)[3]).toMatch(/a colleague will answer/);
  });

  it('an auto-reply unread after 10 minutes gets one follow-up; "1" then hands off', async () => {
    w.clock.now = IN_HOURS;
    const from = phone();
    await say(w, from, 'hello', 1);
    await say(w, from, 'shipping', 2);
    w.clock.now = new Date(IN_HOURS.getTime() + 9 * 60_000);
    await w.outbox.drain();
    expect(sentTo(w.wa, from)).toHaveLength(2); // not yet
    w.clock.now = new Date(IN_HOURS.getTime() + 11 * 60_000);
    await w.outbox.drain();
    await eventually(async () => sentTo(w.wa, from).length >= 3, 'the follow-up');
    expect(sentTo(w.wa, from)[2]).toMatch(/Reply 1 to talk to a person/);
    w.clock.now = new Date(IN_HOURS.getTime() + 30 * 60_000);
    await w.outbox.drain();
    expect(sentTo(w.wa, from)).toHaveLength(3); // one follow-up only
    const r = await say(w, from, '1', 4);
    expect(r.conversation.handoff).toBe(true);
    w.clock.now = IN_HOURS;
  });

  it('no follow-up when an agent answered within the 10 minutes, nor when the reply was read', async () => {
    w.clock.now = IN_HOURS;
    const agent = await w.t.user('admin');
    const from = phone();
    await say(w, from, 'hi', 1);
    await say(w, from, 'appointment', 2);
    const c = (await conversationOf(w, from))!;
    w.clock.now = new Date(IN_HOURS.getTime() + 3 * 60_000);
    const reply = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(agent.auth).send({ text: 'Tomorrow 3 pm works.' });
    expect(reply.status).toBe(202);
    await eventually(async () => sentTo(w.wa, from).length >= 3, 'the agent reply');
    w.clock.now = new Date(IN_HOURS.getTime() + 20 * 60_000);
    await w.outbox.drain();
    await sleep(200);
    expect(sentTo(w.wa, from)).toEqual([expect.any(String), expect.stringMatching(/date and time/), 'Tomorrow 3 pm works.']);

    // read: the customer saw the reply, no nudge
    w.clock.now = IN_HOURS;
    const other = phone();
    await say(w, other, 'hi', 1);
    await say(w, other, 'shipping', 2);
    const msg = w.wa.messages.filter((m) => m.request.to === other)[1]!;
    await w.wa.sendStatus(msg.id, 'read');
    await eventually(async () => (await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.providerMessageId, msg.id)))[0]?.status === 'read', 'read');
    w.clock.now = new Date(IN_HOURS.getTime() + 11 * 60_000);
    await w.outbox.drain();
    await sleep(200);
    expect(sentTo(w.wa, other)).toHaveLength(2);
    w.clock.now = IN_HOURS;
  });

  it('high-value words set P1 and notify the supervisor once', async () => {
    const sup = await addAgent(w, { supervisor: true });
    const from = phone();
    await say(w, from, '我们准备签约了');
    const c = (await conversationOf(w, from))!;
    expect(c.priority).toBe('P1');
    expect(c.assigneeId).not.toBeNull();
    const notes = await w.t.http.get('/api/inbox/notifications').set(sup.auth);
    expect(notes.body.filter((x: { kind: string; conversationId: string }) => x.kind === 'high_value' && x.conversationId === c.id)).toHaveLength(1);
  });
});

describe('assignment', () => {
  let w: InboxWorld;
  beforeAll(async () => { w = await createInboxWorld(); });
  afterAll(async () => { await w?.close(); });

  it('round-robin among on-shift agents, a cap per agent, the backlog handed out when a slot frees', async () => {
    const a = await addAgent(w, { maxOpen: 1, name: 'A' });
    const b = await addAgent(w, { maxOpen: 1, name: 'B' });
    await addAgent(w, { maxOpen: 5, name: 'off shift', workingHours: [{ weekday: 6, start: '09:00', end: '10:00' }] });
    await addAgent(w, { maxOpen: 5, name: 'away', available: false });
    const froms = [phone(), phone(), phone()];
    for (const f of froms) await say(w, f, 'human agent');
    const convs = await Promise.all(froms.map((f) => conversationOf(w, f)));
    expect(new Set([convs[0]!.assigneeId, convs[1]!.assigneeId])).toEqual(new Set([a.id, b.id]));
    expect(convs[2]!.assigneeId).toBeNull(); // both at their cap: waits in the backlog
    const admin = await w.t.user('admin');
    const res = await w.t.http.post(`/api/conversations/${convs[0]!.id}/resolve`).set(admin.auth);
    expect(res.status).toBe(200);
    expect((await conversationOf(w, froms[2]!))!.assigneeId).toBe(convs[0]!.assigneeId); // the freed slot took the backlog
  });

  it('skills and keywords: 安装 / 故障 → the technical team; Spanish → the agent who speaks it', async () => {
    const tech = await w.t.team('Technical');
    await w.t.db.db.insert(schema.teamInboxSettings).values({ teamId: tech, timezone: 'Asia/Taipei', periods: [], routingKeywords: ['安装', '故障'], skill: 'technical' });
    forgetInboxSettings(w.t.ctx);
    const engineer = await addAgent(w, { teamId: tech, skills: ['technical'], maxOpen: 7 });
    await addAgent(w, { teamId: tech, skills: [], maxOpen: 7 }); // in the team but without the skill
    const from = phone();
    await say(w, from, '機器故障了，無法開機');
    const c = (await conversationOf(w, from))!;
    expect(c.teamId).toBe(tech);
    expect(c.assigneeId).toBe(engineer.id);

    const es = await addAgent(w, { languages: ['es'], maxOpen: 7 });
    await addAgent(w, { languages: ['en'], maxOpen: 7 });
    const hola = phone();
    await say(w, hola, 'Hola, quiero hablar con una persona');
    expect((await conversationOf(w, hola))!.assigneeId).toBe(es.id);
  });

  it('manual transfer to an agent keeps the history; to a team queue picks one of its agents', async () => {
    const admin = await w.t.user('admin');
    const target = await addAgent(w, { maxOpen: 7 });
    const from = phone();
    await say(w, from, 'human agent');
    const c = (await conversationOf(w, from))!;
    const moved = await w.t.http.post(`/api/conversations/${c.id}/assign`).set(admin.auth).send({ assigneeId: target.id });
    expect(moved.status).toBe(200);
    const detail = await w.t.http.get(`/api/conversations/${c.id}`).set(target.auth);
    expect(detail.status).toBe(200);
    expect(detail.body.assigneeId).toBe(target.id);
    expect(detail.body.messages.map((m: { body: string }) => m.body)).toContain('human agent');
    const bad = await w.t.http.post(`/api/conversations/${c.id}/assign`).set(admin.auth).send({ assigneeId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/assigneeId/);
  });
});

describe('SLA and the 24-hour window', () => {
  let w: InboxWorld;
  beforeAll(async () => { w = await createInboxWorld(); });
  afterAll(async () => { await w?.close(); });

  it('a new inquiry with budget > 100k is P1 due in 2 business hours; the breach alerts owner and supervisor once', async () => {
    w.clock.now = IN_HOURS; // Tue 10:00 Taipei
    const admin = await w.t.user('admin');
    const owner = await w.t.user('agent');
    const sup = await addAgent(w, { supervisor: true });
    const created = await w.t.http.post('/api/customers').set(admin.auth).send({ fullName: '王大明', phone: '+886 913 999 001', budgetMax: 250000, ownerId: owner.id });
    expect(created.status).toBe(201);
    await say(w, '886913999001', 'price');
    const c = (await conversationOf(w, '886913999001'))!;
    expect(c.priority).toBe('P1');
    expect(c.firstResponseDueAt!.toISOString()).toBe('2026-12-01T04:00:00.000Z'); // 12:00 Taipei
    w.clock.now = new Date('2026-12-01T05:00:00Z'); // 13:00: past due
    expect((await sweepInbox(w.t.ctx)).breached).toBe(1);
    expect((await sweepInbox(w.t.ctx)).breached).toBe(0);
    for (const u of [owner, sup]) {
      const notes = await w.t.http.get('/api/inbox/notifications').set(u.auth);
      expect(notes.body.filter((x: { kind: string }) => x.kind === 'sla_breach')).toHaveLength(1);
    }
  });

  it('P2 deadlines skip lunch and the night: 6 business hours from Tue 16:00 is Wed 12:30', async () => {
    w.clock.now = new Date('2026-12-01T08:00:00Z'); // 16:00 Taipei
    const admin = await w.t.user('admin');
    await w.t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Ana', phone: '+34 612 345 900', budgetMax: 60000 });
    await say(w, '34612345900', 'precio');
    const c = (await conversationOf(w, '34612345900'))!;
    expect(c.priority).toBe('P2');
    // 16:00–18:00 (2 h) + Wed 09:00–12:00 (3 h) + 13:30–14:30 (1 h)
    expect(c.firstResponseDueAt!.toISOString()).toBe('2026-12-02T06:30:00.000Z');
    w.clock.now = IN_HOURS;
  });

  it('outside the 24-hour window free text is refused with a clear message; a template goes out', async () => {
    w.clock.now = IN_HOURS;
    const admin = await w.t.user('admin');
    const from = phone();
    await say(w, from, 'hi', 1);
    const c = (await conversationOf(w, from))!;
    w.clock.now = new Date(IN_HOURS.getTime() + 25 * 3_600_000);
    const text = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ text: 'Still interested?' });
    expect(text.status).toBe(422);
    expect(text.body.error.code).toBe('window_closed');
    expect(text.body.error.message).toMatch(/24-hour window.*template/);
    const tpl = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ template: { name: 'follow_up_1', language: 'en', parameters: ['Ana'] } });
    expect(tpl.status).toBe(202);
    await eventually(async () => sentTo(w.wa, from).includes('template:follow_up_1'), 'the template at the stand-in');
    w.clock.now = IN_HOURS;
  });
});
