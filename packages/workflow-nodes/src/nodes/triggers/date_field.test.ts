import { describe, expect, it } from 'vitest';
import { customerSnapshotSchema } from '../../customer.js';
import { dateFieldFireAt, dateFieldTrigger } from './date_field.js';

describe('trigger.date_field', () => {
  const customer = customerSnapshotSchema.parse({
    id: 'c1',
    name: '張大明',
    timezone: 'Asia/Taipei',
    fields: { lastOrderAt: '2026-01-10T15:30:00Z' },
    custom: { renewal_date: '2026-06-30' },
  });
  it('fires N days after a date, at the set local time', () => {
    const cfg = dateFieldTrigger.config.parse({ field: 'lastOrderAt', offsetDays: 30 });
    // 2026-01-10T15:30Z is 23:30 on 10 Jan in Taipei → 9 Feb 09:00 Taipei = 01:00 UTC
    expect(new Date(dateFieldFireAt(cfg, customer, 'UTC')!).toISOString()).toBe('2026-02-09T01:00:00.000Z');
  });
  it('fires before a custom date with a negative offset', () => {
    const cfg = dateFieldTrigger.config.parse({ field: 'custom.renewal_date', offsetDays: -7, atTime: '10:00' });
    expect(new Date(dateFieldFireAt(cfg, customer, 'UTC')!).toISOString()).toBe('2026-06-23T02:00:00.000Z');
  });
  it('returns null when the field is empty or not a date', () => {
    const cfg = dateFieldTrigger.config.parse({ field: 'custom.missing' });
    expect(dateFieldFireAt(cfg, customer, 'UTC')).toBeNull();
  });
});
