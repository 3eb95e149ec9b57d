/**
 * Group commit (inbound.ts): inbound messages that arrive together share one transaction, each
 * webhook answered after the shared commit; exactly-once per inbound message id holds within a
 * batch; one bad message falls back to one-by-one and fails alone. Through the real signed webhook
 * on the driver the environment picks (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, like } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { createDb, schema } from '@nudge/db';
import { receiveInboundMessages } from '../inbound/service.js';
import { groupCommitOf, recordConversationMessage } from './inbound.js';
import { createInboxWorld, eventually, messageWebhook, multiMessageWebhook, sentTo, sleep, type InboxWorld } from './test-support.js';

let w: InboxWorld;
const onPostgres = !!process.env.DATABASE_URL; // as createTestDb picks the driver
beforeAll(async () => { w = await createInboxWorld(); });
afterAll(async () => { await w?.close(); });

const stats = () => ({ ...groupCommitOf(w.t.ctx).stats });
let n = 0;
const phone = () => `88691300${String(++n).padStart(4, '0')}`;

async function storedIn(id: string) {
  return w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.providerMessageId, id));
}

describe('group commit', () => {
  it('N concurrent deliveries share transactions and each gets its replies exactly once', async () => {
    const before = stats();
    const senders = Array.from({ length: 12 }, () => phone());
    const results = await Promise.all(senders.map((from, i) => w.post(messageWebhook(from, i % 2 ? '请问价格' : 'precio?', `wamid.gc-${from}`))));
    expect(results.map((r) => r.status)).toEqual(senders.map(() => 200));
    for (const r of results) expect(r.body.results[0].conversation.queued).toHaveLength(3); // welcome, answer, follow-up timer
    const after = stats();
    expect(after.messages - before.messages).toBe(12);
    expect(after.transactions - before.transactions).toBeLessThan(12); // some were written together
    expect(after.fallbacks).toBe(before.fallbacks);
    for (const from of senders) await eventually(async () => sentTo(w.wa, from).length >= 2, `the replies to ${from}`);
    await sleep(500);
    for (const from of senders) {
      expect(sentTo(w.wa, from)).toHaveLength(2);
      expect(await storedIn(`wamid.gc-${from}`)).toHaveLength(1);
    }
  });

  it('duplicates within one batch: the same webhook 5 times at once beside others → one message, one set of replies', async () => {
    const before = stats();
    const dup = phone();
    const others = Array.from({ length: 4 }, () => phone());
    const dupHook = messageWebhook(dup, 'price?', `wamid.gc-dup-${dup}`);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => w.post(dupHook)),
      ...others.map((from) => w.post(messageWebhook(from, 'shipping?', `wamid.gc-${from}`))),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.slice(0, 5).filter((r) => r.body.results[0].duplicate === false)).toHaveLength(1);
    expect(stats().transactions - before.transactions).toBeLessThan(9);
    await eventually(async () => sentTo(w.wa, dup).length >= 2, 'the replies to the duplicated message');
    for (const from of others) await eventually(async () => sentTo(w.wa, from).length >= 2, `the replies to ${from}`);
    await sleep(500);
    expect(sentTo(w.wa, dup)).toHaveLength(2);
    expect(await storedIn(`wamid.gc-dup-${dup}`)).toHaveLength(1);
    const queued = await w.t.db.db.select().from(schema.conversationOutbox).where(like(schema.conversationOutbox.key, `${(await storedIn(`wamid.gc-dup-${dup}`))[0]!.id}:%`));
    expect(queued).toHaveLength(3);
  });

  it('a payload with several messages (one of them twice) is written in one transaction, in order', async () => {
    const a = phone();
    const b = phone();
    const before = stats();
    const res = await w.post(multiMessageWebhook([
      { from: a, text: 'hello', id: `wamid.gc-m1-${a}` },
      { from: b, text: 'precio', id: `wamid.gc-m1-${b}` },
      { from: a, text: 'price?', id: `wamid.gc-m2-${a}` },
      { from: b, text: 'precio', id: `wamid.gc-m1-${b}` }, // the same message again
    ]));
    expect(res.status).toBe(200);
    expect(res.body.received).toBe(4);
    expect(res.body.results.map((r: { duplicate: boolean }) => r.duplicate)).toEqual([false, false, false, true]);
    const after = stats();
    expect(after.transactions - before.transactions).toBe(1);
    expect(after.messages - before.messages).toBe(4);
    // a: the welcome (first contact), then the price answer to the second message — in order
    const toA = await eventually(async () => { const x = sentTo(w.wa, a); return x.length >= 2 && x; }, 'the replies to a');
    expect(toA[0]).toMatch(/welcome/i);
    expect(toA[1]).toMatch(/Our prices/);
    await eventually(async () => sentTo(w.wa, b).length >= 2, 'the replies to b');
    await sleep(500);
    expect(sentTo(w.wa, a)).toHaveLength(2);
    expect(sentTo(w.wa, b)).toHaveLength(2);
    expect(await storedIn(`wamid.gc-m1-${b}`)).toHaveLength(1);
  });

  it('one bad message in a batch fails alone: the others are stored and answered', async () => {
    // customers on file (as the webhook would have resolved them), and one that does not exist
    const good = await w.t.db.db.insert(schema.customers).values(Array.from({ length: 4 }, () => { const p = phone(); return { fullName: `G${p}`, phone: `+${p}`, whatsappId: p }; })).returning();
    const before = stats();
    const settled = await Promise.allSettled([
      ...good.slice(0, 2).map((c) => recordConversationMessage(w.t.ctx, { customerId: c.id, channel: 'whatsapp', text: 'price?', providerMessageId: `wamid.gc-bad-${c.id}` })),
      recordConversationMessage(w.t.ctx, { customerId: randomUUID(), channel: 'whatsapp', text: 'price?', providerMessageId: `wamid.gc-bad-nobody` }),
      ...good.slice(2).map((c) => recordConversationMessage(w.t.ctx, { customerId: c.id, channel: 'whatsapp', text: 'price?', providerMessageId: `wamid.gc-bad-${c.id}` })),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(stats().fallbacks).toBe(before.fallbacks + 1);
    for (const c of good) {
      expect(await storedIn(`wamid.gc-bad-${c.id}`)).toHaveLength(1);
      await eventually(async () => sentTo(w.wa, c.whatsappId!).length >= 2, `the replies to ${c.whatsappId}`);
    }
    expect(await storedIn('wamid.gc-bad-nobody')).toHaveLength(0);
    await sleep(500);
    for (const c of good) expect(sentTo(w.wa, c.whatsappId!)).toHaveLength(2);
  });
  it("new senders are created inside the batch's transaction: one customer each (5 identical deliveries make one), audited, customer.created once, matched by phone, WhatsApp id and BSUID", async () => {
    const fresh = Array.from({ length: 6 }, () => phone());
    const dup = phone();
    const bsuid = `TW.gc${dup}`;
    const known = phone();
    const [onFile] = await w.t.db.db.insert(schema.customers).values({ fullName: 'On file', phone: `+${known}` }).returning();
    const before = stats();
    const events0 = w.t.events.length;
    const dupHook = messageWebhook(dup, 'price?', `wamid.gc-new-${dup}`, 'Dup', bsuid);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => w.post(dupHook)),
      ...fresh.map((from) => w.post(messageWebhook(from, 'precio?', `wamid.gc-new-${from}`, `N${from}`))),
      w.post(messageWebhook(known, 'hello', `wamid.gc-new-${known}`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const after = stats();
    expect(after.fallbacks).toBe(before.fallbacks); // resolved in the shared transaction, not one by one
    expect(after.transactions - before.transactions).toBeLessThan(results.length);
    const body = (i: number) => results[i]!.body.results[0] as { customerId: string; created: boolean; duplicate: boolean };
    // the duplicated sender: one customer, created by exactly one of the deliveries
    expect(new Set(results.slice(0, 5).map((_, i) => body(i).customerId)).size).toBe(1);
    expect(results.slice(0, 5).filter((_, i) => body(i).created)).toHaveLength(1);
    // the customer on file (by phone) is used, not created again
    expect(body(results.length - 1)).toMatchObject({ customerId: onFile!.id, created: false });
    const ids = [body(0).customerId, ...fresh.map((_, i) => body(5 + i).customerId)];
    expect(new Set(ids).size).toBe(7);
    const rows = await w.t.db.db.select().from(schema.customers).where(inArray(schema.customers.id, ids));
    expect(rows).toHaveLength(7);
    const dupRow = rows.find((r) => r.id === body(0).customerId)!;
    expect(dupRow).toMatchObject({ fullName: 'Dup', phone: `+${dup}`, whatsappId: dup, source: 'whatsapp' });
    for (const [i, from] of fresh.entries()) expect(rows.find((r) => r.id === body(5 + i).customerId)).toMatchObject({ fullName: `N${from}`, phone: `+${from}`, whatsappId: from });
    const audits = await w.t.db.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.action, 'customer.create'), inArray(schema.auditLog.entityId, ids)));
    expect(audits.map((a) => a.entityId).sort()).toEqual([...ids].sort());
    const created = w.t.events.slice(events0).filter((e) => e.type === 'customer.created') as { customerId: string; source: string }[];
    expect(created.map((e) => e.customerId).sort()).toEqual([...ids].sort());
    expect(created.every((e) => e.source === 'whatsapp')).toBe(true);
    // every identity leads to its customer: the same sender again, by BSUID alone or by phone, is matched
    const idents = await w.t.db.db.select().from(schema.customerChannelIdentities).where(eq(schema.customerChannelIdentities.customerId, body(0).customerId));
    expect(idents.map((x) => x.kind).sort()).toEqual(['phone', 'whatsapp', 'whatsapp_user']);
    const again = await Promise.all([w.post(messageWebhook(undefined, 'hi', `wamid.gc-new2-${dup}`, 'Dup', bsuid)), w.post(messageWebhook(known, 'hi', `wamid.gc-new2-${known}`))]);
    expect(again.map((r) => r.body.results[0].customerId)).toEqual([body(0).customerId, onFile!.id]);
    expect(again.map((r) => r.body.results[0].created)).toEqual([false, false]);
    const onFileIdents = await w.t.db.db.select().from(schema.customerChannelIdentities).where(eq(schema.customerChannelIdentities.customerId, onFile!.id));
    expect(onFileIdents.map((x) => x.kind).sort()).toEqual(['phone', 'whatsapp']);
  });
  it.skipIf(!onPostgres)('two processes (pools of their own) receive the same new senders at once: one customer each, the loser takes the winner', async () => {
    const other = await createDb({ url: w.t.db.url, max: 4 });
    try {
      const ctx2 = { ...w.t.ctx, db: other };
      const senders = Array.from({ length: 8 }, () => phone());
      const msgs = senders.map((from) => ({ channel: 'whatsapp' as const, from, text: 'hello', providerMessageId: `wamid.gc-2p-${from}`, name: `P${from}` }));
      const [a, b] = await Promise.all([
        Promise.all(msgs.map((m) => receiveInboundMessages(w.t.ctx, [m]))),
        Promise.all(msgs.map((m) => receiveInboundMessages(ctx2, [m]))),
      ]);
      for (const [i, from] of senders.entries()) {
        const rows = await w.t.db.db.select().from(schema.customers).where(eq(schema.customers.whatsappId, from));
        expect(rows, from).toHaveLength(1);
        expect(a![i]![0]!.customerId).toBe(rows[0]!.id);
        expect(b![i]![0]!.customerId).toBe(rows[0]!.id);
        expect(Number(a![i]![0]!.created) + Number(b![i]![0]!.created)).toBe(1);
        expect(await storedIn(`wamid.gc-2p-${from}`)).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });
});
