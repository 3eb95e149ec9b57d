import { describe, expect, it } from 'vitest';
import { manualTrigger } from './manual.js';

describe('trigger.manual', () => {
  it('takes no settings and is started by a person', () => {
    expect(manualTrigger.config.parse({})).toEqual({});
    expect(manualTrigger.trigger.mode).toBe('manual');
    expect(manualTrigger.inputs).toEqual([]);
  });
});
