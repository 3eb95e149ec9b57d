/**
 * The replies a webhook decides go to the drainer straight after the commit — with a poll that
 * never comes (an hour), both replies still go out at once, in order, each once, recorded with
 * the provider id, on the timeline; and their rows were leased to the drainer in the inbound
 * transaction, so no other drainer's claim takes them meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { startOutbox, type OutboxDrainer } from './outbox.js';
import { createInboxWorld, eventually, messageWebhook, sentTo, sleep, type InboxWorld } from './test-support.js';

let w: InboxWorld;
let drainer: OutboxDrainer;
beforeAll(async () => {
  w = await createInboxWorld({ statusWebhooks: false });
  await w.outbox.stop();
  drainer = startOutbox(w.t.ctx, { channels: w.channels, pollMs: 3_600_000, leaseMs: 60_000 });
});
afterAll(async () => {
  await drainer?.stop();
  await w?.close();
});

describe('replies handed to the drainer after the commit', () => {
  it('go out without a poll: welcome then answer, once each, recorded and on the timeline', async () => {
    const from = '886912555001';
    expect((await w.post(messageWebhook(from, '請問價格', 'wamid.handed-1'))).status).toBe(200);
    const bodies = await eventually(async () => { const b = sentTo(w.wa, from); return b.length >= 2 && b; }, 'both replies', 10_000);
    expect(bodies[0]).toMatch(/歡迎/);
    expect(bodies[1]).toMatch(/價格範圍/);
    // recorded: rows sent, messages sent with the provider's id, the timeline has both
    const rows = await eventually(async () => {
      const r = await w.t.db.db.select().from(schema.conversationOutbox).where(eq(schema.conversationOutbox.state, 'sent'));
      return r.length >= 2 && r;
    }, 'the sends recorded');
    expect(rows.every((r) => r.attempts === 1 && r.lockedUntil === null && r.messageId)).toBe(true);
    const out = await w.t.db.db.select().from(schema.conversationMessages).where(and(eq(schema.conversationMessages.direction, 'out'), eq(schema.conversationMessages.status, 'sent')));
    expect(out).toHaveLength(2);
    expect(new Set(out.map((m) => m.providerMessageId))).toEqual(new Set(w.wa.messages.filter((m) => m.request.to === from).map((m) => m.id)));
    const [inbound] = await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.providerMessageId, 'wamid.handed-1'));
    expect(out.every((m) => m.createdAt > inbound!.createdAt)).toBe(true); // listed after the customer's message
    const timeline = await w.t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, inbound!.customerId));
    expect(timeline.filter((i) => i.kind === 'message_in')).toHaveLength(1);
    expect(timeline.filter((i) => i.kind === 'message_out').map((i) => i.payload)).toEqual(expect.arrayContaining([
      expect.objectContaining({ origin: 'welcome', conversationId: inbound!.conversationId }),
      expect.objectContaining({ origin: 'auto_reply', ruleId: expect.any(String) }),
    ]));
    // the 10-minute follow-up waits unleased for its time (the poll takes it then)
    const [followUp] = await w.t.db.db.select().from(schema.conversationOutbox).where(eq(schema.conversationOutbox.purpose, 'follow_up'));
    expect(followUp).toMatchObject({ state: 'pending', lockedUntil: null, messageId: null });
    // the same webhook again: nothing new
    expect((await w.post(messageWebhook(from, '請問價格', 'wamid.handed-1'))).status).toBe(200);
    await sleep(500);
    expect(sentTo(w.wa, from)).toHaveLength(2);
  });
});
