import { Cron } from 'croner';
import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { timezoneSchema } from '../../time/zone.js';
import { said } from '../../graph/messages.js';

function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const config = z.object({
  /** five fields: minute hour day-of-month month day-of-week; "0 9 1 * *" = 09:00 on the 1st */
  cron: z.string().superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a valid schedule (${problem}). Example: "0 9 1 * *" runs at 09:00 on the 1st of each month.`,
        params: { reason: 'schedule_invalid', value },
      });
    }
  }),
  timezone: timezoneSchema.default('UTC'),
  /** who is enrolled at each tick */
  segmentId: z.string().min(1, said('pick_schedule_segment', 'Pick the segment to enroll at each scheduled time')),
});

/** The next `count` times (epoch ms) the schedule fires after `fromMs`. */
export function nextScheduleTimes(cfg: z.output<typeof config>, fromMs: number, count: number): number[] {
  const cron = new Cron(cfg.cron, { timezone: cfg.timezone, paused: true });
  return cron.nextRuns(count, new Date(fromMs)).map((d) => d.getTime());
}

export const scheduleTrigger = defineNode({
  type: 'trigger.schedule',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'calendar-clock',
  label: t('On a schedule', '依排程', '按计划', 'Según un horario'),
  description: t(
    'Enrolls the customers of a segment at set times, e.g. 09:00 on the 1st of every month, in the timezone you choose.',
    '在設定的時間讓分群中的客戶進入流程，例如每月 1 日 09:00，使用您選擇的時區。',
    '在设定的时间让分群中的客户进入流程，例如每月 1 日 09:00，使用您选择的时区。',
    'Inscribe a los clientes de un segmento en momentos fijos, p. ej. el día 1 de cada mes a las 09:00, en la zona horaria elegida.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config,
  defaults: { cron: '0 9 1 * *', timezone: 'UTC' },
  ui: { cron: { widget: 'cron' }, timezone: { widget: 'timezone' }, segmentId: { widget: 'segment' } },
  trigger: { mode: 'schedule' },
});
