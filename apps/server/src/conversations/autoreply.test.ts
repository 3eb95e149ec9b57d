/**
 * Auto-replies through the real signed Cloud API webhook and the WhatsApp stand-in, on the
 * driver the environment picks (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createInboxWorld, eventually, IN_HOURS, messageWebhook, OUT_OF_HOURS, sentTo, sleep, type InboxWorld } from './test-support.js';

let w: InboxWorld;
beforeAll(async () => { w = await createInboxWorld(); });
afterAll(async () => { await w?.close(); });

let n = 0;
const phone = () => `88691200${String(++n).padStart(4, '0')}`;

async function conversationOf(waId: string) {
  const [c] = await w.t.db.db.select({ conv: schema.conversations }).from(schema.conversations)
    .innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId))
    .where(eq(schema.customers.whatsappId, waId));
  return c?.conv;
}

describe('keyword replies', () => {
  it('answers 價格 / 价格 / precio / PRICE (full-width) each in the customer\'s language, after the welcome', async () => {
    w.clock.now = IN_HOURS;
    const cases: [string, RegExp][] = [
      ['請問價格多少?', /我們的產品價格範圍/],
      ['请问价格', /我们的产品价格范围/],
      ['¿Cuál es el PRECIO?', /Nuestros precios/],
      ['ＰＲＩＣＥ please', /Our prices range/],
    ];
    for (const [text, reply] of cases) {
      const from = phone();
      const res = await w.post(messageWebhook(from, text));
      expect(res.status).toBe(200);
      const bodies = await eventually(async () => { const b = sentTo(w.wa, from); return b.length >= 2 && b; }, `two replies to ${text}`);
      expect(bodies[0]).toMatch(/welcome|歡迎|欢迎|bienvenido/i); // first contact
      expect(bodies[1]).toMatch(reply);
    }
  });

  it('welcomes once: the second message gets the keyword reply only', async () => {
    const from = phone();
    await w.post(messageWebhook(from, 'hello'));
    await eventually(async () => sentTo(w.wa, from).length >= 1, 'the welcome');
    await w.post(messageWebhook(from, 'shipping?'));
    const bodies = await eventually(async () => { const b = sentTo(w.wa, from); return b.length >= 2 && b; }, 'the shipping reply');
    await sleep(300);
    expect(sentTo(w.wa, from)).toHaveLength(2);
    expect(bodies[1]).toMatch(/Shipping on the main island/);
  });

  it('the first rule in order wins when two match', async () => {
    const from = phone();
    await w.post(messageWebhook(from, 'hi'));
    await eventually(async () => sentTo(w.wa, from).length >= 1, 'welcome');
    await w.post(messageWebhook(from, 'appointment and price')); // price (10) before appointment (30)
    const b = await eventually(async () => { const x = sentTo(w.wa, from); return x.length >= 2 && x; }, 'reply');
    expect(b[1]).toMatch(/Our prices/);
  });

  it('sends the away message out of hours once per day, and not after an agent answered within 5 minutes', async () => {
    w.clock.now = OUT_OF_HOURS;
    const from = phone();
    await w.post(messageWebhook(from, 'hola'));
    await eventually(async () => sentTo(w.wa, from).length >= 2, 'welcome + away');
    expect(sentTo(w.wa, from)[1]).toMatch(/cerrados/);
    w.clock.now = new Date(OUT_OF_HOURS.getTime() + 60 * 60_000);
    await w.post(messageWebhook(from, 'precio'));
    await eventually(async () => sentTo(w.wa, from).length >= 3, 'price reply');
    await sleep(300);
    expect(sentTo(w.wa, from).filter((b) => /cerrados/.test(b))).toHaveLength(1); // same day: no second away
    // next evening, an agent answered 2 minutes ago → no away message
    const conv = (await conversationOf(from))!;
    const nextDay = new Date(OUT_OF_HOURS.getTime() + 24 * 3_600_000);
    await w.t.db.db.update(schema.conversations).set({ lastAgentMessageAt: new Date(nextDay.getTime() - 2 * 60_000) }).where(eq(schema.conversations.id, conv.id));
    w.clock.now = nextDay;
    await w.post(messageWebhook(from, 'envío'));
    await eventually(async () => sentTo(w.wa, from).length >= 4, 'shipping reply');
    await sleep(300);
    expect(sentTo(w.wa, from).filter((b) => /cerrados/.test(b))).toHaveLength(1);
    // the day after, nobody answered recently → away again
    w.clock.now = new Date(nextDay.getTime() + 24 * 3_600_000);
    await w.post(messageWebhook(from, 'cita'));
    await eventually(async () => sentTo(w.wa, from).filter((b) => /cerrados/.test(b)).length === 2, 'the second day\'s away message');
    w.clock.now = IN_HOURS;
  });
});

describe('exactly once', () => {
  it('the same webhook delivered 5 times at once stores one message and sends one reply', async () => {
    const from = phone();
    await w.post(messageWebhook(from, 'hi'));
    await eventually(async () => sentTo(w.wa, from).length >= 1, 'welcome');
    const body = messageWebhook(from, '运费多少', 'wamid.five-times');
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => w.post(body)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await eventually(async () => sentTo(w.wa, from).length >= 2, 'the reply');
    await sleep(1500); // time for any duplicate to go out
    expect(sentTo(w.wa, from).filter((b) => /本岛运费/.test(b))).toHaveLength(1);
    const stored = await w.t.db.db.select().from(schema.conversationMessages)
      .where(and(eq(schema.conversationMessages.channel, 'whatsapp'), eq(schema.conversationMessages.providerMessageId, 'wamid.five-times')));
    expect(stored).toHaveLength(1);
  });
});

describe('delivery statuses', () => {
  it('move the reply forward and never back; the reply is on the timeline too', async () => {
    const from = phone();
    await w.post(messageWebhook(from, 'price'));
    await eventually(async () => w.wa.messages.filter((m) => m.request.to === from).length >= 2, 'replies');
    const sent = w.wa.messages.filter((m) => m.request.to === from).at(-1)!;
    const status = async () => (await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.providerMessageId, sent.id)))[0]?.status;
    await eventually(async () => (await status()) === 'delivered', 'delivered (the stand-in posts sent + delivered)');
    await w.wa.sendStatus(sent.id, 'read');
    await eventually(async () => (await status()) === 'read', 'read');
    // a late "delivered" and "sent" do not take it back
    const { statusWebhook } = await import('./test-support.js');
    expect((await w.post(statusWebhook(sent.id, 'delivered', from))).status).toBe(200);
    expect((await w.post(statusWebhook(sent.id, 'sent', from))).status).toBe(200);
    expect(await status()).toBe('read');
    const conv = (await conversationOf(from))!;
    const timeline = await w.t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, conv.customerId));
    expect(timeline.filter((i) => i.kind === 'message_out').map((i) => i.body)).toEqual(expect.arrayContaining([expect.stringMatching(/Our prices/)]));
    expect(timeline.filter((i) => i.kind === 'message_in').map((i) => i.body)).toEqual(['price']);
  });

  it('a failed status records the error', async () => {
    const from = phone();
    await w.post(messageWebhook(from, 'shipping'));
    await eventually(async () => w.wa.messages.filter((m) => m.request.to === from).length >= 2, 'replies');
    const sent = w.wa.messages.filter((m) => m.request.to === from).at(-1)!;
    await w.wa.sendStatus(sent.id, 'failed');
    const row = await eventually(async () => {
      const [r] = await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.providerMessageId, sent.id));
      return r?.status === 'failed' && r;
    }, 'failed');
    expect(row.error).toMatch(/131026/);
  });
});

describe('bad webhooks', () => {
  it('a bad signature or a malformed body → 4xx and nothing stored', async () => {
    const before = (await w.t.db.db.select().from(schema.conversationMessages)).length;
    const bad = await w.post(messageWebhook(phone(), 'price'), 'sha256=deadbeef');
    expect(bad.status).toBe(401);
    const malformed = await w.post({ object: 'whatsapp_business_account', entry: [{ id: 'x', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp' } }] }] });
    expect(malformed.status).toBe(400);
    expect((await w.t.db.db.select().from(schema.conversationMessages)).length).toBe(before);
  });
});

describe('reopen', () => {
  it('a resolved conversation reopens when the customer writes again', async () => {
    const from = phone();
    await w.post(messageWebhook(from, 'hi'));
    const conv = await eventually(() => conversationOf(from), 'conversation');
    await w.t.db.db.update(schema.conversations).set({ status: 'resolved', resolvedAt: w.clock.now }).where(eq(schema.conversations.id, conv.id));
    await w.post(messageWebhook(from, 'price'));
    const again = (await conversationOf(from))!;
    expect(again.id).toBe(conv.id);
    expect(again.status).toBe('open');
    expect(again.resolvedAt).toBeNull();
  });
});
