import { z } from 'zod';
import { defineNode } from '../../define.js';
import { addDuration, durationSchema } from '../../duration.js';
import { t } from '../../i18n.js';
import { nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

export const addTagAction = defineNode({
  type: 'action.add_tag',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'customer',
  icon: 'tag',
  label: t('Add tag', '新增標籤', '添加标签', 'Añadir etiqueta'),
  description: t(
    'Adds a tag to the customer, optionally removed again after a while (e.g. “new inquiry” for 24 hours).',
    '為客戶加上標籤，可設定一段時間後自動移除（例如「新詢價」24 小時）。',
    '为客户添加标签，可设定一段时间后自动移除（例如“新询价”24 小时）。',
    'Añade una etiqueta al cliente, que puede quitarse sola pasado un tiempo (p. ej. «nueva consulta» durante 24 horas).',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({
    tag: z.string().min(1, said('pick_tag', 'Pick a tag')).max(100),
    /** null = keep the tag */
    expiresAfter: durationSchema.nullable().default(null),
  }),
  defaults: { expiresAfter: null },
  ui: { tag: { widget: 'tags' }, expiresAfter: { widget: 'duration' } },
  async run(ctx, cfg) {
    const expiresAt = cfg.expiresAfter ? addDuration(ctx.now(), cfg.expiresAfter) : null;
    await ctx.customers.addTag(ctx.run.customerId, cfg.tag, { expiresAt });
    return { port: 'next', output: { tag: cfg.tag, expiresAt } };
  },
});
