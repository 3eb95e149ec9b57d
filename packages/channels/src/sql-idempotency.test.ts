/**
 * The send ledger on PGlite, or Postgres with DATABASE_URL, against the real adapters and their
 * stand-ins: leases, the per-channel settlement of unknown outcomes, concurrent attempts.
 * "A process died mid-send" is played by claiming with a short lease under an owner that never
 * comes back and handing the message to the provider with the raw adapter (accepted, never recorded).
 */
import { createServer, type Server } from 'node:http';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpAdapter, messageIdFor } from './email.js';
import { SendLedger, type SendWaiting } from './idempotency.js';
import { createSmsAdapter } from './sms.js';
import { sendsTableDdl, SqlIdempotencyStore } from './sql-idempotency.js';
import { startSmsStandIn, startSmtpStandIn, startWhatsAppStandIn, type SmsStandIn, type SmtpStandIn, type WhatsAppStandIn } from './standins/index.js';
import type { ChannelAdapter, OutboundMessage } from './types.js';
import { ChannelSendError } from './types.js';
import { createWhatsAppAdapter, parseWhatsAppWebhook } from './whatsapp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the send ledger (PGlite, or Postgres with DATABASE_URL)', () => {
  let db: TestDb;
  let store: SqlIdempotencyStore;
  let smtp: SmtpStandIn;
  let wa: WhatsAppStandIn;
  let sms: SmsStandIn;
  let hook: Server;
  let hookUp = true;
  let ledger: SendLedger;

  beforeAll(async () => {
    db = await createTestDb();
    store = new SqlIdempotencyStore(db.sql);
    ledger = new SendLedger(store, { leaseMs: 2000, pollMs: 20 });
    smtp = await startSmtpStandIn();
    sms = await startSmsStandIn();
    // Nudge's webhook receiver in small: settle the ledger from statuses that echo the key
    hook = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (!hookUp) return res.writeHead(503).end();
      const { statuses } = parseWhatsAppWebhook(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      for (const s of statuses) if (s.callbackData && s.status !== 'failed') await ledger.settle('whatsapp', s.callbackData, { providerMessageId: s.providerMessageId });
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    wa = await startWhatsAppStandIn({ webhookUrl: `http://127.0.0.1:${port}/`, webhookRetryInitialMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await wa?.close();
    await smtp?.close();
    await sms?.close();
    hook?.close();
    await db?.cleanup();
  });

  const email = () => createSmtpAdapter({ host: smtp.host, port: smtp.port, from: 'Nudge <noreply@nudge.example>', ignoreTLS: true });
  const whatsapp = () => createWhatsAppAdapter({ baseUrl: wa.url, phoneNumberId: wa.phoneNumberId, accessToken: wa.accessToken });
  const smsAdapter = () => createSmsAdapter({ baseUrl: sms.url, token: sms.token, from: 'NUDGE' });

  /** A process claims the key, the provider accepts the message, and the process dies before recording it. */
  async function dieAfterHandOff(adapter: ChannelAdapter, message: OutboundMessage) {
    const claim = await store.claim({ key: `${adapter.channel}:${message.idempotencyKey}`, channel: adapter.channel, owner: 'killed-process', nowMs: Date.now(), leaseMs: 50, settleWaitMs: 0 });
    expect(claim.state).toBe('claimed');
    return adapter.send(message);
  }

  it('sends once when many attempts with one key race, and every attempt gets the one result', async () => {
    let sends = 0;
    const slow: ChannelAdapter = {
      channel: 'whatsapp',
      async send() {
        sends += 1;
        await sleep(150);
        return { providerMessageId: `wamid.${sends}` };
      },
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => ledger.send(slow, { to: '+15551234567', text: 'hi', idempotencyKey: 'race' })));
    expect(sends).toBe(1);
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ providerMessageId: 'wamid.1' })));
    expect(await ledger.send(slow, { to: '+15551234567', text: 'hi', idempotencyKey: 'race' })).toEqual({ providerMessageId: 'wamid.1' });
    expect(sends).toBe(1);
  });

  it('renews the lease while the provider call runs, so a slow send is never taken over', async () => {
    let sends = 0;
    const slow: ChannelAdapter = { channel: 'sms', async send() { sends += 1; await sleep(600); return { providerMessageId: `sms-${sends}` }; } };
    const short = new SendLedger(store, { leaseMs: 150, pollMs: 20 });
    const first = short.send(slow, { to: '+15550001', text: 'x', idempotencyKey: 'slow-lease' });
    await sleep(300); // two lease lengths later the first attempt is still sending
    const second = await short.send(slow, { to: '+15550001', text: 'x', idempotencyKey: 'slow-lease' });
    expect(await first).toEqual({ providerMessageId: 'sms-1' });
    expect(second).toEqual({ providerMessageId: 'sms-1' });
    expect(sends).toBe(1);
  });

  it('waits for a live lease instead of sending beside it, and gives up with a retryable error', async () => {
    await store.claim({ key: 'email:live', channel: 'email', owner: 'other-worker', nowMs: Date.now(), leaseMs: 60_000, settleWaitMs: 0 });
    let called = 0;
    const adapter: ChannelAdapter = { channel: 'email', unknownOutcome: { kind: 'resend', waitMs: 0 }, send: async () => ({ providerMessageId: `x${++called}` }) };
    const waits: SendWaiting[] = [];
    await expect(ledger.send(adapter, { to: 'a@example.com', text: 'x', idempotencyKey: 'live' }, { maxWaitMs: 200, onWaiting: (w) => void waits.push(w) })).rejects.toMatchObject({ code: 'send_in_progress', retryable: true });
    expect(called).toBe(0);
    expect(waits.map((w) => w.state)).toEqual(['in_progress']);
    // the other attempt records its result while this one waits: this one answers it
    const waiting = ledger.send(adapter, { to: 'a@example.com', text: 'x', idempotencyKey: 'live' }, { maxWaitMs: 5000 });
    await sleep(100);
    await store.complete('email:live', { providerMessageId: '<other@nudge>' }, Date.now(), 'provider');
    expect(await waiting).toEqual({ providerMessageId: '<other@nudge>' });
    expect(called).toBe(0);
  });

  it('email: a claim whose lease ran out is resent with the same Message-ID and recorded', async () => {
    const message = { to: 'crash@example.com', subject: 'Welcome', text: 'Hello', idempotencyKey: 'run-1:mail1:1' };
    await dieAfterHandOff(email(), message);
    await sleep(100); // the lease runs out
    const before = (await ledger.get('email', message.idempotencyKey))!;
    expect(before.now).toBe('unknown');
    const result = await ledger.send(email(), message);
    const mails = smtp.messages.filter((m) => m.envelopeTo.includes('crash@example.com'));
    expect(mails).toHaveLength(2); // the one the dead process handed over, and the resend
    expect(new Set(mails.map((m) => m.messageId))).toEqual(new Set([messageIdFor(message.idempotencyKey, 'nudge.example')]));
    expect(result.providerMessageId).toBe(messageIdFor(message.idempotencyKey, 'nudge.example'));
    expect(await ledger.get('email', message.idempotencyKey)).toMatchObject({ state: 'sent', now: 'sent', claims: 2, settledBy: 'resend' });
    await ledger.send(email(), message); // recorded: no third mail
    expect(smtp.messages.filter((m) => m.envelopeTo.includes('crash@example.com'))).toHaveLength(2);
  });

  it('whatsapp: an unknown send is settled by the status webhook that echoes the key, without a resend', async () => {
    const message = { to: '+886912000001', text: 'Hola', idempotencyKey: 'run-2:wa1:1' };
    hookUp = false; // Nudge is down when the provider posts the status
    const accepted = await dieAfterHandOff(whatsapp(), message);
    await sleep(100);
    const waits: SendWaiting[] = [];
    const sending = ledger.send(whatsapp(), message, { maxWaitMs: 20_000, onWaiting: (w) => void waits.push(w) });
    await sleep(200);
    expect(waits[0]).toMatchObject({ state: 'unknown', channel: 'whatsapp', idempotencyKey: message.idempotencyKey });
    expect((await ledger.get('whatsapp', message.idempotencyKey))!.now).toBe('unknown');
    hookUp = true; // back up: the provider's retried webhook arrives and settles it
    expect(await sending).toEqual(accepted);
    expect(wa.messages.filter((m) => m.request.to === '+886912000001')).toHaveLength(1);
    expect(wa.messages.find((m) => m.id === accepted.providerMessageId)?.request.biz_opaque_callback_data).toBe(message.idempotencyKey);
    expect(await ledger.get('whatsapp', message.idempotencyKey)).toMatchObject({ state: 'sent', claims: 1, settledBy: 'status_webhook', providerMessageId: accepted.providerMessageId });
  });

  it('whatsapp: without a status webhook the send is resent once the bounded wait is over', async () => {
    const message = { to: '+886912000002', text: 'Hola', idempotencyKey: 'run-3:wa1:1' };
    wa.setWebhookUrl(undefined); // the status never comes
    const waitLedger = new SendLedger(store, { leaseMs: 2000, pollMs: 20, settlement: { whatsapp: { kind: 'await_status', waitMs: 300 } } });
    try {
      await dieAfterHandOff(whatsapp(), message);
      await sleep(100);
      const waits: SendWaiting[] = [];
      const result = await waitLedger.send(whatsapp(), message, { onWaiting: (w) => void waits.push(w) });
      expect(waits).toHaveLength(1);
      expect(waits[0]!.resendAtMs! - waits[0]!.sinceMs!).toBe(300);
      const sent = wa.messages.filter((m) => m.request.to === '+886912000002');
      expect(sent).toHaveLength(2);
      expect(result.providerMessageId).toBe(sent[1]!.id);
      expect(await ledger.get('whatsapp', message.idempotencyKey)).toMatchObject({ state: 'sent', claims: 2, settledBy: 'resend' });
    } finally {
      wa.setWebhookUrl(`http://127.0.0.1:${(hook.address() as { port: number }).port}/`);
    }
  });

  it('sms: an unknown send is resent with the same reference after its wait, and the gateway answers the first message', async () => {
    const message = { to: '+886912000003', text: 'Hi', idempotencyKey: 'run-4:sms1:1' };
    const smsLedger = new SendLedger(store, { leaseMs: 2000, pollMs: 20, settlement: { sms: { kind: 'resend', waitMs: 200 } } });
    const accepted = await dieAfterHandOff(smsAdapter(), message);
    await sleep(100);
    expect(await smsLedger.send(smsAdapter(), message)).toEqual(accepted);
    expect(sms.messages.filter((m) => m.request.to === '+886912000003')).toHaveLength(1);
    expect(await ledger.get('sms', message.idempotencyKey)).toMatchObject({ state: 'sent', claims: 2, settledBy: 'resend' });
  });

  it('a refused send releases the key (a retry sends once); a timed-out one stays unknown', async () => {
    let calls = 0;
    const flaky: ChannelAdapter = {
      channel: 'sms',
      async send() {
        calls += 1;
        if (calls === 1) throw new ChannelSendError('gateway busy', 'sms', true, 'http_503');
        if (calls === 2) throw new ChannelSendError('no answer in time', 'sms', true, 'timeout', undefined, true);
        return { providerMessageId: `sms-${calls}` };
      },
    };
    const m = { to: '+15550002', text: 'x', idempotencyKey: 'flaky' };
    await expect(ledger.send(flaky, m)).rejects.toThrow('gateway busy');
    expect(await ledger.get('sms', 'flaky')).toBeNull();
    await expect(ledger.send(flaky, m)).rejects.toThrow('no answer in time');
    expect((await ledger.get('sms', 'flaky'))!.now).toBe('unknown');
    expect((await ledger.unsettled()).map((r) => r.key)).toContain('sms:flaky');
    expect(await ledger.send(flaky, m)).toEqual({ providerMessageId: 'sms-3' }); // resend (policy: at once by default)
    expect(calls).toBe(3);
  });

  it('two attempts that find the same expired claim resend it once', async () => {
    let sends = 0;
    const adapter: ChannelAdapter = { channel: 'email', async send() { sends += 1; await sleep(100); return { providerMessageId: `<m${sends}>` }; } };
    await store.claim({ key: 'email:expired-race', channel: 'email', owner: 'killed-process', nowMs: Date.now() - 10_000, leaseMs: 1, settleWaitMs: 0 });
    const results = await Promise.all(Array.from({ length: 6 }, () => ledger.send(adapter, { to: 'b@example.com', text: 'x', idempotencyKey: 'expired-race' })));
    expect(sends).toBe(1);
    expect(new Set(results.map((r) => r.providerMessageId))).toEqual(new Set(['<m1>']));
  });

  it('a batch claims its keys in one statement, sends each once, records them in one more and releases what it did not send', async () => {
    let sends = 0;
    const adapter: ChannelAdapter = { channel: 'email', async send(m) { sends += 1; return { providerMessageId: `<b-${m.idempotencyKey}>` }; } };
    // already recorded (answered without sending), held by a live claim (sent by the single path, which waits), expired (taken over)
    await ledger.send(adapter, { to: 'b@example.com', text: 'x', idempotencyKey: 'batch-done' });
    await store.claim({ key: 'email:batch-held', channel: 'email', owner: 'other-worker', nowMs: Date.now(), leaseMs: 1500, settleWaitMs: 0 });
    await store.claim({ key: 'email:batch-expired', channel: 'email', owner: 'killed-process', nowMs: Date.now() - 10_000, leaseMs: 1, settleWaitMs: 0 });
    sends = 0;
    const keys = ['batch-1', 'batch-2', 'batch-done', 'batch-held', 'batch-expired', 'batch-unused'];
    const claimed = await store.claimMany(keys.map((k) => ({ key: `email:${k}-probe`, channel: 'email', owner: 'probe', nowMs: Date.now(), leaseMs: 1000, settleWaitMs: 0 })));
    expect(claimed.every((c) => c.state === 'claimed')).toBe(true);
    const batch = await ledger.batch(keys.map((idempotencyKey) => ({ adapter, idempotencyKey })));
    // a second batch over the same keys gets none of them while the first holds them
    const rival = await store.claimMany(keys.map((k) => ({ key: `email:${k}`, channel: 'email', owner: 'rival', nowMs: Date.now(), leaseMs: 1000, settleWaitMs: null })));
    expect(rival.map((r) => r.state)).toEqual(['in_progress', 'in_progress', 'sent', 'in_progress', 'in_progress', 'in_progress']);
    const results = await Promise.all(keys.filter((k) => k !== 'batch-unused').map((k) => batch.send(adapter, { to: 'b@example.com', text: 'x', idempotencyKey: k })));
    expect(results.map((r) => r.providerMessageId)).toEqual(['<b-batch-1>', '<b-batch-2>', '<b-batch-done>', '<b-batch-held>', '<b-batch-expired>']);
    expect(sends).toBe(4); // not the recorded one
    const recorded = await batch.finish();
    expect(recorded.get('email:batch-1')).toEqual({ providerMessageId: '<b-batch-1>' });
    expect(await ledger.get('email', 'batch-1')).toMatchObject({ state: 'sent', settledBy: 'provider', claims: 1 });
    expect(await ledger.get('email', 'batch-expired')).toMatchObject({ state: 'sent', settledBy: 'resend', claims: 2 });
    expect(await ledger.get('email', 'batch-unused')).toBeNull(); // claimed, never sent: released
    // recorded: nothing is sent again
    sends = 0;
    await ledger.send(adapter, { to: 'b@example.com', text: 'x', idempotencyKey: 'batch-2' });
    expect(sends).toBe(0);
  });

  it('keeps the DDL of the table in step with the migration', async () => {
    const other = await createTestDb({ migrate: false });
    try {
      await other.sql.exec(sendsTableDdl('sends_copy'));
      const cols = async (h: TestDb, t: string) =>
        (await h.sql.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = $1 order by column_name`, [t])).map((c) => c.column_name);
      expect(await cols(other, 'sends_copy')).toEqual(await cols(db, 'channel_sends'));
    } finally {
      await other.cleanup();
    }
  });

  it('refuses a table name that is not plain', () => {
    expect(() => new SqlIdempotencyStore(db.sql, 'sends; drop table x')).toThrow(/not a plain table name/);
  });
});
