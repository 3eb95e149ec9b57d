/**
 * The inbox policy an admin sets on Settings: reply deadlines per priority, budget thresholds and
 * the assignment strategy — applied at once to new inquiries through the signed webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, or } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { addAgent, createInboxWorld, messageWebhook, type InboxWorld } from './test-support.js';
import { loadInboxSettings } from './settings.js';

let w: InboxWorld;
beforeAll(async () => { w = await createInboxWorld(); });
afterAll(async () => { await w?.close(); });

async function conversationOf(waId: string) {
  const [c] = await w.t.db.db.select({ conv: schema.conversations }).from(schema.conversations)
    .innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId))
    .where(or(eq(schema.customers.whatsappId, waId), eq(schema.customers.phone, `+${waId}`)));
  return c?.conv;
}

describe('inbox policy', () => {
  it('defaults are SPEC B; a changed policy sets the priority and the deadline of the next new inquiry', async () => {
    const admin = await w.t.user('admin');
    const got = await w.t.http.get('/api/inbox/policy').set(admin.auth);
    expect(got.body).toEqual({ sla: { P1: 2, P2: 6, P3: 24 }, budget: { p1Above: 100000, p2From: 50000 }, strategy: 'round_robin', escalateAfterMinutes: 15 });

    const policy = { sla: { P1: 1, P2: 3, P3: 8 }, budget: { p1Above: 80000, p2From: 40000 }, strategy: 'load' };
    const put = await w.t.http.put('/api/inbox/policy').set(admin.auth).send(policy);
    expect(put.status).toBe(200);
    expect((await w.t.http.get('/api/inbox/policy').set(admin.auth)).body).toEqual({ ...policy, escalateAfterMinutes: 15 }); // not sent: kept
    expect((await loadInboxSettings(w.t.ctx)).policy.strategy).toBe('load');

    w.clock.now = new Date('2026-12-01T08:00:00Z'); // Tue 16:00 Taipei
    await w.t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Budget 45k', phone: '+886 913 777 001', budgetMax: 45000 });
    expect((await w.post(messageWebhook('886913777001', 'price'))).status).toBe(200);
    const c = (await conversationOf('886913777001'))!;
    expect(c.priority).toBe('P2'); // P3 under the default thresholds
    // 3 business hours: 16:00–18:00, then Wed 09:00–10:00 Taipei
    expect(c.firstResponseDueAt!.toISOString()).toBe('2026-12-02T02:00:00.000Z');
  });

  it('the load strategy gives a new conversation to the agent with the fewest open ones', async () => {
    const busy = await addAgent(w, { name: 'Busy', maxOpen: 50 });
    const free = await addAgent(w, { name: 'Free', maxOpen: 50 });
    // Busy already holds two open conversations; "Free" was assigned most recently (round-robin would skip it)
    const customers = await w.t.db.db.insert(schema.customers).values([{ fullName: 'x1' }, { fullName: 'x2' }]).returning({ id: schema.customers.id });
    await w.t.db.db.insert(schema.conversations).values(customers.map((cu) => ({ customerId: cu.id, channel: 'whatsapp' as const, status: 'open' as const, assigneeId: busy.id, lastMessageAt: new Date() })));
    await w.t.db.db.update(schema.agentProfiles).set({ lastAssignedAt: new Date('2026-12-01T07:59:00Z') }).where(eq(schema.agentProfiles.userId, free.id));
    await w.t.db.db.update(schema.agentProfiles).set({ lastAssignedAt: new Date('2026-01-01T00:00:00Z') }).where(eq(schema.agentProfiles.userId, busy.id));
    w.clock.now = new Date('2026-12-01T02:00:00Z'); // Tue 10:00 Taipei
    expect((await w.post(messageWebhook('886913777002', 'I want a human agent'))).status).toBe(200);
    const c = (await conversationOf('886913777002'))!;
    expect(c.assigneeId).toBe(free.id);
  });

  it('a deadline order or thresholds that contradict each other are refused at their field; agents may not change it', async () => {
    const admin = await w.t.user('admin');
    const bad = await w.t.http.put('/api/inbox/policy').set(admin.auth).send({ sla: { P1: 8, P2: 3, P3: 24 }, budget: { p1Above: 100000, p2From: 50000 }, strategy: 'load' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('body.sla.P2');
    const bad2 = await w.t.http.put('/api/inbox/policy').set(admin.auth).send({ sla: { P1: 1, P2: 3, P3: 24 }, budget: { p1Above: 10000, p2From: 50000 }, strategy: 'load' });
    expect(bad2.body.error.details.map((d: { path: string }) => d.path)).toContain('body.budget.p2From');
    const agent = await w.t.user('agent');
    expect((await w.t.http.put('/api/inbox/policy').set(agent.auth).send({ sla: { P1: 1, P2: 3, P3: 24 }, budget: { p1Above: 100000, p2From: 50000 }, strategy: 'load' })).status).toBe(403);
  });
});
