import { DateTime } from 'luxon';
import { z } from 'zod';

export const durationUnits = ['minutes', 'hours', 'days', 'weeks'] as const;

/** "3 days", "2 hours": what a manager types. Days and weeks are calendar days in the customer's zone. */
export const durationSchema = z.object({
  amount: z.int().min(1, 'Enter a whole number of at least 1').max(100_000),
  unit: z.enum(durationUnits),
});
export type Duration = z.infer<typeof durationSchema>;

/**
 * now + duration. Minutes and hours are elapsed time; days and weeks keep the wall-clock time in
 * `zone` (a 3-day wait started at 10:00 ends at 10:00 even when a DST change falls in between).
 */
export function addDuration(nowMs: number, duration: Duration, zone = 'UTC'): number {
  const start = DateTime.fromMillis(nowMs, { zone });
  if (!start.isValid) throw new Error(`Unknown timezone "${zone}"`);
  return start.plus({ [duration.unit]: duration.amount }).toMillis();
}
