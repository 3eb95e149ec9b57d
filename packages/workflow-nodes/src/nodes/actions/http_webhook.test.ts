import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { httpWebhookAction, isRetryableStatus } from './http_webhook.js';

describe('action.http_webhook', () => {
  const customers = [{ id: 'c1', name: 'Ann "Jo" 王', email: 'ann@example.com' }];

  it('posts a JSON body with escaped values and the idempotency key', async () => {
    const { ctx, world } = createMemoryContext({ customers, run: { idempotencyKey: 'run-1:hook' } });
    const cfg = httpWebhookAction.config.parse({ url: 'https://crm.example.com/hook', body: '{"name": "{name}", "email": "{email}"}', headers: { 'X-Source': 'nudge' } });
    expect(await httpWebhookAction.run(ctx, cfg)).toEqual({ port: 'next', output: { status: 200 } });
    const request = world.httpRequests[0]!;
    expect(JSON.parse(request.body!)).toEqual({ name: 'Ann "Jo" 王', email: 'ann@example.com' });
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'run-1:hook', 'X-Source': 'nudge' });
  });

  it('retries on 5xx / 429 and stops on other 4xx', async () => {
    let status = 503;
    const { ctx } = createMemoryContext({ customers, httpResponder: () => ({ status, body: 'busy' }) });
    const cfg = httpWebhookAction.config.parse({ url: 'http://localhost:9/x' });
    await expect(httpWebhookAction.run(ctx, cfg)).rejects.not.toHaveProperty('code');
    status = 404;
    await expect(httpWebhookAction.run(ctx, cfg)).rejects.toMatchObject({ code: 'webhook_rejected' });
    expect([408, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404].some(isRetryableStatus)).toBe(false);
  });

  it('refuses a body that is not JSON after rendering', async () => {
    const { ctx } = createMemoryContext({ customers });
    await expect(httpWebhookAction.run(ctx, httpWebhookAction.config.parse({ url: 'https://x.example', body: '{name}' }))).rejects.toMatchObject({
      code: 'invalid_json',
    });
  });

  it('explains a bad address', () => {
    const bad = httpWebhookAction.config.safeParse({ url: 'ftp://files.example.com' });
    expect(bad.error?.issues[0]?.message).toBe('Enter a full web address starting with http:// or https://');
  });
});
