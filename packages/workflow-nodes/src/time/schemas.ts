/**
 * The shapes of a flow's sending rules and of clock times, zod only: the editor bundles them
 * (through `@nudge/workflow-nodes/graph`) and the API contracts build on them.
 */
import { z } from 'zod';

export const clockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use a 24-hour time like 09:00 or 18:30');

export const quietHoursSchema = z.object({
  /** local time quiet hours begin, e.g. 21:00 */
  start: clockTimeSchema,
  /** local time they end, e.g. 08:00 (the next morning when earlier than start) */
  end: clockTimeSchema,
});
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const frequencyCapSchema = z.object({
  maxMessages: z.int().min(1),
  perHours: z.int().min(1).max(24 * 90),
});
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;
