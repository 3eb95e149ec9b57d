/**
 * PostgreSQL: an outbox lease says who holds it (`locked_by`, the drainer's session advisory lock).
 * A row leased by a drainer whose lock is gone (its process died: the server ended the session) is
 * claimed at once, a 10-minute lease notwithstanding; a row leased by a drainer that still holds
 * its lock is left alone until that lock goes. (PGlite, one process per data folder, releases a
 * dead process's leases at start: crash.test.ts covers both.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { testDriver } from '@nudge/db/testing';
import { LEASE_LOCK, startOutbox, type OutboxDrainer } from './outbox.js';
import { createInboxWorld, eventually, messageWebhook, sentTo, sleep, type InboxWorld } from './test-support.js';

const ob = schema.conversationOutbox;
let w: InboxWorld;
let drainer: OutboxDrainer | undefined;

describe.runIf(testDriver() === 'postgres')('outbox leases on PostgreSQL', () => {
  beforeAll(async () => {
    w = await createInboxWorld({ statusWebhooks: false });
    await w.outbox.stop(); // the webhooks' replies are queued, not sent
  });
  afterAll(async () => {
    await drainer?.stop();
    await w?.close();
  });

  it("claims at once the rows of a drainer whose session lock is gone, and leaves a live one's alone until it goes", async () => {
    const live = '886912666001';
    const dead = '886912666002';
    expect((await w.post(messageWebhook(live, '請問價格', 'wamid.lease-live'))).status).toBe(200);
    expect((await w.post(messageWebhook(dead, '請問價格', 'wamid.lease-dead'))).status).toBe(200);
    const rowsOf = async (wamid: string) => {
      const [m] = await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.providerMessageId, wamid));
      return (await w.t.db.db.select().from(ob).where(eq(ob.conversationId, m!.conversationId))).filter((r) => r.messageId !== null);
    };
    const liveRows = await rowsOf('wamid.lease-live');
    const deadRows = await rowsOf('wamid.lease-dead');
    expect(liveRows).toHaveLength(2); // the welcome and the price reply, due now
    expect(deadRows).toHaveLength(2);

    // another drainer, alive: it holds its lock; a dead one: nobody holds 4243
    const releaseLive = await w.t.db.sessionLock!(LEASE_LOCK, 4242);
    expect(releaseLive).not.toBeNull();
    const inTenMinutes = new Date(Date.now() + 600_000);
    await w.t.db.db.update(ob).set({ lockedUntil: inTenMinutes, lockedBy: 4242 }).where(inArray(ob.id, liveRows.map((r) => r.id)));
    await w.t.db.db.update(ob).set({ lockedUntil: inTenMinutes, lockedBy: 4243 }).where(inArray(ob.id, deadRows.map((r) => r.id)));

    drainer = startOutbox(w.t.ctx, { channels: w.channels, pollMs: 200, leaseMs: 600_000 });
    await eventually(async () => sentTo(w.wa, dead).length >= 2, "the dead drainer's rows sent", 10_000);
    expect(drainer.owner).toEqual(expect.any(Number));
    await sleep(1500); // seven polls
    expect(sentTo(w.wa, live)).toHaveLength(0);
    expect((await w.t.db.db.select().from(ob).where(inArray(ob.id, liveRows.map((r) => r.id)))).every((r) => r.state === 'pending' && r.lockedBy === 4242)).toBe(true);

    await releaseLive!(); // that drainer stops (or its process dies)
    const bodies = await eventually(async () => { const b = sentTo(w.wa, live); return b.length >= 2 && b; }, 'the rows of the drainer that went', 10_000);
    expect(bodies).toEqual(expect.arrayContaining([expect.stringMatching(/價格範圍/), expect.stringMatching(/歡迎/)]));
    await sleep(500);
    expect(sentTo(w.wa, live)).toHaveLength(2);
    expect(sentTo(w.wa, dead)).toHaveLength(2);
  });

  it('a drainer holds its lock while it runs and gives it up when it stops', async () => {
    const owner = drainer!.owner!;
    const held = async () => Number((await w.t.db.sql.query<{ n: number }>(
      `select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = $1::int::oid and objid = $2::int::oid and objsubid = 2`, [LEASE_LOCK, owner]))[0]!.n);
    expect(await held()).toBe(1);
    await drainer!.stop();
    drainer = undefined;
    expect(await held()).toBe(0);
  });
});
