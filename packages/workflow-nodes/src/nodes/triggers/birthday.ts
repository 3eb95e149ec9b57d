import { DateTime } from 'luxon';
import { z } from 'zod';
import type { CustomerSnapshot } from '../../customer.js';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { clockTimeSchema } from '../../time/windows.js';
import { customerZone } from '../../time/zone.js';

const config = z.object({
  daysBefore: z.int().min(0).max(60).default(0),
  /** local time in the customer's timezone */
  atTime: clockTimeSchema.default('09:00'),
});

/**
 * When this year's (or next year's) birthday trigger fires for a customer, as epoch ms ≥ the
 * start of today: the birthday minus `daysBefore` at `atTime` in the customer's zone.
 * 29 February falls on 28 February in other years. Null without a birthday.
 */
export function birthdayFireAt(
  cfg: z.output<typeof config>,
  customer: Pick<CustomerSnapshot, 'birthday' | 'timezone'>,
  nowMs: number,
  defaultZone: string,
): number | null {
  if (!customer.birthday) return null;
  const born = DateTime.fromISO(customer.birthday);
  if (!born.isValid) return null;
  const zone = customerZone(customer.timezone, defaultZone);
  const today = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const [hour, minute] = cfg.atTime.split(':').map(Number);
  for (const year of [today.year, today.year + 1]) {
    const leap = DateTime.fromObject({ year }).isInLeapYear;
    const day = born.month === 2 && born.day === 29 && !leap ? 28 : born.day;
    const fire = DateTime.fromObject({ year, month: born.month, day, hour, minute }, { zone }).minus({
      days: cfg.daysBefore,
    });
    if (fire >= today) return fire.toMillis();
  }
  return null;
}

export const birthdayTrigger = defineNode({
  type: 'trigger.birthday',
  version: 1,
  kind: 'trigger',
  category: 'dates',
  icon: 'cake',
  label: t('Birthday', '生日', '生日', 'Cumpleaños'),
  description: t(
    'Starts on each customer’s birthday (or some days before) at a set time in the customer’s timezone.',
    '在每位客戶生日當天（或提前幾天）的指定時間啟動，依客戶時區計算。',
    '在每位客户生日当天（或提前几天）的指定时间启动，按客户时区计算。',
    'Se inicia el día del cumpleaños de cada cliente (o unos días antes) a una hora fija en su zona horaria.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config,
  defaults: { daysBefore: 0, atTime: '09:00' },
  trigger: { mode: 'sweep' },
});
