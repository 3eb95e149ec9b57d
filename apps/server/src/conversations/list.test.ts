/**
 * The inbox list's keyset pagination while the inbox changes between pages: each conversation
 * exactly once (new conversations, new messages on seen and unseen ones, status and unread
 * changes in between), rows that share a millisecond (PostgreSQL keeps microseconds), both sorts
 * (last message, SLA due with "no deadline" last), cursors of the other sort refused, the capped
 * counts, and search by name (folded) and phone (only for users who see contacts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { CONVERSATION_COUNT_CAP } from '@nudge/contracts';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';

let t: TestApp;
let manager: TestUser;
let agent: TestUser;
const conv = schema.conversations;
beforeAll(async () => {
  t = await createTestApp();
  manager = await t.user('manager');
  agent = await t.user('agent');
});
afterAll(async () => { await t?.close(); });

type Item = { id: string; lastMessageAt: string; firstResponseDueAt: string | null; nextResponseDueAt: string | null; unreadCount: number; customer: { fullName: string; phone: string | null } };
type Page = { items: Item[]; nextCursor: string | null; counts?: { total: number; unread: number; capped: boolean } };
const list = async (user: TestUser, query: Record<string, string | number>): Promise<Page> => {
  const res = await t.http.get('/api/conversations').set(user.auth).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Page;
};

/** `n` customers with a conversation each, named `${prefix} i`; last message `i` minutes before `base` */
async function seed(prefix: string, n: number, base: string, extra = ''): Promise<string[]> {
  await t.db.sql.exec(`
    insert into customers (full_name, phone) select '${prefix} ' || g, '+8869${prefix.length}' || lpad(g::text, 7, '0') from generate_series(1, ${n}) g;
    insert into conversations (customer_id, channel, status, last_message_at ${extra ? `, ${extra.split('=')[0]}` : ''})
      select c.id, 'whatsapp', 'open', timestamptz '${base}' - (substring(c.full_name from '[0-9]+$')::int) * interval '1 minute' ${extra ? `, ${extra.split('=')[1]}` : ''}
      from customers c where c.full_name like '${prefix} %';`);
  const rows = await t.db.db.select({ id: conv.id }).from(conv).innerJoin(schema.customers, eq(schema.customers.id, conv.customerId)).where(sql`${schema.customers.fullName} like ${`${prefix} %`}`);
  return rows.map((r) => r.id);
}

describe('keyset pagination while the inbox changes', () => {
  it('newest first: every conversation exactly once across pages though rows change in between', async () => {
    const ids = await seed('Page', 120, '2026-11-01T00:00:00Z');
    // five rows in the same millisecond, apart by microseconds; three with the very same time (the id decides)
    await t.db.sql.exec(`
      update conversations set last_message_at = timestamptz '2026-10-31 20:00:00.123001+00' + (substring((select full_name from customers where id = customer_id) from '[0-9]+$')::int % 5) * interval '1 microsecond'
        where customer_id in (select id from customers where full_name in ('Page 50', 'Page 51', 'Page 52', 'Page 53', 'Page 54'));
      update conversations set last_message_at = timestamptz '2026-10-31 19:00:00.5+00'
        where customer_id in (select id from customers where full_name in ('Page 60', 'Page 61', 'Page 62'));`);
    const seen: string[] = [];
    const order: Item[] = [];
    let cursor: string | null = null;
    let page = 0;
    const bumpedUnseen = new Set<string>();
    let added: string[] = [];
    do {
      const res: Page = await list(manager, { view: 'all', limit: 7, ...(cursor ? { cursor } : {}) });
      for (const c of res.items) {
        if (ids.includes(c.id)) {
          seen.push(c.id);
          order.push(c);
        }
      }
      cursor = res.nextCursor;
      page += 1;
      // between pages: a new conversation arrives, a seen one and an unseen one get a new message,
      // an unseen one is resolved, an unread count changes
      const unseen = ids.filter((id) => !seen.includes(id) && !bumpedUnseen.has(id));
      added = [...added, ...(await seed(`New${page}x`, 1, '2026-12-01T00:00:00Z'))];
      await t.db.db.update(conv).set({ lastMessageAt: new Date(`2026-11-20T00:00:${String(page % 60).padStart(2, '0')}Z`), unreadCount: page }).where(eq(conv.id, seen[0]!));
      if (page % 3 === 0 && unseen.length > 10) {
        await t.db.db.update(conv).set({ lastMessageAt: new Date('2026-11-25T00:00:00Z') }).where(eq(conv.id, unseen.at(-1)!));
        bumpedUnseen.add(unseen.at(-1)!);
      }
      if (unseen.length > 2) await t.db.db.update(conv).set({ status: 'resolved', unreadCount: 3 }).where(eq(conv.id, unseen[1]!));
    } while (cursor && page < 60);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    for (const id of ids) if (!bumpedUnseen.has(id)) expect(seen.filter((s) => s === id)).toHaveLength(1); // everything unchanged-in-order once
    expect(bumpedUnseen.size).toBeGreaterThan(0);
    // in order of the keys (the moved rows aside), the same-millisecond ones included
    const keys = order.filter((c) => !bumpedUnseen.has(c.id) && c.id !== seen[0]).map((c) => c.lastMessageAt);
    expect([...keys].sort().reverse()).toEqual(keys);
    // the ones that moved up are on the first page now, with the new ones
    const top = await list(manager, { view: 'all', limit: 100 });
    for (const id of [...bumpedUnseen, ...added]) expect(top.items.map((c) => c.id)).toContain(id);
  });

  it('rows apart by microseconds within one millisecond are each returned once (the cursor keeps microseconds)', async () => {
    const team = await t.team('Micro');
    const ids = await seed('Micro', 6, '2026-11-01T00:00:00Z');
    await t.db.sql.exec(`update conversations set team_id = '${team}', last_message_at = timestamptz '2026-10-30 10:00:00.777000+00' + (substring((select full_name from customers where id = customer_id) from '[0-9]+$')::int) * interval '100 microseconds'
      where id in ('${ids.join("','")}')`);
    const member = await t.user('agent', { teamId: team });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Page = await list(member, { view: 'team', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...res.items.map((c) => c.id));
      cursor = res.nextCursor;
    } while (cursor && seen.length < 20);
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('SLA due: the earliest deadline first, none last, each once; a cursor of the other sort is refused', async () => {
    const ids = await seed('Due', 40, '2026-11-02T00:00:00Z');
    // 1–14: first-response deadlines (some equal), 15–24: answered, a next-response deadline, 25–40: none
    await t.db.sql.exec(`
      update conversations cv set
        first_response_due_at = case when n < 25 then timestamptz '2026-11-03 00:00:00+00' + (n % 8) * interval '1 hour' end,
        first_responded_at = case when n between 15 and 24 then timestamptz '2026-11-02 00:00:00+00' end,
        next_response_due_at = case when n between 15 and 24 then timestamptz '2026-11-03 00:00:00.000500+00' + (n % 4) * interval '1 microsecond' end
      from (select id, substring(full_name from '[0-9]+$')::int as n from customers where full_name like 'Due %') c where c.id = cv.customer_id;`);
    const seen: Item[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: Page = await list(manager, { view: 'all', sort: 'sla_due', limit: 6, ...(cursor ? { cursor } : {}) });
      seen.push(...res.items.filter((c) => ids.includes(c.id)));
      cursor = res.nextCursor;
      page += 1;
      // between pages: new conversations without deadlines, unread counts change
      await seed(`Due${page}y`, 1, '2026-11-30T00:00:00Z');
      await t.db.db.update(conv).set({ unreadCount: page }).where(inArray(conv.id, ids.slice(page, page + 3)));
    } while (cursor && page < 60);
    expect(cursor).toBeNull();
    expect(seen.map((c) => c.id).sort()).toEqual([...ids].sort());
    const due = (c: Item) => c.firstResponseDueAt ?? c.nextResponseDueAt;
    const withDue = seen.filter(due);
    expect(withDue).toHaveLength(24);
    expect(seen.slice(0, 24)).toEqual(withDue); // none last
    expect(withDue.map((c) => Date.parse(due(c)!))).toEqual(withDue.map((c) => Date.parse(due(c)!)).sort((a, b) => a - b));

    const first = await list(manager, { view: 'all', sort: 'sla_due', limit: 2 });
    const wrong = await t.http.get('/api/conversations').set(manager.auth).query({ cursor: first.nextCursor! });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_input' });
    expect(wrong.body.error.message).toMatch(/cursor/);
  });
});

describe('counts and search', () => {
  it('counts up to the cap on the first page only; unread among them', async () => {
    const team = await t.team('Counted');
    const ids = await seed('Count', 30, '2026-10-01T00:00:00Z');
    await t.db.db.update(conv).set({ teamId: team }).where(inArray(conv.id, ids));
    await t.db.db.update(conv).set({ unreadCount: 2 }).where(inArray(conv.id, ids.slice(0, 4)));
    const teamAgent = await t.user('agent', { teamId: team });
    const first = await list(teamAgent, { view: 'team', limit: 10 });
    expect(first.counts).toEqual({ total: 30, unread: 4, capped: false });
    const next = await list(teamAgent, { view: 'team', limit: 10, cursor: first.nextCursor! });
    expect(next.counts).toBeUndefined();
    const p1 = await list(teamAgent, { view: 'team', priority: 'P1' });
    expect(p1.counts).toEqual({ total: 0, unread: 0, capped: false });

    await seed('Many', CONVERSATION_COUNT_CAP + 5, '2026-09-01T00:00:00Z', 'unread_count=1');
    const all = await list(manager, { view: 'all', limit: 5 });
    expect(all.counts).toEqual({ total: CONVERSATION_COUNT_CAP, unread: CONVERSATION_COUNT_CAP, capped: true });
  });

  it('finds by name (folded) and, for those who see contacts, by phone digits', async () => {
    const [id] = await seed('Zoë Example', 1, '2026-08-01T00:00:00Z');
    const [row] = await t.db.db.select({ customerId: conv.customerId }).from(conv).where(eq(conv.id, id!));
    await t.db.db.update(schema.customers).set({ phone: '+886912777444' }).where(eq(schema.customers.id, row!.customerId));
    const byName = await list(manager, { view: 'all', q: 'zoe example' });
    expect(byName.items.map((c) => c.id)).toEqual([id]);
    expect(byName.counts).toEqual({ total: 1, unread: 0, capped: false });
    // the customer as the API shows it, nothing more of the row it was read with
    expect(byName.items[0]!.customer).toEqual({ id: row!.customerId, fullName: 'Zoë Example 1', phone: '+886912777444', email: null, whatsappId: null });
    const byPhone = await list(manager, { view: 'all', q: '0912 777 444' });
    expect(byPhone.items.map((c) => c.id)).toEqual([id]);
    // an agent sees contacts masked: the phone finds nothing (no probing), the name still does
    expect((await list(agent, { view: 'all', q: '0912 777 444' })).items).toEqual([]);
    const agentByName = await list(agent, { view: 'all', q: 'ZOE' });
    expect(agentByName.items.map((c) => c.id)).toEqual([id]);
    expect(agentByName.items[0]!.customer.phone).not.toContain('777444');
    expect((await list(manager, { view: 'all', q: 'nobody like this' })).items).toEqual([]);
  });

  it('a search matching by name for one customer and by e-mail for another finds both, each once', async () => {
    const [byNameId] = await seed('Quintana Ortiz', 1, '2026-08-02T00:00:00Z');
    const [byMailId] = await seed('Somebody Else', 1, '2026-08-02T01:00:00Z');
    const [bothId] = await seed('Quintanilla', 1, '2026-08-02T02:00:00Z');
    const customerOf = async (id: string) => (await t.db.db.select({ c: conv.customerId }).from(conv).where(eq(conv.id, id)))[0]!.c;
    await t.db.db.update(schema.customers).set({ email: 'j.quintana@corp.example' }).where(eq(schema.customers.id, await customerOf(byMailId!)));
    await t.db.db.update(schema.customers).set({ email: 'quintanilla@corp.example' }).where(eq(schema.customers.id, await customerOf(bothId!)));
    const found = await list(manager, { view: 'all', q: 'QUINTAN' });
    expect(found.items.map((c) => c.id).sort()).toEqual([byNameId, byMailId, bothId].sort());
    expect(found.counts).toEqual({ total: 3, unread: 0, capped: false });
    // an agent sees e-mails masked: only the names match
    expect((await list(agent, { view: 'all', q: 'QUINTAN' })).items.map((c) => c.id).sort()).toEqual([byNameId, bothId].sort());
  });

  it('a search matching thousands of customers reads the list in order and keeps the matches', async () => {
    await seed('Dense', 2100, '2026-07-01T00:00:00Z', 'unread_count=1');
    const first = await list(manager, { view: 'all', q: 'dense', limit: 30 });
    expect(first.items).toHaveLength(30);
    expect(first.items.every((c) => c.customer.fullName.startsWith('Dense '))).toBe(true);
    expect(first.counts).toEqual({ total: CONVERSATION_COUNT_CAP, unread: CONVERSATION_COUNT_CAP, capped: true });
    const second = await list(manager, { view: 'all', q: 'dense', limit: 30, cursor: first.nextCursor! });
    expect(second.items.every((c) => c.customer.fullName.startsWith('Dense ') && !first.items.some((f) => f.id === c.id))).toBe(true);
    expect(Date.parse(second.items[0]!.lastMessageAt)).toBeLessThanOrEqual(Date.parse(first.items.at(-1)!.lastMessageAt));
  });
});
