import { describe, expect, it } from 'vitest';
import { cronError, readCron, weekdayName } from './cron';

describe('cron', () => {
  it('accepts valid expressions and names the field in error', () => {
    expect(cronError('0 9 1 * *')).toBeNull();
    expect(cronError('*/15 8-18 * * 1-5')).toBeNull();
    expect(cronError('0 25 * * *')).toBe('hour');
    expect(cronError('0 9 32 * *')).toBe('dayOfMonth');
    expect(cronError('0 9 * *')).toBe('count');
    expect(cronError('x 9 * * *')).toBe('minute');
  });
  it('reads common shapes', () => {
    expect(readCron('0 9 1 * *')).toEqual({ kind: 'monthly', time: '09:00', day: 1 });
    expect(readCron('30 8 * * *')).toEqual({ kind: 'daily', time: '08:30' });
    expect(readCron('0 10 * * 1-5')).toEqual({ kind: 'weekly', time: '10:00', weekdays: [1, 2, 3, 4, 5] });
    expect(readCron('5 * * * *')).toEqual({ kind: 'hourly', minute: 5 });
    expect(readCron('0 9 1 1 *')).toEqual({ kind: 'custom' });
  });
  it('names weekdays in the UI language', () => {
    expect(weekdayName(1, 'en')).toBe('Monday');
    expect(weekdayName(0, 'es')).toBe('domingo');
    expect(weekdayName(1, 'zh-TW')).toBe('星期一');
  });
});
