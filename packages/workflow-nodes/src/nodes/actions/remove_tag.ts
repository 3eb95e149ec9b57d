import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

export const removeTagAction = defineNode({
  type: 'action.remove_tag',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'customer',
  icon: 'tag-x',
  label: t('Remove tag', '移除標籤', '移除标签', 'Quitar etiqueta'),
  description: t(
    'Removes a tag from the customer (nothing happens when the customer does not have it).',
    '移除客戶的標籤（客戶沒有此標籤時不做任何事）。',
    '移除客户的标签（客户没有此标签时不做任何事）。',
    'Quita una etiqueta del cliente (no pasa nada si el cliente no la tiene).',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({ tag: z.string().min(1, said('pick_tag', 'Pick a tag')).max(100) }),
  defaults: {},
  ui: { tag: { widget: 'tags' } },
  async run(ctx, cfg) {
    const removed = await ctx.customers.removeTag(ctx.run.customerId, cfg.tag);
    return { port: 'next', status: removed ? 'done' : 'skipped', output: { tag: cfg.tag, removed } };
  },
});
