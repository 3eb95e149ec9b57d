/**
 * A chain of database-only steps reads its customer once (ChainCustomer): the steps after the
 * first are answered from the chain's snapshot, which stays what a fresh read would answer — a
 * timeline entry moves its contact dates as the entry's statement moved the row, any other write
 * (a tag, a field) makes the next step read again, and a tag's expiry ends it.
 * PGlite, or Postgres when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import type { AppContext } from '../../context.js';
import { ChainCustomer, createDbNodeContext, loadCustomerSnapshot } from './node-context.js';
import { createTag, createUser, seedCustomers } from './test-support.js';

let db: TestDb;
let ctx: AppContext;
let customers: string[];

beforeAll(async () => {
  db = await createTestDb({ migrate: true });
  ctx = { db } as AppContext;
  customers = await seedCustomers(ctx, { count: 2, ownerId: await createUser(ctx) });
  await createTag(ctx, 'chain-vip');
  await createTag(ctx, 'chain-brief');
}, 120_000);
afterAll(async () => db?.cleanup());

const stepContext = (customerId: string, n: number, nowMs: number, chain: ChainCustomer) =>
  createDbNodeContext(
    { app: ctx },
    { runId: 'r', flowId: 'f', flowVersion: 1, nodeId: `n${n}`, customerId, attempt: 1, idempotencyKey: `r:n${n}:1-${Math.random()}`, testMode: false },
    nowMs,
    {},
    chain,
  );

describe('ChainCustomer', () => {
  it('reads once per chain, moves the contact dates of its own notes exactly, reads again after any other write or a tag expiry', async () => {
    const [customerId] = customers as [string];
    await db.sql.query(`update customers set last_interaction_at = null, first_contact_at = null, last_follow_up_at = null where id = $1`, [customerId]);
    const chain = new ChainCustomer(customerId);
    const t0 = Date.now();
    const first = await stepContext(customerId, 1, t0, chain).customers.get(customerId);
    expect(first).toEqual(await loadCustomerSnapshot(ctx, customerId, t0));
    expect(first!.fields.lastInteractionAt).toBeNull();

    // notes: no read, and the snapshot is what the row now says
    for (let n = 2; n <= 4; n++) {
      const step = stepContext(customerId, n, t0, chain);
      await step.timeline.addNote(customerId, `note ${n}`);
      expect(await step.customers.get(customerId)).toEqual(await loadCustomerSnapshot(ctx, customerId, t0));
    }
    expect(chain.reads).toBe(1);
    expect((await stepContext(customerId, 5, t0, chain).customers.get(customerId))!.fields.lastInteractionAt).not.toBeNull();

    // a tag: the next step reads again and sees it
    const tagging = stepContext(customerId, 6, t0, chain);
    await tagging.customers.addTag(customerId, 'chain-vip', { expiresAt: null });
    expect((await tagging.customers.get(customerId))!.tags).toContain('chain-vip');
    expect(chain.reads).toBe(2);

    // a tag that expires: held until then, read again after
    await tagging.customers.addTag(customerId, 'chain-brief', { expiresAt: t0 + 60_000 });
    expect((await stepContext(customerId, 7, t0 + 1_000, chain).customers.get(customerId))!.tags).toContain('chain-brief');
    const reads = chain.reads;
    expect((await stepContext(customerId, 8, t0 + 2_000, chain).customers.get(customerId))!.tags).toContain('chain-brief');
    expect(chain.reads).toBe(reads);
    expect((await stepContext(customerId, 9, t0 + 61_000, chain).customers.get(customerId))!.tags).not.toContain('chain-brief');
    expect(chain.reads).toBe(reads + 1);

    // a step that changes what it was given changes nothing for the next one
    const given = await stepContext(customerId, 10, t0 + 61_000, chain).customers.get(customerId);
    given!.tags.push('not really');
    expect((await stepContext(customerId, 11, t0 + 61_000, chain).customers.get(customerId))!.tags).not.toContain('not really');
  });

  it('another customer is read as usual, and an entry on them drops the chain’s snapshot', async () => {
    const [customerId, other] = customers as [string, string];
    const chain = new ChainCustomer(customerId);
    const t0 = Date.now();
    const step = stepContext(customerId, 1, t0, chain);
    await step.customers.get(customerId);
    expect((await step.customers.get(other))!.id).toBe(other);
    await step.timeline.addNote(other, 'about the other one');
    await step.customers.get(customerId);
    expect(chain.reads).toBe(2);
  });
});
