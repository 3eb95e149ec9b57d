/**
 * conversation_turns kept incrementally (migration 0024: the last turn updated, the next one
 * appended) gives exactly what the full recompute (`nudge_refresh_turns`, the definition since
 * 0023) gives: a seeded random history of inbound, outbound (every origin), notes, delivery
 * statuses, out-of-order and same-instant messages, several messages per statement, edits, moves
 * and deletes over several conversations, checked against a recompute after every step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './testing.js';

let d: TestDb;
beforeAll(async () => { d = await createTestDb(); }, 180_000);
afterAll(async () => { await d?.cleanup(); });

/** mulberry32: the same history on every run and both drivers */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snapshot = async () =>
  (await d.sql.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM conversation_turns t ORDER BY conversation_id, turn`)).map((x) => x.r);

/** the incremental rollup, then the full recompute of every conversation: equal */
async function expectSameAsRecompute(step: string) {
  const incremental = await snapshot();
  await d.sql.query(`SELECT nudge_refresh_turns(ARRAY(SELECT id FROM conversations))`);
  const full = await snapshot();
  expect(incremental, step).toEqual(full);
  return full.length;
}

describe('conversation_turns, incremental = full recompute', () => {
  it('over a random history of 6 conversations', async () => {
    const rand = rng(20261202);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const agents = (await d.sql.query<{ id: string }>(
      `INSERT INTO users (email, name, password_hash, role) SELECT 'turns' || g || '@test.local', 'Agent ' || g, 'x', 'agent' FROM generate_series(1, 3) g RETURNING id`)).map((r) => r.id);
    const rules = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'ffffffff-0000-4000-8000-000000000003'];
    const convs: { id: string; customerId: string; clock: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const [c] = await d.sql.query<{ id: string }>(`INSERT INTO customers (full_name) VALUES ($1) RETURNING id`, [`Turns ${i}`]);
      const [v] = await d.sql.query<{ id: string }>(`INSERT INTO conversations (customer_id, channel) VALUES ($1, 'whatsapp') RETURNING id`, [c!.id]);
      convs.push({ id: v!.id, customerId: c!.id, clock: 0 });
    }
    const T0 = Date.parse('2026-11-02T01:00:00Z');
    const origins = ['auto_reply', 'auto_reply', 'welcome', 'away', 'handoff', 'handoff', 'follow_up', 'agent', 'agent', 'agent', null] as const;
    /** one message's columns; `late` dates it before the conversation's last one, `tie` at the same instant */
    const message = (c: (typeof convs)[number], mode: 'next' | 'late' | 'tie') => {
      const r = rand();
      const direction = r < 0.4 ? 'in' : r < 0.9 ? 'out' : 'note';
      const origin = direction === 'out' ? pick(origins) : null;
      if (mode === 'next') c.clock += 1 + Math.floor(rand() * 90);
      const sec = mode === 'late' ? Math.floor(rand() * c.clock) : c.clock;
      return [c.id, c.customerId, direction, origin === 'auto_reply' ? pick([...rules, null]) : null, origin === 'agent' ? pick([...agents, null]) : null,
        origin, pick(['price?', 'shipping', 'human agent', 'hi']), new Date(T0 + sec * 1000 + (mode === 'next' ? 0 : Math.floor(rand() * 1000))).toISOString()];
    };
    const insert = (db: Pick<TestDb['sql'], 'query'>, rows: unknown[][]) => db.query(
      `INSERT INTO conversation_messages (conversation_id, customer_id, direction, rule_id, author_id, origin, body, created_at, channel, status)
       SELECT v.c, v.cu, v.dir::conversation_message_direction, v.r, v.a, v.o, v.b, v.t, 'whatsapp', CASE WHEN v.dir = 'in' THEN 'received' ELSE 'sent' END::conversation_message_status
       FROM jsonb_to_recordset($1::jsonb) AS v(c uuid, cu uuid, dir text, r uuid, a uuid, o text, b text, t timestamptz)`,
      [JSON.stringify(rows.map(([c, cu, dir, r, a, o, b, t]) => ({ c, cu, dir, r, a, o, b, t })))], { prepare: false });
    /** a stored message, chosen by the seeded generator (not by the database's random()) */
    const randomMessage = async () => {
      const ids = await d.sql.query<{ id: string }>(`SELECT id FROM conversation_messages ORDER BY created_at, id`);
      return ids.length ? ids[Math.floor(rand() * ids.length)]!.id : '00000000-0000-4000-8000-000000000000';
    };

    const counts: Record<string, number> = {};
    for (let step = 0; step < 250; step++) {
      const r = rand();
      const c = pick(convs);
      let kind: string;
      if (r < 0.55) { kind = 'append'; await insert(d.sql, [message(c, 'next')]); }
      else if (r < 0.62) { kind = 'same instant'; await insert(d.sql, [message(c, 'tie')]); }
      else if (r < 0.7) { kind = 'out of order'; await insert(d.sql, [message(c, 'late')]); }
      else if (r < 0.78) {
        kind = 'several per statement';
        const other = pick(convs);
        await insert(d.sql, [message(c, 'next'), message(other, 'next'), message(c, 'next'), message(c, 'next')]);
      } else if (r < 0.82) {
        kind = 'several statements, one transaction';
        await d.sql.transaction(async (tx) => { await insert(tx, [message(c, 'next')]); await insert(tx, [message(c, 'next')]); });
      } else if (r < 0.86) {
        kind = 'status';
        const id = await randomMessage();
        await d.sql.query(`UPDATE conversation_messages SET status = 'read', status_at = now() WHERE id = $1`, [id]);
      } else if (r < 0.9) {
        kind = 'edit';
        const id = await randomMessage();
        await d.sql.query(`UPDATE conversation_messages SET origin = $2, body = body || '!' WHERE id = $1`, [id, pick(origins)]);
      } else if (r < 0.93) {
        kind = 'moved in time or direction';
        const id = await randomMessage();
        await d.sql.query(`UPDATE conversation_messages SET created_at = created_at - interval '37 seconds', direction = $2::conversation_message_direction WHERE id = $1`, [id, pick(['in', 'out', 'note'])]);
      } else if (r < 0.97) {
        kind = 'delete';
        const id = await randomMessage();
        await d.sql.query(`DELETE FROM conversation_messages WHERE id = $1`, [id]);
      } else {
        kind = 'rolled back';
        await expect(d.sql.transaction(async (tx) => { await insert(tx, [message(c, 'next')]); throw new Error('rollback'); })).rejects.toThrow('rollback');
      }
      counts[kind] = (counts[kind] ?? 0) + 1;
      await expectSameAsRecompute(`step ${step} (${kind})`);
    }
    // every kind of write happened, and the history has turns of every shape
    expect(Object.keys(counts).length).toBe(10);
    const [shape] = await d.sql.query<Record<string, number>>(`SELECT count(*)::int AS turns, count(*) FILTER (WHERE auto)::int AS auto, count(*) FILTER (WHERE handoff)::int AS handoff,
      count(*) FILTER (WHERE then_handoff)::int AS then_handoff, count(*) FILTER (WHERE agent_at IS NOT NULL)::int AS answered, count(*) FILTER (WHERE wait_no > 0)::int AS waited FROM conversation_turns`);
    for (const v of Object.values(shape!)) expect(v).toBeGreaterThan(3);
  });

  it('a bulk write (more than 32 conversations) and a conversation deleted', async () => {
    await d.sql.exec(`
      INSERT INTO customers (full_name) SELECT 'Bulk ' || g FROM generate_series(1, 40) g;
      INSERT INTO conversations (customer_id, channel) SELECT id, 'whatsapp' FROM customers WHERE full_name LIKE 'Bulk %';
      INSERT INTO conversation_messages (conversation_id, customer_id, direction, origin, body, channel, status, created_at)
        SELECT c.id, c.customer_id, (array['in','out','out','in','out'])[k]::conversation_message_direction, (array[null,'auto_reply','handoff',null,'agent'])[k], 'x', 'whatsapp', 'sent',
          timestamptz '2026-11-03T00:00:00Z' + k * interval '1 minute'
        FROM conversations c CROSS JOIN generate_series(1, 5) k WHERE c.customer_id IN (SELECT id FROM customers WHERE full_name LIKE 'Bulk %')`);
    expect(await expectSameAsRecompute('bulk')).toBeGreaterThanOrEqual(80);
    await d.sql.query(`DELETE FROM conversations WHERE id = (SELECT conversation_id FROM conversation_turns ORDER BY turn DESC LIMIT 1)`);
    await expectSameAsRecompute('conversation deleted');
  });
});
