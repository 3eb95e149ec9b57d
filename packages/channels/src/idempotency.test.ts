import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpAdapter } from './email.js';
import { MemoryIdempotencyStore, withIdempotency } from './idempotency.js';
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
    const adapter = withIdempotency(email(), store);
    const message = { to: 'a@example.com', subject: 'once', text: 'only once', idempotencyKey: 'run-7:n2' };
    const first = await adapter.send(message);
    const again = await adapter.send(message);
    expect(again).toEqual(first);
    const concurrent = await Promise.allSettled([
      adapter.send({ ...message, idempotencyKey: 'run-8:n2' }),
      adapter.send({ ...message, idempotencyKey: 'run-8:n2' }),
    ]);
    expect(concurrent.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = concurrent.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'send_in_progress', retryable: true });
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

  it('refuses to resend a send whose outcome is unknown', async () => {
    const store = new MemoryIdempotencyStore();
    let now = 0;
    await store.claim('sms:lost', 'sms', now); // a process died after claiming
    const adapter = withIdempotency({ channel: 'sms', send: async () => ({ providerMessageId: 'never' }) }, store, { now: () => now, inFlightTimeoutMs: 60_000 });
    await expect(adapter.send({ to: '+1', text: 'x', idempotencyKey: 'lost' })).rejects.toMatchObject({ code: 'send_in_progress', retryable: true });
    now = 120_000;
    await expect(adapter.send({ to: '+1', text: 'x', idempotencyKey: 'lost' })).rejects.toMatchObject({ code: 'outcome_unknown', retryable: false });
  });

  it('keeps keys per channel and requires one', async () => {
    const store = new MemoryIdempotencyStore();
    const make = (channel: 'sms' | 'whatsapp'): ChannelAdapter => ({ channel, send: async () => ({ providerMessageId: channel }) });
    expect(await withIdempotency(make('sms'), store).send({ to: '+1', text: 'x', idempotencyKey: 'same' })).toEqual({ providerMessageId: 'sms' });
    expect(await withIdempotency(make('whatsapp'), store).send({ to: '+1', text: 'x', idempotencyKey: 'same' })).toEqual({ providerMessageId: 'whatsapp' });
    await expect(withIdempotency(make('sms'), store).send({ to: '+1', text: 'x', idempotencyKey: '' })).rejects.toMatchObject({ code: 'missing_idempotency_key' });
  });
});
