import { describe, expect, it } from 'vitest';
import { formatDuration } from './metrics';

describe('formatDuration', () => {
  it('picks the unit and follows the language', () => {
    expect(formatDuration(null, 'en')).toBe('—');
    expect(formatDuration(45, 'en')).toBe('45 sec');
    expect(formatDuration(600, 'en')).toBe('10 min');
    expect(formatDuration(5400, 'en')).toBe('1.5 hr');
    expect(formatDuration(3 * 86_400, 'en')).toBe('3 days');
    expect(formatDuration(600, 'zh-TW')).toBe('10 分鐘');
  });
});
