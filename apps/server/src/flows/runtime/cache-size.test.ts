import { describe, expect, it } from 'vitest';
import { workflowCacheSize } from './cache-size.js';

const GiB = 1024 ** 3;
describe('workflowCacheSize', () => {
  it('gives the worker cache a memory budget, not a fixed count', () => {
    expect(workflowCacheSize({}, 24 * GiB)).toBe(182); // 256 MB / 1.4 MiB
    expect(workflowCacheSize({}, 1 * GiB)).toBe(91); // 1/8 of a 1 GB container
    expect(workflowCacheSize({ NUDGE_WORKFLOW_CACHE_MB: '1400' }, 24 * GiB)).toBe(1000);
    expect(workflowCacheSize({ NUDGE_WORKFLOW_CACHE_MB: 'lots' }, 24 * GiB)).toBe(182);
    expect(workflowCacheSize({}, 64 * 1024 ** 2)).toBe(20); // never fewer than 20
  });
});
