import { describe, expect, it } from 'vitest';
import { webhookTrigger } from './webhook.js';

describe('trigger.webhook', () => {
  const trigger = webhookTrigger.trigger as Extract<typeof webhookTrigger.trigger, { mode: 'event' }>;
  it('matches its own hook id only', () => {
    const cfg = webhookTrigger.config.parse({ hookId: 'contact-form' });
    expect(cfg).toMatchObject({ identifyBy: 'email', identifierField: 'email', createMissingCustomer: true });
    expect(trigger.match(cfg, { type: 'webhook.received', customerId: 'c', at: 0, data: { hook: 'contact-form', payload: {} } })).toBe(true);
    expect(trigger.match(cfg, { type: 'webhook.received', customerId: 'c', at: 0, data: { hook: 'other' } })).toBe(false);
  });
  it('refuses hook ids that are not URL-safe', () => {
    const bad = webhookTrigger.config.safeParse({ hookId: 'Contact Form!' });
    expect(bad.error?.issues[0]?.message).toContain('lower-case letters');
  });
});
