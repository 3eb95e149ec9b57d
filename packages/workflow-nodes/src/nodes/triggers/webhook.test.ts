import { describe, expect, it } from 'vitest';
import { webhookCustomerIdentifier, webhookTrigger } from './webhook.js';

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

  it('reads the customer identifier from the payload', () => {
    const cfg = webhookTrigger.config.parse({ hookId: 'form', identifierField: 'contact.email' });
    expect(webhookCustomerIdentifier(cfg, { contact: { email: ' Ana@Example.COM ' } })).toEqual({ ok: true, by: 'email', value: 'ana@example.com' });
    expect(webhookCustomerIdentifier(cfg, { contact: {} })).toEqual({
      ok: false,
      message: 'The webhook body has no "contact.email" to find the customer by (email).',
    });
    const byPhone = webhookTrigger.config.parse({ hookId: 'form', identifyBy: 'phone', identifierField: 'tel' });
    expect(webhookCustomerIdentifier(byPhone, { tel: '+886 912 345 678' })).toMatchObject({ ok: true, value: '+886 912 345 678' });
  });
});
