import { describe, expect, it } from 'vitest';
import { fieldChangedTrigger } from './field_changed.js';

describe('trigger.field_changed', () => {
  const trigger = fieldChangedTrigger.trigger as Extract<typeof fieldChangedTrigger.trigger, { mode: 'event' }>;
  const change = (field: string, oldValue: unknown, newValue: unknown) =>
    ({ type: 'field.changed', customerId: 'c', at: 0, data: { field, oldValue, newValue } }) as const;
  it('matches any change of the field when from/to are empty', () => {
    const cfg = fieldChangedTrigger.config.parse({ field: 'tier' });
    expect(trigger.match(cfg, change('tier', 'C', 'B'))).toBe(true);
    expect(trigger.match(cfg, change('industry', 'C', 'B'))).toBe(false);
  });
  it('matches old and new values', () => {
    const cfg = fieldChangedTrigger.config.parse({ field: 'tier', from: 'B', to: 'a' });
    expect(trigger.match(cfg, change('tier', 'B', 'A'))).toBe(true);
    expect(trigger.match(cfg, change('tier', 'C', 'A'))).toBe(false);
    expect(trigger.match(cfg, change('tier', 'B', 'strategic'))).toBe(false);
  });
  it('compares numbers and missing values as text', () => {
    const cfg = fieldChangedTrigger.config.parse({ field: 'points', from: '', to: '100' });
    expect(trigger.match(cfg, change('points', null, 100))).toBe(true);
  });
});
