import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

/** Fields with their own step (tags, owner, priority, points) or that no flow may change. */
export const fieldsNotUpdatable = ['id', 'tags', 'ownerId', 'owner', 'priority', 'points', 'createdAt'] as const;

export const updateFieldAction = defineNode({
  type: 'action.update_field',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'customer',
  icon: 'pencil',
  label: t('Update field', '更新欄位', '更新字段', 'Actualizar campo'),
  description: t(
    'Sets a customer field (or custom field) to a value.',
    '將客戶欄位（或自訂欄位）設為指定值。',
    '将客户字段（或自定义字段）设为指定值。',
    'Pone un valor en un campo (o campo personalizado) del cliente.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({
    field: z
      .string()
      .min(1, said('pick_field_to_update', 'Pick the field to update'))
      .refine((f) => !(fieldsNotUpdatable as readonly string[]).includes(f), {
        message: 'This field has its own step (tag, owner, priority, points) or cannot be changed by a flow',
        params: { reason: 'field_not_updatable' },
      }),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  }),
  defaults: {},
  async run(ctx, cfg) {
    await ctx.customers.updateField(ctx.run.customerId, cfg.field, cfg.value);
    return { port: 'next', output: { field: cfg.field, value: cfg.value } };
  },
});
