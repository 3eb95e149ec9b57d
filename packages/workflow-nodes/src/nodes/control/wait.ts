import { z } from 'zod';
import { defineNode } from '../../define.js';
import { addDuration, waitDurationSchema } from '../../duration.js';
import { t } from '../../i18n.js';
import { customerZone } from '../../time/zone.js';
import { controlNextPort } from './ports.js';

export const waitControl = defineNode({
  type: 'control.wait',
  version: 1,
  kind: 'control',
  category: 'timing',
  icon: 'hourglass',
  label: t('Wait', '等待', '等待', 'Esperar'),
  description: t(
    'Pauses for a while, e.g. 3 days. Days keep the clock time in the customer’s timezone, also across daylight-saving changes.',
    '暫停一段時間，例如 3 天。以天計時會依客戶時區保持相同時刻，日光節約時間切換也不受影響。',
    '暂停一段时间，例如 3 天。按天计时会依客户时区保持相同时刻，夏令时切换也不受影响。',
    'Hace una pausa, p. ej. 3 días. Los días mantienen la hora del reloj en la zona del cliente, también con cambios de horario.',
  ),
  inputs: ['in'],
  outputs: [controlNextPort],
  config: z.object({ duration: waitDurationSchema }),
  defaults: { duration: { amount: 1, unit: 'days' } },
  ui: { duration: { widget: 'duration' } },
  waits: true,
  decide(cfg, state) {
    const zone = customerZone(state.customer?.timezone, state.defaultTimezone);
    return { type: 'sleep', untilMs: addDuration(state.nowMs, cfg.duration, zone), port: 'next' };
  },
});
