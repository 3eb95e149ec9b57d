/**
 * A WhatsApp user who hides their number (known only by the business-scoped user id, identity
 * kind `whatsapp_user`, no phone on file) gets the auto-reply and an agent's reply: sent to the
 * Cloud API as `recipient` = BSUID (it used to fail "no whatsapp address").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { addAgent, createInboxWorld, eventually, messageWebhook, type InboxWorld } from './test-support.js';

describe('BSUID-only WhatsApp customers', () => {
  let w: InboxWorld;
  beforeAll(async () => { w = await createInboxWorld(); });
  afterAll(async () => { await w?.close(); });

  it('the auto-reply and the agent reply go to the BSUID as `recipient`, with ticks', async () => {
    const agent = await addAgent(w, { maxOpen: 10 });
    const bsuid = 'TW.88800011122233';
    expect((await w.post(messageWebhook(undefined, 'price?', undefined, 'Hidden', bsuid))).status).toBe(200);
    const [c] = await eventually(async () => {
      const rows = await w.t.db.db.select({ conv: schema.conversations, phone: schema.customers.phone }).from(schema.conversations)
        .innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId)).where(eq(schema.conversations.contactUserId, bsuid));
      return rows.length ? rows : null;
    }, 'the conversation');
    expect(c!.phone).toBeNull();
    const toBsuid = () => w.wa.messages.filter((m) => m.request.recipient === bsuid);
    await eventually(async () => toBsuid().length >= 2, 'welcome and price reply to the BSUID');
    expect(toBsuid().every((m) => m.request.to === undefined)).toBe(true);
    const out = await eventually(async () => {
      const rows = await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.conversationId, c!.conv.id));
      const sent = rows.filter((m) => m.direction === 'out');
      return sent.length >= 2 && sent.every((m) => m.status === 'delivered') ? sent : null;
    }, 'the replies delivered');
    expect(out.some((m) => m.error)).toBe(false);

    await w.t.http.post(`/api/conversations/${c!.conv.id}/assign`).set(agent.auth).send({ assigneeId: agent.id }).expect(200);
    await w.t.http.post(`/api/conversations/${c!.conv.id}/reply`).set(agent.auth).send({ text: 'Hi, a person here.' }).expect(202);
    await eventually(async () => toBsuid().some((m) => m.request.type === 'text' && m.request.text.body === 'Hi, a person here.'), "the agent's reply to the BSUID");
  });
});
