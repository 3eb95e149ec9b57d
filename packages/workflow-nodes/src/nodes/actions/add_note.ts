import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { customerTemplateValues, renderTemplate } from '../../template.js';
import { loadCustomer, nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

export const addNoteAction = defineNode({
  type: 'action.add_note',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'customer',
  icon: 'sticky-note',
  label: t('Add note', '新增備註', '添加备注', 'Añadir nota'),
  description: t(
    'Writes a note on the customer’s timeline.',
    '在客戶時間軸上寫一則備註。',
    '在客户时间线上写一条备注。',
    'Escribe una nota en la cronología del cliente.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({ text: z.string().min(1, said('write_note', 'Write the note')).max(5000) }),
  defaults: {},
  ui: { text: { widget: 'template' } },
  async run(ctx, cfg) {
    const customer = await loadCustomer(ctx);
    const text = renderTemplate(cfg.text, customerTemplateValues(customer, ctx.run.triggerEvent?.data ?? {})).text;
    const { noteId } = await ctx.timeline.addNote(customer.id, text);
    return { port: 'next', output: { noteId } };
  },
});
