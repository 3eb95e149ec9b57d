import { describe, expect, it } from 'vitest';
import { segmentEntryTrigger } from './segment_entry.js';

describe('trigger.segment_entry', () => {
  it('needs a segment and fills the sweep interval', () => {
    expect(segmentEntryTrigger.config.parse({ segmentId: 'seg-potential' })).toEqual({
      segmentId: 'seg-potential',
      checkEveryMinutes: 60,
    });
    const missing = segmentEntryTrigger.config.safeParse({});
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['segmentId']);
  });
  it('refuses a sweep more often than every 5 minutes', () => {
    expect(segmentEntryTrigger.config.safeParse({ segmentId: 's', checkEveryMinutes: 1 }).success).toBe(false);
  });
  it('is evaluated by the sweep', () => {
    expect(segmentEntryTrigger.trigger.mode).toBe('sweep');
  });
});
