import { createTestDb, type TestDb } from '@nudge/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdempotency } from './idempotency.js';
import { sendsTableDdl, SqlIdempotencyStore } from './sql-idempotency.js';
import type { ChannelAdapter } from './types.js';

describe('SqlIdempotencyStore (PGlite, or Postgres with DATABASE_URL)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb({ migrate: false });
    await db.sql.exec(sendsTableDdl());
  });
  afterAll(() => db.cleanup());

  it('claims once, reports the sent result, and releases failures', async () => {
    const store = new SqlIdempotencyStore(db.sql);
    expect(await store.claim('email:k1', 'email', 1000)).toEqual({ state: 'claimed' });
    expect(await store.claim('email:k1', 'email', 2000)).toEqual({ state: 'in_flight', since: 1000 });
    await store.complete('email:k1', { providerMessageId: '<abc@nudge>' });
    expect(await store.claim('email:k1', 'email', 3000)).toEqual({ state: 'sent', result: { providerMessageId: '<abc@nudge>' } });
    await store.release('email:k1'); // a sent key is never released
    expect((await store.claim('email:k1', 'email', 4000)).state).toBe('sent');
    expect(await store.claim('sms:k2', 'sms', 1)).toEqual({ state: 'claimed' });
    await store.release('sms:k2');
    expect(await store.claim('sms:k2', 'sms', 2)).toEqual({ state: 'claimed' });
  });

  it('sends once when many sends with one key race', async () => {
    let sends = 0;
    const slow: ChannelAdapter = {
      channel: 'whatsapp',
      async send() {
        sends += 1;
        await new Promise((r) => setTimeout(r, 50));
        return { providerMessageId: `wamid.${sends}` };
      },
    };
    const adapter = withIdempotency(slow, new SqlIdempotencyStore(db.sql));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => adapter.send({ to: '+15551234567', text: 'hi', idempotencyKey: 'race' })));
    expect(sends).toBe(1);
    // a racer that claims after the winner finished gets the winner's result; one that claims during the send is told to retry
    for (const r of results) {
      if (r.status === 'fulfilled') expect(r.value).toEqual({ providerMessageId: 'wamid.1' });
      else expect(r.reason).toMatchObject({ code: 'send_in_progress', retryable: true });
    }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(await adapter.send({ to: '+15551234567', text: 'hi', idempotencyKey: 'race' })).toEqual({ providerMessageId: 'wamid.1' });
  });

  it('refuses a table name that is not plain', () => {
    expect(() => new SqlIdempotencyStore(db.sql, 'sends; drop table x')).toThrow(/not a plain table name/);
  });
});
