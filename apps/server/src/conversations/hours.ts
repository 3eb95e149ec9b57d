/**
 * Business hours: several periods per weekday (lunch breaks, split shifts), holidays and a
 * timezone. Used for "in hours / out of hours" rules, agents' shifts and SLA deadlines counted in
 * business time.
 */
import { DateTime } from 'luxon';

export interface BusinessHours {
  timezone: string;
  /** weekday 1 = Monday … 7 = Sunday; "HH:MM" 24 h; end after start */
  periods: { weekday: number; start: string; end: string }[];
  /** yyyy-mm-dd in the timezone */
  holidays?: string[];
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + (m ?? 0);
};

export function isWithinHours(hours: BusinessHours, at: Date): boolean {
  const dt = DateTime.fromJSDate(at, { zone: hours.timezone });
  if (hours.holidays?.includes(dt.toISODate()!)) return false;
  const m = dt.hour * 60 + dt.minute;
  return hours.periods.some((p) => p.weekday === dt.weekday && minutesOf(p.start) <= m && m < minutesOf(p.end));
}

/** The local day (yyyy-mm-dd) of a moment in the timezone: "once per day" is counted in it. */
export const localDay = (timezone: string, at: Date) => DateTime.fromJSDate(at, { zone: timezone }).toISODate()!;

/**
 * The moment `hours` business hours after `from`. Without any period (24/7 teams) it is plain
 * time. Looks at most two years ahead.
 */
export function addBusinessHours(hours: BusinessHours, from: Date, businessHours: number): Date {
  if (hours.periods.length === 0) return new Date(from.getTime() + businessHours * 3_600_000);
  let remaining = businessHours * 60; // minutes
  let day = DateTime.fromJSDate(from, { zone: hours.timezone }).startOf('day');
  const fromLocal = DateTime.fromJSDate(from, { zone: hours.timezone });
  for (let i = 0; i < 730; i++, day = day.plus({ days: 1 })) {
    if (hours.holidays?.includes(day.toISODate()!)) continue;
    const periods = hours.periods.filter((p) => p.weekday === day.weekday).sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (const p of periods) {
      let start = day.plus({ minutes: minutesOf(p.start) });
      const end = day.plus({ minutes: minutesOf(p.end) });
      if (end <= fromLocal) continue;
      if (start < fromLocal) start = fromLocal;
      const available = end.diff(start, 'minutes').minutes;
      if (available >= remaining) return start.plus({ minutes: remaining }).toJSDate();
      remaining -= available;
    }
  }
  throw new Error('No business hours in the next two years: check the team\'s periods and holidays.');
}
