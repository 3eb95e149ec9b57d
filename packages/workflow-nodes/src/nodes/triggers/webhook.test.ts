import { describe, expect, it } from 'vitest';
import { webhookBodyValue, webhookCustomerIdentifier, webhookTrigger } from './webhook.js';

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

  it('reads flat form field names before dotted paths, and needs the field of an external id', () => {
    const cfg = webhookTrigger.config.parse({ hookId: 'form', identifierField: 'contact.email' });
    expect(webhookCustomerIdentifier(cfg, { 'contact.email': 'Bo@Example.com' })).toEqual({ ok: true, by: 'email', value: 'bo@example.com' });
    expect(webhookBodyValue({ a: { b: 3 } }, 'a.b')).toBe(3);
    expect(webhookTrigger.config.safeParse({ hookId: 'crm-sync', identifyBy: 'external_id', identifierField: 'id' }).error?.issues[0]).toMatchObject({
      path: ['externalIdKey'],
    });
    expect(webhookTrigger.config.parse({ hookId: 'crm-sync', identifyBy: 'external_id', identifierField: 'id', externalIdKey: 'crm_id' })).toMatchObject({
      auth: 'none',
      rateLimitPerMinute: 600,
    });
  });
});
