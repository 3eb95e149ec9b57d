import { describe, expect, it } from 'vitest';
import { nextScheduleTimes, scheduleTrigger } from './schedule.js';

describe('trigger.schedule', () => {
  it('fires at 09:00 on the 1st of each month in the chosen timezone', () => {
    const cfg = scheduleTrigger.config.parse({ cron: '0 9 1 * *', timezone: 'Asia/Taipei', segmentId: 's1' });
    const times = nextScheduleTimes(cfg, Date.UTC(2026, 0, 15), 2);
    // 09:00 in Taipei (UTC+8) = 01:00 UTC
    expect(times.map((t) => new Date(t).toISOString())).toEqual(['2026-02-01T01:00:00.000Z', '2026-03-01T01:00:00.000Z']);
  });
  it('keeps local time across a DST change (New York, March 2026)', () => {
    const cfg = scheduleTrigger.config.parse({ cron: '0 9 * * *', timezone: 'America/New_York', segmentId: 's1' });
    const times = nextScheduleTimes(cfg, Date.UTC(2026, 2, 7, 12), 2).map((t) => new Date(t).toISOString());
    // 09:00 EST is 14:00 UTC; after the switch on 8 March, 09:00 EDT is 13:00 UTC
    expect(times).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
  });
  it('explains an invalid cron expression and an unknown timezone', () => {
    const bad = scheduleTrigger.config.safeParse({ cron: '61 25 * * *', timezone: 'Mars/Olympus', segmentId: 's1' });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages.some((m) => m.startsWith('cron: "61 25 * * *" is not a valid schedule'))).toBe(true);
    expect(messages.some((m) => m.startsWith('timezone: Pick a timezone'))).toBe(true);
  });
});
