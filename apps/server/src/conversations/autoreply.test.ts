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
    await eventually(async () => sentTo(w.wa, from).length >= 1, 'the away message');
    await sleep(300);
    expect(sentTo(w.wa, from)).toHaveLength(1); // the away message greets: no welcome beside it
    expect(sentTo(w.wa, from)[0]).toMatch(/cerrados/);
    w.clock.now = new Date(OUT_OF_HOURS.getTime() + 60 * 60_000);
    await w.post(messageWebhook(from, 'precio'));
    await eventually(async () => sentTo(w.wa, from).length >= 2, 'price reply');
    await sleep(300);
    expect(sentTo(w.wa, from).filter((b) => /cerrados/.test(b))).toHaveLength(1); // same day: no second away
    // next evening, an agent answered 2 minutes ago → no away message
    const conv = (await conversationOf(from))!;
    const nextDay = new Date(OUT_OF_HOURS.getTime() + 24 * 3_600_000);
    await w.t.db.db.update(schema.conversations).set({ lastAgentMessageAt: new Date(nextDay.getTime() - 2 * 60_000) }).where(eq(schema.conversations.id, conv.id));
    w.clock.now = nextDay;
    await w.post(messageWebhook(from, 'envío'));
    await eventually(async () => sentTo(w.wa, from).length >= 3, 'shipping reply');
    await sleep(300);
    expect(sentTo(w.wa, from).filter((b) => /cerrados/.test(b))).toHaveLength(1);
    // the day after, nobody answered recently → away again
    w.clock.now = new Date(nextDay.getTime() + 24 * 3_600_000);
    await w.post(messageWebhook(from, 'cita'));
    await eventually(async () => sentTo(w.wa, from).filter((b) => /cerrados/.test(b)).length === 2, 'the second day\'s away message');
    w.clock.now = IN_HOURS;
  });
});

describe('one greeting and one answer per message', () => {
  const welcomeRe = /welcome|歡迎|欢迎|bienvenido/i;
  const awayRe = /closed|cerrados|下班/;
  const settle = async (from: string, count: number, what: string) => {
    await eventually(async () => sentTo(w.wa, from).length >= count, what);
    await sleep(400); // time for anything extra to go out
    return sentTo(w.wa, from);
  };

  it('first contact in hours with a keyword → the welcome, then the answer', async () => {
    w.clock.now = IN_HOURS;
    const from = phone();
    await w.post(messageWebhook(from, 'price please'));
    const bodies = await settle(from, 2, 'welcome + price');
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toMatch(welcomeRe);
    expect(bodies[1]).toMatch(/Our prices/);
  });

  it('first contact out of hours with a keyword → the away message, then the answer; no welcome', async () => {
    w.clock.now = OUT_OF_HOURS;
    const from = phone();
    await w.post(messageWebhook(from, '請問價格多少?'));
    const bodies = await settle(from, 2, 'away + price');
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toMatch(awayRe);
    expect(bodies[1]).toMatch(/我們的產品價格範圍/);
    expect(bodies.some((b) => welcomeRe.test(b))).toBe(false);
    const outbox = await w.t.db.db.select({ purpose: schema.conversationOutbox.purpose }).from(schema.conversationOutbox)
      .where(eq(schema.conversationOutbox.conversationId, (await conversationOf(from))!.id));
    expect(outbox.map((o) => o.purpose).sort()).toEqual(['auto_reply', 'away', 'follow_up']);
    // second message the same evening, before the first answer's 10-minute unread follow-up is due
    // (a later clock lets the drainer send that follow-up first, rightly: it was due) → the answer only
    w.clock.now = new Date(OUT_OF_HOURS.getTime() + 5 * 60_000);
    await w.post(messageWebhook(from, '運費呢'));
    const after = await settle(from, 3, 'shipping reply');
    expect(after).toHaveLength(3);
    expect(after[2]).toMatch(/本島運費|本岛运费|運費/);
    expect(after.filter((b) => awayRe.test(b))).toHaveLength(1);
    w.clock.now = IN_HOURS;
  });

  it('out of hours, a message delivered 5 times at once → one away and one answer', async () => {
    w.clock.now = OUT_OF_HOURS;
    const from = phone();
    const body = messageWebhook(from, 'shipping?', `wamid.away-five-${from}`);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => w.post(body)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const bodies = await settle(from, 2, 'away + shipping');
    await sleep(1000);
    expect(sentTo(w.wa, from)).toHaveLength(2);
    expect(bodies[0]).toMatch(awayRe);
    expect(bodies[1]).toMatch(/Shipping on the main island/);
    w.clock.now = IN_HOURS;
  });

  it('a hand-off phrase with a high-value word on first contact → the welcome and ONE answer (the hand-off notice)', async () => {
    w.clock.now = IN_HOURS;
    const from = phone();
    await w.post(messageWebhook(from, 'human agent, I want to confirm order and the price'));
    const bodies = await settle(from, 2, 'welcome + hand-off notice');
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toMatch(welcomeRe);
    expect(bodies[1]).toMatch(/a colleague will answer you personally/);
    const conv = (await conversationOf(from))!;
    expect(conv.priority).toBe('P1'); // the high-value word still counts
  });

  it('the rule tester shows the same plan: away replaces the welcome out of hours', async () => {
    const admin = await w.t.user('admin');
    const res = await w.t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: 'price', firstContact: true, at: OUT_OF_HOURS.toISOString() });
    expect(res.status).toBe(200);
    expect(res.body.welcome).toBeNull();
    expect(res.body.away?.reply).toMatch(/closed/);
    expect(res.body.keyword?.reply).toMatch(/Our prices/);
    const inHours = await w.t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: 'price', firstContact: true, at: IN_HOURS.toISOString() });
    expect(inHours.body.welcome?.reply).toMatch(/welcome/);
    expect(inHours.body.away).toBeNull();
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
