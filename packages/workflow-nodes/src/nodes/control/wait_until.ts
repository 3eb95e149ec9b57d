import { z } from 'zod';
import { weekdays } from '../../customer.js';
import { defineNode } from '../../define.js';
import type { ControlState } from '../../define.js';
import { t } from '../../i18n.js';
import {
  businessHoursWindows,
  clockMinutes,
  clockTimeSchema,
  isoDateSchema,
  localDateTimeToMs,
  nextWindowStart,
  slotWindows,
} from '../../time/windows.js';
import { customerZone, isValidTimezone } from '../../time/zone.js';
import { controlNextPort } from './ports.js';

const config = z
  .object({
    mode: z.enum(['datetime', 'business_hours', 'preferred_slot', 'time_of_day']).default('business_hours'),
    /** "customer" = the customer's own timezone (the flow default when unknown), or an IANA zone */
    timezone: z
      .string()
      .default('customer')
      .refine((zone) => zone === 'customer' || isValidTimezone(zone), { message: 'Pick "customer" or a timezone from the list', params: { reason: 'pick_timezone' } }),
    /** datetime: a local date and time, 2026-12-24T09:00 */
    at: z.string().default(''),
    /** business_hours / time_of_day (and preferred_slot's fallback) */
    days: z.array(z.enum(weekdays)).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: clockTimeSchema.default('09:00'),
    end: clockTimeSchema.default('18:00'),
    holidays: z.array(isoDateSchema).default([]),
    /** time_of_day: the next time the clock shows this, on one of `days` */
    time: clockTimeSchema.default('09:00'),
    /** preferred_slot, when the customer has no preferred slots */
    noSlotFallback: z.enum(['business_hours', 'continue']).default('business_hours'),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'datetime' && !/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/.test(c.at)) {
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'Enter the date and time to wait for, like 2026-12-24T09:00', params: { reason: 'wait_date_time' } });
    }
    if ((c.mode === 'business_hours' || c.mode === 'time_of_day') && c.days.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'Pick at least one day of the week', params: { reason: 'pick_weekday' } });
    }
    if (c.mode === 'business_hours' && clockMinutes(c.end) <= clockMinutes(c.start)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'Business hours must end after they start', params: { reason: 'hours_end_after_start' } });
    }
  });
type WaitUntilConfig = z.output<typeof config>;

/** The instant the wait ends (≤ now means "go on at once"). Pure; exported for tests and previews. */
export function waitUntilInstant(cfg: WaitUntilConfig, state: ControlState): number {
  const zone =
    cfg.timezone === 'customer' ? customerZone(state.customer?.timezone, state.defaultTimezone) : cfg.timezone;
  const businessHours = () =>
    nextWindowStart(state.nowMs, zone, businessHoursWindows(cfg.days, cfg.start, cfg.end), cfg.holidays) ?? state.nowMs;
  switch (cfg.mode) {
    case 'datetime':
      return localDateTimeToMs(cfg.at, zone);
    case 'business_hours':
      return businessHours();
    case 'time_of_day': {
      const start = clockMinutes(cfg.time);
      const windows = cfg.days.map((weekday) => ({ weekday, startMinute: start, endMinute: start + 1 }));
      return nextWindowStart(state.nowMs, zone, windows) ?? state.nowMs;
    }
    case 'preferred_slot': {
      const slots = state.customer?.preferredContactSlots ?? [];
      if (slots.length === 0) return cfg.noSlotFallback === 'business_hours' ? businessHours() : state.nowMs;
      return nextWindowStart(state.nowMs, zone, slotWindows(slots), cfg.holidays) ?? state.nowMs;
    }
  }
}

export const waitUntilControl = defineNode({
  type: 'control.wait_until',
  version: 1,
  kind: 'control',
  category: 'timing',
  icon: 'alarm-clock',
  label: t('Wait until', '等待直到', '等待直到', 'Esperar hasta'),
  description: t(
    'Waits for a date and time, for business hours, for the customer’s preferred contact time, or for a time of day, in the customer’s timezone.',
    '等到指定日期時間、營業時間、客戶偏好的聯絡時段或每天某個時刻，依客戶時區計算。',
    '等到指定日期时间、营业时间、客户偏好的联系时段或每天某个时刻，按客户时区计算。',
    'Espera hasta una fecha y hora, el horario laboral, la franja de contacto preferida del cliente o una hora del día, en la zona del cliente.',
  ),
  inputs: ['in'],
  outputs: [controlNextPort],
  config,
  defaults: { mode: 'business_hours', timezone: 'customer', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00', holidays: [] },
  ui: { timezone: { widget: 'timezone' }, holidays: { widget: 'tags' } },
  waits: true,
  decide(cfg, state) {
    const untilMs = waitUntilInstant(cfg, state);
    return untilMs > state.nowMs ? { type: 'sleep', untilMs, port: 'next' } : { type: 'next', port: 'next' };
  },
});
