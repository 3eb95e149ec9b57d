import { describe, expect, it } from 'vitest';
import { eventMatches } from '../../events.js';
import { goalControl, goalFilter } from './goal.js';

describe('control.goal', () => {
  it('ends the run as a goal when reached', () => {
    const cfg = goalControl.config.parse({ name: 'Replied', event: 'message.received' });
    expect(goalControl.decide(cfg, { nowMs: 0, runId: 'r', nodeId: 'g', customerId: 'c', customer: null, defaultTimezone: 'UTC' })).toEqual({
      type: 'exit',
      reason: 'goal',
      note: 'Replied',
    });
  });
  it('gives the interpreter a filter for the whole run', () => {
    const cfg = goalControl.config.parse({ name: 'Became customer', event: 'tag.added', tag: 'customer' });
    const filter = goalFilter(cfg);
    expect(eventMatches(filter, { type: 'tag.added', customerId: 'c', at: 0, data: { tag: 'customer' } })).toBe(true);
    expect(eventMatches(filter, { type: 'tag.added', customerId: 'c', at: 0, data: { tag: 'lead' } })).toBe(false);
  });
  it('asks which tag means success', () => {
    expect(goalControl.config.safeParse({ name: 'x', event: 'tag.added' }).error?.issues[0]).toMatchObject({ path: ['tag'] });
  });
});
