import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

const sameValue = (expected: string, actual: unknown): boolean =>
  expected === '' ||
  String(actual ?? '')
    .trim()
    .toLocaleLowerCase() === expected.trim().toLocaleLowerCase();

export const fieldChangedTrigger = defineNode({
  type: 'trigger.field_changed',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'pencil-line',
  label: t('Field changed', '欄位變更', '字段变更', 'Campo cambiado'),
  description: t(
    'Starts when a customer field changes, optionally only from one value to another (e.g. tier from B to A).',
    '當客戶欄位變更時啟動，可限定從某個值變為另一個值（例如等級由 B 變為 A）。',
    '当客户字段变更时启动，可限定从某个值变为另一个值（例如等级由 B 变为 A）。',
    'Se inicia cuando cambia un campo del cliente, opcionalmente solo de un valor a otro (p. ej. nivel de B a A).',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z.object({
    field: z.string().min(1, said('pick_watched_field', 'Pick the field to watch')),
    /** empty = any old value */
    from: z.string().default(''),
    /** empty = any new value */
    to: z.string().default(''),
  }),
  defaults: { from: '', to: '' },
  trigger: {
    mode: 'event',
    events: ['field.changed'],
    match: (config, event) =>
      event.data.field === config.field &&
      sameValue(config.from, event.data.oldValue) &&
      sameValue(config.to, event.data.newValue),
  },
});
