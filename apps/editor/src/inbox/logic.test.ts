import { describe, expect, it } from 'vitest';
import { countdown, mentionsIn, slaDue, snoozeUntil, tickFor, windowState } from './logic';

describe('delivery ticks', () => {
  it('shows one tick when sent, two when delivered, two (read state) when read, ! when failed', () => {
    expect(tickFor({ direction: 'out', status: 'sent' })).toEqual({ symbol: '✓', state: 'sent' });
    expect(tickFor({ direction: 'out', status: 'delivered' })).toEqual({ symbol: '✓✓', state: 'delivered' });
    expect(tickFor({ direction: 'out', status: 'read' })).toEqual({ symbol: '✓✓', state: 'read' });
    expect(tickFor({ direction: 'out', status: 'failed' })).toEqual({ symbol: '!', state: 'failed' });
    expect(tickFor({ direction: 'out', status: 'queued' }).state).toBe('queued');
  });
  it('shows no ticks on the customer’s messages and on notes', () => {
    expect(tickFor({ direction: 'in', status: 'received' }).state).toBe('none');
    expect(tickFor({ direction: 'note', status: 'received' }).state).toBe('none');
  });
});

describe("WhatsApp's 24-hour window", () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  it('is open until windowEndsAt', () => {
    expect(windowState({ channel: 'whatsapp', windowEndsAt: '2026-12-01T11:00:00Z' }, now)).toEqual({ kind: 'open', msLeft: 3_600_000 });
  });
  it('is closed at and after windowEndsAt, and when the customer never wrote', () => {
    expect(windowState({ channel: 'whatsapp', windowEndsAt: '2026-12-01T10:00:00Z' }, now)).toEqual({ kind: 'closed', closedAt: '2026-12-01T10:00:00Z' });
    expect(windowState({ channel: 'whatsapp', windowEndsAt: '2026-11-30T09:00:00Z' }, now).kind).toBe('closed');
    expect(windowState({ channel: 'whatsapp', windowEndsAt: null }, now)).toEqual({ kind: 'closed', closedAt: null });
  });
  it('does not apply to SMS or e-mail', () => {
    expect(windowState({ channel: 'sms', windowEndsAt: null }, now).kind).toBe('not_whatsapp');
    expect(windowState({ channel: 'email', windowEndsAt: null }, now).kind).toBe('not_whatsapp');
  });
});

describe('SLA countdown', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  it('counts down to the first response, then the next response; none once resolved', () => {
    expect(slaDue({ status: 'open', firstResponseDueAt: 'a', nextResponseDueAt: 'b' })).toBe('a');
    expect(slaDue({ status: 'open', firstResponseDueAt: null, nextResponseDueAt: 'b' })).toBe('b');
    expect(slaDue({ status: 'resolved', firstResponseDueAt: 'a', nextResponseDueAt: 'b' })).toBeNull();
  });
  it('formats hours, minutes and seconds, flags soon (< 30 min) and overdue', () => {
    expect(countdown('2026-12-01T12:05:00Z', now)).toEqual({ text: '2h 05m', overdue: false, soon: false, parts: [['h', 2], ['m', 5]] });
    expect(countdown('2026-12-01T10:12:30Z', now)).toEqual({ text: '12m', overdue: false, soon: true, parts: [['m', 12]] });
    expect(countdown('2026-12-01T10:00:45Z', now)).toEqual({ text: '45s', overdue: false, soon: true, parts: [['s', 45]] });
    expect(countdown('2026-12-01T09:20:00Z', now)).toEqual({ text: '40m', overdue: true, soon: false, parts: [['m', 40]] });
    expect(countdown('2026-12-03T13:00:00Z', now).text).toBe('2d 3h');
    expect(countdown('2026-12-01T12:00:00Z', now).parts).toEqual([['h', 2]]); // "2 h", not "2 h 0 min"
  });
});

describe('snooze choices', () => {
  it('1 h, 4 h, and tomorrow 09:00 local', () => {
    const now = new Date(2026, 11, 1, 15, 30);
    expect(snoozeUntil('1h', now).getTime() - now.getTime()).toBe(3_600_000);
    expect(snoozeUntil('4h', now).getTime() - now.getTime()).toBe(4 * 3_600_000);
    const t = snoozeUntil('tomorrow', now);
    expect([t.getDate(), t.getHours(), t.getMinutes()]).toEqual([2, 9, 0]);
  });
});

describe('@mentions in a note', () => {
  const users = [{ id: 'a', name: 'Ana' }, { id: 'am', name: 'Ana María' }, { id: 'w', name: '王小明' }];
  it('finds each mentioned user once, the longest name first, any case', () => {
    expect(mentionsIn('@ana maría please call, cc @王小明 and @王小明', users).sort()).toEqual(['am', 'w']);
    expect(mentionsIn('@Ana can you?', users)).toEqual(['a']);
  });
  it('ignores e-mail-like text without a known name and text without @', () => {
    expect(mentionsIn('write to bob@example.com', users)).toEqual([]);
    expect(mentionsIn('Ana will call', users)).toEqual([]);
  });
});
