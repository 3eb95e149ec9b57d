import { describe, expect, it } from 'vitest';
import { businessHoursWindows, localDateTimeToMs, nextWindowStart } from './windows.js';

describe('weekly windows', () => {
  it('returns null when no window can ever open', () => {
    expect(nextWindowStart(0, 'UTC', [])).toBeNull();
    expect(nextWindowStart(0, 'UTC', [{ weekday: 'mon', startMinute: 600, endMinute: 600 }])).toBeNull();
  });
  it('supports a window running to midnight (24:00)', () => {
    const windows = businessHoursWindows(['sat'], '20:00', '24:00');
    const sat2330 = Date.UTC(2026, 2, 7, 23, 30);
    expect(nextWindowStart(sat2330, 'UTC', windows)).toBe(sat2330);
    expect(new Date(nextWindowStart(Date.UTC(2026, 2, 8, 0, 0), 'UTC', windows)!).toISOString()).toBe('2026-03-14T20:00:00.000Z');
  });
  it('explains an impossible local time', () => {
    expect(() => localDateTimeToMs('2026-13-01T09:00', 'UTC')).toThrow(/not a valid date and time in UTC/);
  });
  it('refuses an unknown zone', () => {
    expect(() => nextWindowStart(0, 'Nowhere/City', businessHoursWindows(['mon'], '09:00', '10:00'))).toThrow(/Unknown timezone/);
  });
});
