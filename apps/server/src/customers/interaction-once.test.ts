/**
 * A flow step's timeline entry goes in once per idempotency key and customer, in one statement:
 * concurrent attempts (a retry racing a zombie attempt) write one row and all get its id, and the
 * customer's contact dates move only for the entry that was inserted, as addInteraction moves them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import type { SqlClient } from '@nudge/db';
import type { AppContext } from '../context.js';
import { createUser, seedCustomers } from '../flows/runtime/test-support.js';
import { addInteractionOnce } from './service.js';

let db: TestDb;
let customers: string[];

beforeAll(async () => {
  db = await createTestDb({ migrate: true });
  const ctx = { db } as AppContext;
  customers = await seedCustomers(ctx, { count: 3, ownerId: await createUser(ctx) });
}, 120_000);
afterAll(async () => db?.cleanup());

function counting(sql: SqlClient) {
  const counter = { statements: 0 };
  const client: SqlClient = { ...sql, query: (text, params, options) => (counter.statements++, sql.query(text, params, options)) };
  return { ctx: { db: { ...db, sql: client } } as unknown as AppContext, counter };
}

const dates = async (customerId: string) =>
  (await db.sql.query<{ last: string | null; first: string | null; follow: string | null }>(
    `select last_interaction_at::text as last, first_contact_at::text as first, last_follow_up_at::text as follow from customers where id = $1`,
    [customerId],
  ))[0]!;

describe('addInteractionOnce', () => {
  it('writes one entry for eight concurrent attempts with one key, in one statement each, and answers its id to all', async () => {
    const [customerId] = customers as [string];
    await db.sql.query(`update customers set last_interaction_at = null, first_contact_at = null, last_follow_up_at = null where id = $1`, [customerId]);
    const { ctx, counter } = counting(db.sql);
    const key = `run:${randomUUID()}:n1:1`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => addInteractionOnce(ctx, customerId, key, { kind: 'note', body: `attempt ${i}`, payload: { flowId: 'f' }, occurredAt: new Date('2026-03-01T10:00:00Z') })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    // one statement each, plus a plain re-read only for an attempt that lost the race in flight
    expect(counter.statements).toBeGreaterThanOrEqual(8);
    expect(counter.statements).toBeLessThanOrEqual(15);
    const rows = await db.sql.query<{ id: string; kind: string; payload: Record<string, unknown> }>(
      `select id::text, kind::text, payload from interactions where customer_id = $1 and payload->>'idempotencyKey' = $2`,
      [customerId, key],
    );
    expect(rows).toEqual([{ id: results[0]!.id, kind: 'note', payload: { flowId: 'f', idempotencyKey: key } }]);
    const d = await dates(customerId);
    expect(new Date(d.last!).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(new Date(d.first!).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(d.follow).toBeNull();

    // the same key again later: the first entry, and the customer's dates untouched
    const again = await addInteractionOnce(ctx, customerId, key, { kind: 'note', body: 'later', occurredAt: new Date('2026-04-01T10:00:00Z') });
    expect(again).toEqual({ id: results[0]!.id, created: false });
    expect(new Date((await dates(customerId)).last!).toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('moves the follow-up date for a sent message, nothing for a system entry, and keeps keys of other customers apart', async () => {
    const [, a, b] = customers as [string, string, string];
    await db.sql.query(`update customers set last_interaction_at = null, first_contact_at = null, last_follow_up_at = null where id = any($1::uuid[])`, [[a, b]]);
    const key = `run:${randomUUID()}:send:1`;
    const sent = await addInteractionOnce({ db } as AppContext, a, key, { kind: 'message_out', channel: 'email', body: 'hi', occurredAt: new Date('2026-03-02T08:00:00Z') });
    const other = await addInteractionOnce({ db } as AppContext, b, key, { kind: 'system', body: 'owner', occurredAt: new Date('2026-03-02T08:00:00Z') });
    expect(sent.created && other.created).toBe(true);
    expect(sent.id).not.toBe(other.id);
    const da = await dates(a);
    expect(new Date(da.follow!).toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(new Date(da.last!).toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(await dates(b)).toEqual({ last: null, first: null, follow: null });
  });

  it('refuses a second entry with the same key for the same customer by constraint, also outside this function', async () => {
    const [customerId] = customers as [string];
    const key = `run:${randomUUID()}:n2:1`;
    await addInteractionOnce({ db } as AppContext, customerId, key, { kind: 'note', body: 'first' });
    await expect(
      db.sql.query(`insert into interactions (customer_id, kind, body, payload) values ($1, 'note', 'second', $2::jsonb)`, [customerId, JSON.stringify({ idempotencyKey: key })]),
    ).rejects.toThrow(/interactions_idempotency_key_uq|duplicate key/);
  });
});
