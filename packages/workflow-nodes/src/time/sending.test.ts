import { describe, expect, it } from 'vitest';
import { frequencyCapAllows, quietHoursEnd } from './sending.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('quiet hours', () => {
  const quiet = { start: '21:00', end: '08:00' };
  it('holds a late-evening send until 08:00 the next morning, local time', () => {
    // 22:30 in Taipei on 3 Mar = 14:30 UTC → 08:00 Taipei on 4 Mar = 00:00 UTC
    expect(iso(quietHoursEnd(Date.UTC(2026, 2, 3, 14, 30), 'Asia/Taipei', quiet))).toBe('2026-03-04T00:00:00.000Z');
  });
  it('holds an early-morning send until 08:00 the same day', () => {
    expect(iso(quietHoursEnd(Date.UTC(2026, 2, 3, 21), 'Asia/Taipei', quiet))).toBe('2026-03-04T00:00:00.000Z'); // 05:00 local
  });
  it('lets a daytime send go at once', () => {
    const noon = Date.UTC(2026, 2, 3, 4);
    expect(quietHoursEnd(noon, 'Asia/Taipei', quiet)).toBe(noon);
  });
  it('handles quiet hours inside one day and the night DST starts', () => {
    expect(iso(quietHoursEnd(Date.UTC(2026, 2, 3, 12, 30), 'UTC', { start: '12:00', end: '14:00' }))).toBe('2026-03-03T14:00:00.000Z');
    // Madrid, night of 28→29 Mar 2026: 23:00 CET → 08:00 CEST = 06:00 UTC
    expect(iso(quietHoursEnd(Date.UTC(2026, 2, 28, 22), 'Europe/Madrid', quiet))).toBe('2026-03-29T06:00:00.000Z');
  });
});

describe('frequency cap', () => {
  const h = 3_600_000;
  it('allows a send under the cap and delays one over it until the oldest leaves the window', () => {
    const now = 100 * h;
    expect(frequencyCapAllows([now - 30 * h], { maxMessages: 2, perHours: 24 }, now)).toBe(now);
    expect(frequencyCapAllows([now - 20 * h, now - 2 * h], { maxMessages: 2, perHours: 24 }, now)).toBe(now + 4 * h);
    expect(frequencyCapAllows([now - 20 * h, now - 10 * h, now - 2 * h], { maxMessages: 2, perHours: 24 }, now)).toBe(now + 14 * h);
  });
});
