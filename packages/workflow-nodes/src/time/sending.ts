/**
 * When a message may go out: quiet hours in the customer's timezone and a frequency cap per
 * customer. Pure, so the interpreter can hold a send back with a durable timer.
 */
import { DateTime } from 'luxon';
import { frequencyCapSchema, quietHoursSchema, type FrequencyCap, type QuietHours } from './schemas.js';
import { clockMinutes } from './windows.js';

export { frequencyCapSchema, quietHoursSchema, type FrequencyCap, type QuietHours };

/** The first instant ≥ now outside quiet hours (now itself when sending is allowed). */
export function quietHoursEnd(nowMs: number, zone: string, quiet: QuietHours): number {
  const now = DateTime.fromMillis(nowMs, { zone });
  if (!now.isValid) throw new Error(`Unknown timezone "${zone}"`);
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  if (start === end) return nowMs;
  const minute = now.hour * 60 + now.minute;
  const wraps = start > end; // 21:00 → 08:00 crosses midnight
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return nowMs;
  const endDay = wraps && minute >= start ? now.plus({ days: 1 }) : now;
  return DateTime.fromObject(
    { year: endDay.year, month: endDay.month, day: endDay.day, hour: Math.floor(end / 60), minute: end % 60 },
    { zone },
  ).toMillis();
}

/**
 * The first instant ≥ now at which one more message stays within the cap, given when the
 * customer's earlier messages were sent.
 */
export function frequencyCapAllows(sentAtMs: readonly number[], cap: FrequencyCap, nowMs: number): number {
  const windowMs = cap.perHours * 3_600_000;
  const recent = sentAtMs.filter((t) => t > nowMs - windowMs && t <= nowMs).sort((a, b) => a - b);
  if (recent.length < cap.maxMessages) return nowMs;
  // the send that must leave the window before another fits
  return recent[recent.length - cap.maxMessages]! + windowMs;
}
