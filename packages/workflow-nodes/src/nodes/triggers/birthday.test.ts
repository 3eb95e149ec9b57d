import { describe, expect, it } from 'vitest';
import { birthdayFireAt, birthdayTrigger } from './birthday.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('trigger.birthday', () => {
  const cfg = birthdayTrigger.config.parse({});
  it('fires at 09:00 on the birthday in the customer timezone', () => {
    const at = birthdayFireAt(cfg, { birthday: '1990-03-20', timezone: 'Asia/Taipei' }, Date.UTC(2026, 2, 1), 'UTC');
    expect(iso(at)).toBe('2026-03-20T01:00:00.000Z');
  });
  it('moves to next year once this year has passed', () => {
    const at = birthdayFireAt(cfg, { birthday: '1990-01-05', timezone: 'Europe/Madrid' }, Date.UTC(2026, 5, 1), 'UTC');
    expect(iso(at)).toBe('2027-01-05T08:00:00.000Z');
  });
  it('fires days before when asked, and on 28 Feb for a 29 Feb birthday in a common year', () => {
    const early = birthdayTrigger.config.parse({ daysBefore: 3, atTime: '10:30' });
    expect(iso(birthdayFireAt(early, { birthday: '2000-02-29', timezone: null }, Date.UTC(2026, 0, 1), 'UTC'))).toBe(
      '2026-02-25T10:30:00.000Z',
    );
    expect(iso(birthdayFireAt(cfg, { birthday: '2000-02-29', timezone: null }, Date.UTC(2028, 0, 1), 'UTC'))).toBe(
      '2028-02-29T09:00:00.000Z',
    );
  });
  it('returns null without a usable birthday', () => {
    expect(birthdayFireAt(cfg, { birthday: null, timezone: null }, 0, 'UTC')).toBeNull();
    expect(birthdayFireAt(cfg, { birthday: 'not a date', timezone: null }, 0, 'UTC')).toBeNull();
  });
});
