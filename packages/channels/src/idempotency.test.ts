import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpAdapter } from './email.js';
import { MemoryIdempotencyStore, SendLedger, withIdempotency } from './idempotency.js';
import type { SmtpStandIn } from './standins/index.js';
import { startSmtpStandIn } from './standins/index.js';
import type { ChannelAdapter } from './types.js';

describe('idempotent sending', () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtpStandIn();
  });
  afterAll(() => smtp.close());
  const email = () => createSmtpAdapter({ host: smtp.host, port: smtp.port, from: 'noreply@nudge.example', ignoreTLS: true });

  it('never sends the same key twice, even when called concurrently', async () => {
    const store = new MemoryIdempotencyStore();
    const adapter = withIdempotency(email(), store, { pollMs: 10 });
    const message = { to: 'a@example.com', subject: 'once', text: 'only once', idempotencyKey: 'run-7:n2' };
    const first = await adapter.send(message);
    const again = await adapter.send(message);
    expect(again).toEqual(first);
    // the second attempt waits for the first instead of failing or sending beside it
    const concurrent = await Promise.all([adapter.send({ ...message, idempotencyKey: 'run-8:n2' }), adapter.send({ ...message, idempotencyKey: 'run-8:n2' })]);
    expect(concurrent[0]).toEqual(concurrent[1]);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages.filter((m) => m.subject === 'once')).toHaveLength(2);
  });

  it('lets a failed send be retried', async () => {
    let calls = 0;
    const flaky: ChannelAdapter = {
      channel: 'sms',
      async send() {
        calls += 1;
        if (calls === 1) throw new Error('gateway busy');
        return { providerMessageId: `sms-${calls}` };
      },
    };
    const adapter = withIdempotency(flaky, new MemoryIdempotencyStore());
    await expect(adapter.send({ to: '+1555', text: 'x', idempotencyKey: 'k' })).rejects.toThrow('gateway busy');
    expect(await adapter.send({ to: '+1555', text: 'x', idempotencyKey: 'k' })).toEqual({ providerMessageId: 'sms-2' });
    expect(await adapter.send({ to: '+1555', text: 'x', idempotencyKey: 'k' })).toEqual({ providerMessageId: 'sms-2' });
    expect(calls).toBe(2);
  });

  it('settles a claim whose lease ran out by the channel policy instead of failing it for good', async () => {
    const store = new MemoryIdempotencyStore();
    let now = 0;
    let sends = 0;
    // a process died after claiming (lease 60 s)
    await store.claim({ key: 'sms:lost', channel: 'sms', owner: 'dead', nowMs: 0, leaseMs: 60_000, settleWaitMs: 0 });
    const sms: ChannelAdapter = { channel: 'sms', unknownOutcome: { kind: 'resend', waitMs: 30_000 }, send: async () => ({ providerMessageId: `sms-${++sends}` }) };
    const ledger = new SendLedger(store, { now: () => now, pollMs: 1, maxWaitMs: 0 });
    // lease live: another attempt owns it
    await expect(ledger.send(sms, { to: '+1', text: 'x', idempotencyKey: 'lost' })).rejects.toMatchObject({ code: 'send_in_progress', retryable: true });
    now = 61_000; // lease ran out: unknown, resent after the channel's wait
    await expect(ledger.send(sms, { to: '+1', text: 'x', idempotencyKey: 'lost' })).rejects.toMatchObject({ code: 'send_outcome_unknown', retryable: true });
    expect((await ledger.get('sms', 'lost'))!.now).toBe('unknown');
    now = 91_000;
    expect(await ledger.send(sms, { to: '+1', text: 'x', idempotencyKey: 'lost' })).toEqual({ providerMessageId: 'sms-1' });
    expect(await ledger.get('sms', 'lost')).toMatchObject({ state: 'sent', claims: 2, settledBy: 'resend' });
  });

  it('a provider callback settles an unknown send', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim({ key: 'whatsapp:k9', channel: 'whatsapp', owner: 'dead', nowMs: 0, leaseMs: 1, settleWaitMs: 0 });
    const ledger = new SendLedger(store);
    expect(await ledger.settle('whatsapp', 'k9', { providerMessageId: 'wamid.A' })).toBe(true);
    expect(await ledger.settle('whatsapp', 'k9', { providerMessageId: 'wamid.B' })).toBe(false); // first record wins
    const wa: ChannelAdapter = { channel: 'whatsapp', send: async () => ({ providerMessageId: 'never' }) };
    expect(await ledger.send(wa, { to: '+1', text: 'x', idempotencyKey: 'k9' })).toEqual({ providerMessageId: 'wamid.A' });
  });

  it('keeps keys per channel and requires one', async () => {
    const store = new MemoryIdempotencyStore();
    const make = (channel: 'sms' | 'whatsapp'): ChannelAdapter => ({ channel, send: async () => ({ providerMessageId: channel }) });
    expect(await withIdempotency(make('sms'), store).send({ to: '+1', text: 'x', idempotencyKey: 'same' })).toEqual({ providerMessageId: 'sms' });
    expect(await withIdempotency(make('whatsapp'), store).send({ to: '+1', text: 'x', idempotencyKey: 'same' })).toEqual({ providerMessageId: 'whatsapp' });
    await expect(withIdempotency(make('sms'), store).send({ to: '+1', text: 'x', idempotencyKey: '' })).rejects.toMatchObject({ code: 'missing_idempotency_key' });
  });
});
