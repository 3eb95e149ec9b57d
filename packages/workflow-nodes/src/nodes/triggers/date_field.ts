import { DateTime } from 'luxon';
import { z } from 'zod';
import type { CustomerSnapshot } from '../../customer.js';
import { customerValue } from '../../customer.js';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { clockTimeSchema } from '../../time/windows.js';
import { customerZone } from '../../time/zone.js';
import { said } from '../../graph/messages.js';

const config = z.object({
  /** a date field: lastOrderAt, custom.purchase_date, custom.renewal_date … */
  field: z.string().min(1, said('pick_date_field', 'Pick a date field')),
  /** 30 = thirty days after the date; -7 = a week before it */
  offsetDays: z.int().min(-365).max(3650).default(30),
  atTime: clockTimeSchema.default('09:00'),
});

/** When the trigger fires for this customer (epoch ms), or null when the field holds no date. */
export function dateFieldFireAt(
  cfg: z.output<typeof config>,
  customer: CustomerSnapshot,
  defaultZone: string,
): number | null {
  const raw = customerValue(customer, cfg.field);
  const zone = customerZone(customer.timezone, defaultZone);
  let date: DateTime;
  if (typeof raw === 'string') date = DateTime.fromISO(raw, { zone });
  else if (typeof raw === 'number') date = DateTime.fromMillis(raw, { zone });
  else if (raw instanceof Date) date = DateTime.fromJSDate(raw, { zone });
  else return null;
  if (!date.isValid) return null;
  const [hour, minute] = cfg.atTime.split(':').map(Number);
  return date.startOf('day').plus({ days: cfg.offsetDays }).set({ hour, minute }).toMillis();
}

export const dateFieldTrigger = defineNode({
  type: 'trigger.date_field',
  version: 1,
  kind: 'trigger',
  category: 'dates',
  icon: 'calendar-days',
  label: t('Days after a date', '日期後若干天', '日期后若干天', 'Días después de una fecha'),
  description: t(
    'Starts a number of days after (or before) a date on the customer, e.g. 30 days after a purchase or 7 days before a renewal.',
    '在客戶某個日期之後（或之前）若干天啟動，例如購買後 30 天或續約前 7 天。',
    '在客户某个日期之后（或之前）若干天启动，例如购买后 30 天或续约前 7 天。',
    'Se inicia unos días después (o antes) de una fecha del cliente, p. ej. 30 días tras una compra o 7 días antes de una renovación.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config,
  defaults: { offsetDays: 30, atTime: '09:00' },
  trigger: { mode: 'sweep' },
});
