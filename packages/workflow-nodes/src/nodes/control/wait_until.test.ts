import { describe, expect, it } from 'vitest';
import type { ContactSlot } from '../../customer.js';
import type { ControlState } from '../../define.js';
import { waitUntilControl, waitUntilInstant } from './wait_until.js';

const state = (nowMs: number, timezone: string | null, slots: ContactSlot[] = []): ControlState => ({
  nowMs,
  runId: 'r',
  nodeId: 'w',
  customerId: 'c',
  customer: { timezone, preferredContactSlots: slots },
  defaultTimezone: 'UTC',
});
const iso = (ms: number) => new Date(ms).toISOString();
const parse = (c: Record<string, unknown>) => waitUntilControl.config.parse(c);

describe('control.wait_until', () => {
  it('waits for a local date and time in the customer zone', () => {
    const cfg = parse({ mode: 'datetime', at: '2026-12-24T09:00' });
    expect(iso(waitUntilInstant(cfg, state(Date.UTC(2026, 11, 1), 'Asia/Taipei')))).toBe('2026-12-24T01:00:00.000Z');
    expect(waitUntilControl.decide(cfg, state(Date.UTC(2027, 0, 1), 'Asia/Taipei'))).toEqual({ type: 'next', port: 'next' });
  });

  it('moves a time skipped by DST forward, and takes the first of a repeated hour', () => {
    const spring = parse({ mode: 'datetime', at: '2026-03-08T02:30', timezone: 'America/New_York' });
    expect(iso(waitUntilInstant(spring, state(0, null)))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    const fall = parse({ mode: 'datetime', at: '2026-11-01T01:30', timezone: 'America/New_York' });
    expect(iso(waitUntilInstant(fall, state(0, null)))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, the first one
  });

  it('waits for business hours: now when open, else the next opening, skipping weekends and holidays', () => {
    const cfg = parse({ mode: 'business_hours', holidays: ['2026-12-25'] });
    const tz = 'Europe/Madrid';
    // Wed 10:00 local: open → go on at once
    expect(waitUntilControl.decide(cfg, state(Date.UTC(2026, 11, 23, 9), tz))).toEqual({ type: 'next', port: 'next' });
    // Thu 24 Dec 19:00 → Fri 25 is a holiday → Mon 28 Dec 09:00 CET
    expect(iso(waitUntilInstant(cfg, state(Date.UTC(2026, 11, 24, 18), tz)))).toBe('2026-12-28T08:00:00.000Z');
  });

  it('opens at 09:00 local on the Monday after the autumn DST change', () => {
    const cfg = parse({ mode: 'business_hours' });
    // Sat 24 Oct 2026 12:00 CEST; clocks go back on Sun 25 Oct → Mon 26 09:00 CET = 08:00 UTC
    expect(iso(waitUntilInstant(cfg, state(Date.UTC(2026, 9, 24, 10), 'Europe/Madrid')))).toBe('2026-10-26T08:00:00.000Z');
  });

  it('waits for the customer preferred contact slot', () => {
    const cfg = parse({ mode: 'preferred_slot' });
    const slots: ContactSlot[] = [
      { weekday: 'tue', part: 'evening' },
      { weekday: 'thu', part: 'morning' },
    ];
    // Mon 2 Mar 2026 15:00 Taipei → Tue 18:00 Taipei = 10:00 UTC
    expect(iso(waitUntilInstant(cfg, state(Date.UTC(2026, 2, 2, 7), 'Asia/Taipei', slots)))).toBe('2026-03-03T10:00:00.000Z');
    // inside Thu morning → now
    const inside = Date.UTC(2026, 2, 5, 2); // Thu 10:00 Taipei
    expect(waitUntilInstant(cfg, state(inside, 'Asia/Taipei', slots))).toBe(inside);
  });

  it('without preferred slots, uses business hours or goes on, as configured', () => {
    const saturday = Date.UTC(2026, 2, 7, 12);
    expect(iso(waitUntilInstant(parse({ mode: 'preferred_slot' }), state(saturday, 'UTC')))).toBe('2026-03-09T09:00:00.000Z');
    expect(waitUntilInstant(parse({ mode: 'preferred_slot', noSlotFallback: 'continue' }), state(saturday, 'UTC'))).toBe(saturday);
  });

  it('waits for the next time of day on chosen weekdays', () => {
    const cfg = parse({ mode: 'time_of_day', time: '08:00', days: ['mon'] });
    expect(iso(waitUntilInstant(cfg, state(Date.UTC(2026, 2, 2, 9), 'UTC')))).toBe('2026-03-09T08:00:00.000Z');
  });

  it('explains missing or contradictory settings', () => {
    const messages = (c: Record<string, unknown>) => waitUntilControl.config.safeParse(c).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages({ mode: 'datetime' })).toEqual(['at: Enter the date and time to wait for, like 2026-12-24T09:00']);
    expect(messages({ mode: 'business_hours', start: '18:00', end: '09:00' })).toEqual(['end: Business hours must end after they start']);
    expect(messages({ mode: 'business_hours', days: [] })).toEqual(['days: Pick at least one day of the week']);
    expect(messages({ timezone: 'Moon/Base' })).toEqual(['timezone: Pick "customer" or a timezone from the list']);
    expect(messages({ holidays: ['2026-02-30'] })).toEqual(['holidays.0: This date does not exist']);
  });
});
