import { describe, expect, it } from 'vitest';
import { endControl } from './end.js';

describe('control.end', () => {
  it('ends the run and has no outputs', () => {
    expect(endControl.decide({}, { nowMs: 0, runId: 'r', nodeId: 'e', customerId: 'c', customer: null, defaultTimezone: 'UTC' })).toEqual({
      type: 'exit',
      reason: 'end',
    });
    expect(endControl.outputs).toEqual([]);
  });
});
