/**
 * The metrics' turn rollup (`conversation_turns`, kept by triggers of migration 0020): written in
 * the transaction that stores messages, also when they arrive one statement at a time and out of
 * order, when one is deleted or moved, not for a delivery-status change, not on a rolled-back
 * transaction, and consistent when two transactions write the same conversation at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp } from '../http/testing.js';

let t: TestApp;
let agentId: string;
const cm = schema.conversationMessages;
const turns = schema.conversationTurns;
beforeAll(async () => {
  t = await createTestApp();
  agentId = (await t.user('agent')).id;
});
afterAll(async () => { await t?.close(); });

const T0 = Date.parse('2026-11-02T01:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);

async function newConversation() {
  const [c] = await t.db.db.insert(schema.customers).values({ fullName: 'Turns customer' }).returning({ id: schema.customers.id });
  const [conv] = await t.db.db.insert(schema.conversations).values({ customerId: c!.id, channel: 'whatsapp' }).returning({ id: schema.conversations.id });
  return { id: conv!.id, customerId: c!.id };
}
const message = (c: { id: string; customerId: string }, direction: 'in' | 'out' | 'note', minute: number, origin: string | null = null, body = 'x') => ({
  conversationId: c.id, customerId: c.customerId, direction, channel: 'whatsapp', body, origin, authorId: origin === 'agent' ? agentId : null,
  status: direction === 'in' ? ('received' as const) : ('sent' as const), createdAt: at(minute),
});
const turnsOf = (id: string) => t.db.db.select().from(turns).where(eq(turns.conversationId, id)).orderBy(asc(turns.turn));

describe('conversation_turns', () => {
  it('follows messages stored one by one, out of order, deleted, moved; notes and statuses leave it alone', async () => {
    const c = await newConversation();
    await t.db.db.insert(cm).values(message(c, 'in', 0, null, 'price?'));
    await t.db.db.insert(cm).values(message(c, 'out', 1, 'auto_reply'));
    await t.db.db.insert(cm).values(message(c, 'in', 30, null, 'human agent'));
    await t.db.db.insert(cm).values(message(c, 'out', 31, 'handoff'));
    // stored late, but written before the hand-off: belongs to the second turn, not a new one
    await t.db.db.insert(cm).values(message(c, 'in', 20, null, 'hello?'));
    await t.db.db.insert(cm).values(message(c, 'note', 40, 'agent'));
    const [reply] = await t.db.db.insert(cm).values(message(c, 'out', 45, 'agent')).returning();
    let rows = await turnsOf(c.id);
    expect(rows.map((r) => [r.turn, r.inAt.toISOString(), r.body, r.auto, r.handoff])).toEqual([
      [1, at(0).toISOString(), 'price?', true, false],
      [2, at(20).toISOString(), 'hello?', false, false],
      [3, at(30).toISOString(), 'human agent', true, true],
    ]);
    expect(rows[0]!.thenHandoff).toBe(true); // the next automatic step after the keyword reply was the hand-off
    expect(rows[2]!.agentAt?.toISOString()).toBe(at(45).toISOString());
    expect(rows[2]!.agentId).toBe(agentId);
    expect(rows[2]!.waitNo).toBe(0);
    expect(rows[2]!.waitStartAt.toISOString()).toBe(at(0).toISOString()); // the first response's wait starts at the first message
    expect(rows[1]!.nextInAt?.toISOString()).toBe(at(30).toISOString());

    // after a person's reply the next customer message starts the next wait
    await t.db.db.insert(cm).values(message(c, 'in', 60, null, 'thanks'));
    rows = await turnsOf(c.id);
    expect(rows.at(-1)).toMatchObject({ turn: 4, waitNo: 1, prevAgentAt: at(45) });
    expect(rows.at(-1)!.waitStartAt.toISOString()).toBe(at(60).toISOString());

    // a delivery status changes nothing; a moved message and a deleted one are recomputed
    await t.db.db.update(cm).set({ status: 'read', statusAt: at(70) }).where(eq(cm.id, reply!.id));
    expect(await turnsOf(c.id)).toEqual(rows);
    await t.db.db.update(cm).set({ createdAt: at(25) }).where(eq(cm.id, reply!.id)); // now answers the second turn
    rows = await turnsOf(c.id);
    expect(rows[1]!.agentAt?.toISOString()).toBe(at(25).toISOString());
    expect(rows[2]!.agentAt).toBeNull();
    expect(rows[2]!.waitNo).toBe(1);
    await t.db.db.delete(cm).where(eq(cm.body, 'hello?'));
    rows = await turnsOf(c.id);
    expect(rows.map((r) => r.body)).toEqual(['price?', 'human agent', 'thanks']);
  });

  it('is written in the transaction: a rolled-back message leaves no turn; a deleted conversation takes its turns', async () => {
    const c = await newConversation();
    await t.db.db.insert(cm).values(message(c, 'in', 0));
    await expect(
      t.db.db.transaction(async (tx) => {
        await tx.insert(cm).values(message(c, 'in', 5));
        expect(await tx.select().from(turns).where(eq(turns.conversationId, c.id))).toHaveLength(2); // seen inside
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await turnsOf(c.id)).toHaveLength(1);
    await t.db.db.delete(schema.conversations).where(eq(schema.conversations.id, c.id));
    expect(await turnsOf(c.id)).toHaveLength(0);
  });

  it('two transactions writing the same conversation at once: every customer message is a turn', async () => {
    const c = await newConversation();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.db.db.transaction(async (tx) => {
          await tx.insert(cm).values(message(c, 'in', i * 10));
          await tx.insert(cm).values(message(c, 'out', i * 10 + 1, 'auto_reply'));
        }),
      ),
    );
    const rows = await turnsOf(c.id);
    expect(rows.map((r) => r.inAt.toISOString())).toEqual(Array.from({ length: 8 }, (_, i) => at(i * 10).toISOString()));
    expect(rows.every((r) => r.auto && r.replyAt !== null)).toBe(true);
  });

  it('a bulk insert over many conversations (an import, the demo data) fills them all in one statement', async () => {
    const cs = await Promise.all(Array.from({ length: 50 }, () => newConversation()));
    await t.db.db.insert(cm).values(cs.flatMap((c) => [message(c, 'in', 0), message(c, 'out', 1, 'agent'), message(c, 'in', 5)]));
    for (const c of cs.slice(0, 5)) expect((await turnsOf(c.id)).map((r) => r.waitNo)).toEqual([0, 1]);
    const [{ n }] = (await t.db.sql.query<{ n: number }>(`select count(*)::int as n from conversation_turns where conversation_id in ('${cs.map((c) => c.id).join("','")}')`)) as [{ n: number }];
    expect(n).toBe(100);
  });
});
