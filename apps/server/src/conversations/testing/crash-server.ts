/**
 * A server process for the crash test: the app, the outbox and the WhatsApp channel (the stand-in
 * at WA_URL) on the database at NUDGE_TEST_DB (a PGlite folder or postgres://). With
 * CRASH_BEFORE_SEND=1 the process SIGKILLs itself when the outbox is about to send: after the
 * inbound message and its queued reply were committed, before anything reached the provider.
 * With CRASH_IN_BATCH=1 it SIGKILLs itself inside a transaction shared by several inbound messages
 * (group commit), before the COMMIT. LEASE_MS: the outbox's lease (default 1000). Prints {"port":N}
 * when listening.
 */
import type { AddressInfo } from 'node:net';
import { createDb, migrate, schema } from '@nudge/db';
import { SqlIdempotencyStore, createChannels, type Channels } from '@nudge/channels';
import { createApp } from '../../app.js';
import type { AppContext } from '../../context.js';
import { insertExampleRules } from '../examples.js';
import { startOutbox } from '../outbox.js';
import { groupCommitOf } from '../inbound.js';

const db = await createDb({ url: process.env.NUDGE_TEST_DB! });
await migrate(db);
if (process.env.SEED === '1') {
  const [team] = await db.db.insert(schema.teams).values({ name: 'Sales' }).returning();
  await db.db.insert(schema.teamInboxSettings).values({ teamId: team!.id, timezone: 'UTC', periods: [], isDefault: true });
  await insertExampleRules(db.db);
}
const ctx: AppContext = { db };
const channels = createChannels(
  { whatsapp: { baseUrl: process.env.WA_URL!, phoneNumberId: process.env.WA_PHONE_ID!, accessToken: process.env.WA_TOKEN! } },
  { store: new SqlIdempotencyStore(db.sql) },
);
const kill = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<never>(() => {});
};
// killed when about to send: before the ledger's claims too (the drainer claims a batch's sends at once)
const crashing: Channels = { ...channels, send: kill, batch: kill };
// CRASH_IN_BATCH=1: nothing is claimed or sent before the kill. Otherwise a message committed alone
// before it could be killed mid-send (claimed in the ledger, maybe delivered): with no status
// webhooks that is WhatsApp's unknown outcome, resent only after the 30-s lease and the 60-s wait
// (the first case tests the kill before a send; this one the kill inside a shared transaction)
const holding: Channels = { ...channels, send: () => new Promise<never>(() => {}), batch: () => new Promise<never>(() => {}) };
startOutbox(ctx, { channels: process.env.CRASH_BEFORE_SEND === '1' ? crashing : process.env.CRASH_IN_BATCH === '1' ? holding : channels, leaseMs: Number(process.env.LEASE_MS ?? 1000), pollMs: 200 });
// CRASH_IN_BATCH=1: SIGKILL inside a group-commit transaction of several messages, before its COMMIT
if (process.env.CRASH_IN_BATCH === '1') groupCommitOf(ctx).beforeCommit = () => process.kill(process.pid, 'SIGKILL');
const app = createApp(ctx);
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
