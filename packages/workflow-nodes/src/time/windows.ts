/**
 * Weekly time windows in a timezone: business hours, preferred contact slots, quiet hours.
 * Pure functions over epoch ms; the wall-clock arithmetic (and DST) is luxon's.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { clockTimeSchema } from './schemas.js';
import type { ContactSlot, Weekday } from '../customer.js';
import { weekdays } from '../customer.js';

export { clockTimeSchema };

export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-25')
  .refine((s) => DateTime.fromISO(s).isValid, 'This date does not exist');

export interface WeeklyWindow {
  weekday: Weekday;
  /** minutes after local midnight */
  startMinute: number;
  /** minutes after local midnight, up to 1440; must be > startMinute */
  endMinute: number;
}

export const clockMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

const weekdayNumber = (w: Weekday): number => weekdays.indexOf(w) + 1; // luxon: 1 = Monday

/** A repeated wall time (the hour DST gives back) means its first occurrence. */
function firstOccurrence(dt: DateTime): DateTime {
  const candidates = dt.getPossibleOffsets();
  return candidates.length > 1 ? candidates.reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a)) : dt;
}

function localAt(day: DateTime, minute: number): DateTime {
  if (minute >= 1440) return day.plus({ days: 1 }).startOf('day');
  // fromObject resolves a wall time inside a DST gap by moving it forward, as people expect
  return firstOccurrence(
    DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60 },
      { zone: day.zone },
    ),
  );
}

/**
 * The earliest instant ≥ now that lies inside one of the windows, skipping holiday dates
 * (YYYY-MM-DD, local). `now` itself when it is already inside. Null when no window ever opens.
 */
export function nextWindowStart(
  nowMs: number,
  zone: string,
  windows: readonly WeeklyWindow[],
  holidays: readonly string[] = [],
): number | null {
  const valid = windows.filter((w) => w.endMinute > w.startMinute);
  if (valid.length === 0) return null;
  const holidaySet = new Set(holidays);
  const now = DateTime.fromMillis(nowMs, { zone });
  if (!now.isValid) throw new Error(`Unknown timezone "${zone}"`);
  const today = now.startOf('day');
  // two years of days: enough to pass any list of holidays a person would enter
  for (let i = 0; i < 366 * 2; i++) {
    const day = today.plus({ days: i });
    if (holidaySet.has(day.toISODate() ?? '')) continue;
    const todays = valid
      .filter((w) => weekdayNumber(w.weekday) === day.weekday)
      .sort((a, b) => a.startMinute - b.startMinute);
    for (const w of todays) {
      const start = localAt(day, w.startMinute).toMillis();
      const end = localAt(day, w.endMinute).toMillis();
      if (nowMs < start) return start;
      if (nowMs < end) return nowMs;
    }
  }
  return null;
}

/** Local hours of each part of the day, for preferred contact slots. */
export const dayPartHours = {
  morning: { start: '09:00', end: '12:00' },
  afternoon: { start: '12:00', end: '18:00' },
  evening: { start: '18:00', end: '21:00' },
} as const;

export const slotWindows = (slots: readonly ContactSlot[]): WeeklyWindow[] =>
  slots.map((s) => ({
    weekday: s.weekday,
    startMinute: clockMinutes(dayPartHours[s.part].start),
    endMinute: clockMinutes(dayPartHours[s.part].end),
  }));

export const businessHoursWindows = (days: readonly Weekday[], start: string, end: string): WeeklyWindow[] =>
  days.map((weekday) => ({ weekday, startMinute: clockMinutes(start), endMinute: clockMinutes(end) }));

/**
 * A local date and time (2026-12-24T09:00) in `zone` as epoch ms. A time that does not exist
 * (skipped by DST) moves forward by the gap; an ambiguous one (repeated hour) takes the first.
 */
export function localDateTimeToMs(local: string, zone: string): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`"${local}" is not a valid date and time in ${zone}`);
  return firstOccurrence(dt).toMillis();
}
