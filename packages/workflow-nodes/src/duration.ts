import { DateTime } from 'luxon';
import { z } from 'zod';
import { said } from './graph/messages.js';

export const durationUnits = ['minutes', 'hours', 'days', 'weeks'] as const;
/** Waits may also be seconds long (at least 1 s): a durable timer of the engine. */
export const waitDurationUnits = ['seconds', ...durationUnits] as const;

const amount = z.int().min(1, said('whole_number_min_1', 'Enter a whole number of at least 1')).max(100_000);

/** "3 days", "2 hours": what a manager types. Days and weeks are calendar days in the customer's zone. */
export const durationSchema = z.object({ amount, unit: z.enum(durationUnits) });
/** A wait's duration: as `durationSchema`, or whole seconds (≥ 1 s). */
export const waitDurationSchema = z.object({ amount, unit: z.enum(waitDurationUnits) });
export type Duration = z.infer<typeof waitDurationSchema>;

/**
 * now + duration. Seconds, minutes and hours are elapsed time; days and weeks keep the wall-clock time in
 * `zone` (a 3-day wait started at 10:00 ends at 10:00 even when a DST change falls in between).
 */
export function addDuration(nowMs: number, duration: Duration, zone = 'UTC'): number {
  const start = DateTime.fromMillis(nowMs, { zone });
  if (!start.isValid) throw new Error(`Unknown timezone "${zone}"`);
  return start.plus({ [duration.unit]: duration.amount }).toMillis();
}
