import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmsAdapter } from './sms.js';
import type { SmsStandIn } from './standins/index.js';
import { startSmsStandIn } from './standins/index.js';

describe('SMS over HTTP against the stand-in', () => {
  let gateway: SmsStandIn;
  beforeAll(async () => {
    gateway = await startSmsStandIn();
  });
  afterAll(() => gateway.close());
  const adapter = () => createSmsAdapter({ baseUrl: gateway.url, token: gateway.token, from: 'NUDGE' });

  it('sends an SMS with the idempotency key as reference', async () => {
    const result = await adapter().send({ to: '+886 912 345 678', text: '您的報價已寄出', idempotencyKey: 'run-1:sms' });
    expect(result.providerMessageId).toMatch(/^sms_/);
    expect(gateway.messages[0]!.request).toEqual({ from: 'NUDGE', to: '+886912345678', text: '您的報價已寄出', reference: 'run-1:sms' });
  });

  it('retries on 5xx, not on 4xx, and validates the number first', async () => {
    gateway.failNext(503, 'maintenance');
    await expect(adapter().send({ to: '+34600111222', text: 'x', idempotencyKey: 'a' })).rejects.toMatchObject({ retryable: true, status: 503 });
    gateway.failNext(400, 'blocked number');
    await expect(adapter().send({ to: '+34600111222', text: 'x', idempotencyKey: 'b' })).rejects.toMatchObject({ retryable: false, status: 400 });
    await expect(adapter().send({ to: '0912-345-678', text: 'x', idempotencyKey: 'c' })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
