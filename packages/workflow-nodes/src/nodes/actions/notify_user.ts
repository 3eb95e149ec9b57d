import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { customerTemplateValues, renderTemplate } from '../../template.js';
import { loadCustomer, nextPort, requireOwner } from '../shared.js';
import { said } from '../../graph/messages.js';

export const notifyUserAction = defineNode({
  type: 'action.notify_user',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'team',
  icon: 'bell',
  label: t('Notify a user', '通知使用者', '通知用户', 'Avisar a un usuario'),
  description: t(
    'Sends an in-app notification to the customer’s owner or to a chosen user.',
    '傳送站內通知給客戶負責人或指定使用者。',
    '发送站内通知给客户负责人或指定用户。',
    'Envía un aviso dentro de la aplicación al responsable del cliente o a un usuario elegido.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z
    .object({
      recipient: z.enum(['owner', 'user']).default('owner'),
      userId: z.string().default(''),
      title: z.string().min(1, said('notification_title', 'Give the notification a title')).max(200),
      message: z.string().max(2000).default(''),
    })
    .refine((c) => c.recipient === 'owner' || c.userId !== '', { path: ['userId'], message: 'Pick the user to notify', params: { reason: 'pick_user_to_notify' } }),
  defaults: { recipient: 'owner', userId: '', title: '{name} needs attention', message: '' },
  ui: { title: { widget: 'template' }, message: { widget: 'template' }, userId: { widget: 'user' } },
  async run(ctx, cfg) {
    const customer = await loadCustomer(ctx);
    const userId = cfg.recipient === 'owner' ? requireOwner(customer, 'the notification') : cfg.userId;
    const values = customerTemplateValues(customer, ctx.run.triggerEvent?.data ?? {});
    await ctx.notifications.notifyUser(userId, {
      title: renderTemplate(cfg.title, values).text,
      body: renderTemplate(cfg.message, values).text,
      customerId: customer.id,
    });
    return { port: 'next', output: { userId } };
  },
});
