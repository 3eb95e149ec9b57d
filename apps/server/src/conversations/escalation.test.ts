/**
 * The escalation ladder through the signed webhook and the inbox sweep: no answer in N minutes →
 * the next agent; N more → the team queue (and the backlog leaves it there); N more → the
 * supervisor, notified once; an agent's reply stops it; the minutes come from the inbox policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { sweepInbox } from './jobs.js';
import { addAgent, createInboxWorld, eventually, IN_HOURS, messageWebhook, type InboxWorld } from './test-support.js';
import { forgetInboxSettings } from './settings.js';

let n = 0;
const phone = () => `88691500${String(++n).padStart(4, '0')}`;
const min = (m: number) => new Date(IN_HOURS.getTime() + m * 60_000);

describe('escalation ladder', () => {
  let w: InboxWorld;
  let agents: Awaited<ReturnType<typeof addAgent>>[];
  let supervisor: Awaited<ReturnType<typeof addAgent>>;
  let manager: Awaited<ReturnType<typeof w.t.user>>;
  beforeAll(async () => {
    w = await createInboxWorld();
    agents = [await addAgent(w, { maxOpen: 20, name: 'Ann' }), await addAgent(w, { maxOpen: 20, name: 'Ben' })];
    supervisor = await addAgent(w, { supervisor: true, name: 'Sue' });
    manager = await w.t.user('manager');
  });
  afterAll(async () => { await w?.close(); });

  async function conversationFor(from: string) {
    return eventually(async () => {
      const [c] = await w.t.db.db.select({ conv: schema.conversations }).from(schema.conversations)
        .innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId))
        .where(eq(schema.customers.whatsappId, from));
      return c?.conv;
    }, `the conversation of ${from}`);
  }
  const reload = async (id: string) => (await w.t.db.db.select().from(schema.conversations).where(eq(schema.conversations.id, id)))[0]!;
  const escalationNotices = (userId: string, conversationId: string) =>
    w.t.db.db.select().from(schema.inboxNotifications).where(and(eq(schema.inboxNotifications.userId, userId), eq(schema.inboxNotifications.conversationId, conversationId), eq(schema.inboxNotifications.kind, 'escalation')));
  async function sweepAt(m: number) {
    w.clock.now = min(m);
    return sweepInbox(w.t.ctx);
  }

  it('no answer in 15 min → the next agent; 15 more → the team queue; 15 more → the supervisor, once', async () => {
    w.clock.now = IN_HOURS;
    const from = phone();
    expect((await w.post(messageWebhook(from, 'human agent please'))).status).toBe(200);
    const c = await conversationFor(from);
    const first = c.assigneeId!;
    expect(agents.map((a) => a.id)).toContain(first);
    const second = agents.find((a) => a.id !== first)!.id;

    expect((await sweepAt(14)).escalated).toEqual({ nextAgent: 0, teamQueue: 0, supervisor: 0 });
    expect((await reload(c.id)).assigneeId).toBe(first);

    expect((await sweepAt(16)).escalated.nextAgent).toBe(1);
    let now = await reload(c.id);
    expect(now).toMatchObject({ assigneeId: second, escalationStep: 1 });
    expect(await escalationNotices(second, c.id)).toHaveLength(1); // the new assignee is told
    expect((await sweepAt(20)).escalated).toEqual({ nextAgent: 0, teamQueue: 0, supervisor: 0 }); // once per step
    expect((await reload(c.id)).assigneeId).toBe(second);

    const r = await sweepAt(32);
    expect(r.escalated.teamQueue).toBe(1);
    now = await reload(c.id);
    expect(now).toMatchObject({ assigneeId: null, escalationStep: 2, teamId: w.teamId });
    await sweepAt(33); // the backlog hand-out leaves the team queue alone
    expect((await reload(c.id)).assigneeId).toBeNull();
    const queue = await w.t.http.get('/api/conversations?view=unassigned').set(manager.auth);
    expect(queue.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
    expect(await escalationNotices(supervisor.id, c.id)).toHaveLength(0);

    expect((await sweepAt(48)).escalated.supervisor).toBe(1);
    expect(await escalationNotices(supervisor.id, c.id)).toHaveLength(1);
    await sweepAt(70);
    await sweepAt(120);
    expect(await escalationNotices(supervisor.id, c.id)).toHaveLength(1); // once
    expect((await reload(c.id)).escalationStep).toBe(3);

    // an agent takes it from the queue and answers: the ladder is over for this wait
    const taker = agents[0]!;
    w.clock.now = min(121);
    await w.t.http.post(`/api/conversations/${c.id}/assign`).set(taker.auth).send({ assigneeId: taker.id }).expect(200);
    await w.t.http.post(`/api/conversations/${c.id}/reply`).set(taker.auth).send({ text: 'Sorry for the wait — here I am.' }).expect(202);
    expect(await reload(c.id)).toMatchObject({ assigneeId: taker.id, escalationStep: 0 });
    await sweepAt(200);
    expect((await reload(c.id)).assigneeId).toBe(taker.id);
  });

  it("the agent's reply cancels it; the customer's next message starts a new wait", async () => {
    w.clock.now = IN_HOURS;
    const from = phone();
    await w.post(messageWebhook(from, 'human agent please'));
    const c = await conversationFor(from);
    const assignee = agents.find((a) => a.id === c.assigneeId)!;
    w.clock.now = min(10);
    await w.t.http.post(`/api/conversations/${c.id}/reply`).set(assignee.auth).send({ text: 'Hello, how can I help?' }).expect(202);
    await sweepAt(20);
    await sweepAt(40);
    expect(await reload(c.id)).toMatchObject({ assigneeId: assignee.id, escalationStep: 0 });
    // the customer writes again at 45; no answer: escalated 15 min after that message, not before
    w.clock.now = min(45);
    await w.post(messageWebhook(from, 'Are you still there?'));
    await eventually(async () => (await reload(c.id)).lastCustomerMessageAt?.getTime() === min(45).getTime(), 'the second message');
    await sweepAt(59);
    expect((await reload(c.id)).assigneeId).toBe(assignee.id);
    await sweepAt(61);
    expect(await reload(c.id)).toMatchObject({ escalationStep: 1 });
    expect((await reload(c.id)).assigneeId).not.toBe(assignee.id);
  });

  it('the minutes are the inbox policy (GET/PUT /api/inbox/policy)', async () => {
    const got = await w.t.http.get('/api/inbox/policy').set(manager.auth).expect(200);
    expect(got.body.escalateAfterMinutes).toBe(15);
    const put = await w.t.http.put('/api/inbox/policy').set(manager.auth).send({ ...got.body, escalateAfterMinutes: 5 }).expect(200);
    expect(put.body.escalateAfterMinutes).toBe(5);
    // a client that doesn't know the field keeps the stored value
    const { escalateAfterMinutes: _omit, ...rest } = got.body;
    expect((await w.t.http.put('/api/inbox/policy').set(manager.auth).send(rest).expect(200)).body.escalateAfterMinutes).toBe(5);
    const bad = await w.t.http.put('/api/inbox/policy').set(manager.auth).send({ ...got.body, escalateAfterMinutes: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('escalateAfterMinutes');
    forgetInboxSettings(w.t.ctx);

    w.clock.now = IN_HOURS;
    const from = phone();
    await w.post(messageWebhook(from, 'human agent please'));
    const c = await conversationFor(from);
    await sweepAt(4);
    expect((await reload(c.id)).escalationStep).toBe(0);
    await sweepAt(6);
    expect((await reload(c.id)).escalationStep).toBe(1);
  });
});
