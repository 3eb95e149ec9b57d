import { describe, expect, it } from 'vitest';
import type { ControlState } from '../../define.js';
import { waitControl } from './wait.js';

const state = (nowMs: number, timezone: string | null): ControlState => ({
  nowMs,
  runId: 'r',
  nodeId: 'w',
  customerId: 'c',
  customer: { timezone, preferredContactSlots: [] },
  defaultTimezone: 'UTC',
});

describe('control.wait', () => {
  it('waits 3 days keeping the wall-clock time across the DST change in the customer timezone', () => {
    // Madrid, Fri 27 Mar 2026 10:00 CET (UTC+1); clocks go forward on Sun 29 Mar
    const start = Date.UTC(2026, 2, 27, 9);
    const decision = waitControl.decide(waitControl.config.parse({ duration: { amount: 3, unit: 'days' } }), state(start, 'Europe/Madrid'));
    expect(decision).toEqual({ type: 'sleep', untilMs: Date.UTC(2026, 2, 30, 8), port: 'next' }); // 10:00 CEST
    expect(decision.type === 'sleep' && decision.untilMs - start).toBe(3 * 86_400_000 - 3_600_000);
  });
  it('counts hours as elapsed time', () => {
    const start = Date.UTC(2026, 2, 29, 0);
    const decision = waitControl.decide(waitControl.config.parse({ duration: { amount: 2, unit: 'hours' } }), state(start, 'Europe/Madrid'));
    expect(decision).toMatchObject({ untilMs: start + 2 * 3_600_000 });
  });
  it('falls back to the flow timezone for an unknown customer zone', () => {
    const start = Date.UTC(2026, 0, 1);
    const decision = waitControl.decide(waitControl.config.parse({ duration: { amount: 1, unit: 'weeks' } }), state(start, 'Not/AZone'));
    expect(decision).toMatchObject({ untilMs: start + 7 * 86_400_000 });
  });
  it('waits seconds (at least 1 s) as elapsed time', () => {
    const start = Date.UTC(2026, 2, 29, 0, 59, 58);
    const decision = waitControl.decide(waitControl.config.parse({ duration: { amount: 5, unit: 'seconds' } }), state(start, 'Europe/Madrid'));
    expect(decision).toMatchObject({ untilMs: start + 5_000 });
    expect(waitControl.config.safeParse({ duration: { amount: 0, unit: 'seconds' } }).error?.issues[0]?.message).toBe('Enter a whole number of at least 1');
  });
  it('refuses a zero or fractional duration', () => {
    expect(waitControl.config.safeParse({ duration: { amount: 0, unit: 'days' } }).error?.issues[0]?.message).toBe(
      'Enter a whole number of at least 1',
    );
    expect(waitControl.config.safeParse({ duration: { amount: 1.5, unit: 'days' } }).success).toBe(false);
  });
});
