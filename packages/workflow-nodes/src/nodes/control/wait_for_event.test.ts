import { describe, expect, it } from 'vitest';
import type { ControlState } from '../../define.js';
import { eventMatches } from '../../events.js';
import { waitForEventControl } from './wait_for_event.js';

const state: ControlState = {
  nowMs: Date.UTC(2026, 0, 5, 9),
  runId: 'r',
  nodeId: 'w',
  customerId: 'c1',
  customer: { timezone: 'Asia/Taipei', preferredContactSlots: [] },
  defaultTimezone: 'UTC',
};

describe('control.wait_for_event', () => {
  it('waits for a reply with a 3-day timeout on ports replied / timeout', () => {
    const decision = waitForEventControl.decide(waitForEventControl.config.parse(waitForEventControl.defaults), state);
    expect(decision).toEqual({
      type: 'wait_for_event',
      filter: { event: 'message.received', channel: 'any', tag: '', keywords: [] },
      timeoutAtMs: state.nowMs + 3 * 86_400_000,
      eventPort: 'replied',
      timeoutPort: 'timeout',
    });
  });

  it('its filter matches the right events only', () => {
    const decision = waitForEventControl.decide(
      waitForEventControl.config.parse({ channel: 'whatsapp', keywords: ['yes', '好'], timeout: { amount: 1, unit: 'days' } }),
      state,
    );
    if (decision.type !== 'wait_for_event') throw new Error('expected a wait');
    const reply = (text: string, channel: string) => ({ type: 'message.received' as const, customerId: 'c1', at: 1, data: { text, channel } });
    expect(eventMatches(decision.filter, reply('好的，謝謝', 'whatsapp'))).toBe(true);
    expect(eventMatches(decision.filter, reply('YES please', 'whatsapp'))).toBe(true);
    expect(eventMatches(decision.filter, reply('yes', 'email'))).toBe(false);
    expect(eventMatches(decision.filter, reply('no', 'whatsapp'))).toBe(false);
    expect(eventMatches(decision.filter, { type: 'message.read', customerId: 'c1', at: 1, data: { channel: 'whatsapp' } })).toBe(false);
  });

  it('needs a timeout', () => {
    expect(waitForEventControl.config.safeParse({ event: 'message.received' }).error?.issues[0]?.path).toEqual(['timeout']);
  });
});
