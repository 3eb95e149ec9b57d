import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../events.js';
import { customerCreatedTrigger } from './customer_created.js';

const event = (type: FlowEvent['type']): FlowEvent => ({ type, customerId: 'c1', at: 0, data: {} });

describe('trigger.customer_created', () => {
  const { match, events } = customerCreatedTrigger.trigger as Extract<typeof customerCreatedTrigger.trigger, { mode: 'event' }>;
  it('listens to created and imported customers', () => {
    expect(events).toEqual(['customer.created', 'customer.imported']);
  });
  it('matches by origin', () => {
    const any = customerCreatedTrigger.config.parse({});
    expect(match(any, event('customer.created'))).toBe(true);
    expect(match(any, event('customer.imported'))).toBe(true);
    const imported = customerCreatedTrigger.config.parse({ origin: 'imported' });
    expect(match(imported, event('customer.created'))).toBe(false);
    expect(match(imported, event('customer.imported'))).toBe(true);
    const created = customerCreatedTrigger.config.parse({ origin: 'created' });
    expect(match(created, event('customer.imported'))).toBe(false);
  });
});
