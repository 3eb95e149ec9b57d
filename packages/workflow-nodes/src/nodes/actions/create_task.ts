import { z } from 'zod';
import { defineNode } from '../../define.js';
import { addDuration, durationSchema } from '../../duration.js';
import { t } from '../../i18n.js';
import { customerTemplateValues, renderTemplate } from '../../template.js';
import { loadCustomer, nextPort, requireOwner } from '../shared.js';
import { said } from '../../graph/messages.js';

export const createTaskAction = defineNode({
  type: 'action.create_task',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'team',
  icon: 'list-todo',
  label: t('Create task', '建立任務', '创建任务', 'Crear tarea'),
  description: t(
    'Creates a task or reminder, e.g. “Call {name}”, for the customer’s owner (or a chosen user), due after a set time.',
    '為客戶負責人（或指定使用者）建立任務或提醒，例如「致電 {name}」，並設定到期時間。',
    '为客户负责人（或指定用户）创建任务或提醒，例如“致电 {name}”，并设定到期时间。',
    'Crea una tarea o recordatorio, p. ej. «Llamar a {name}», para el responsable del cliente (o un usuario elegido), con vencimiento tras un plazo.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z
    .object({
      title: z.string().min(1, said('task_title', 'Give the task a title')).max(300),
      taskType: z.enum(['call', 'email', 'meeting', 'follow_up', 'other']).default('call'),
      dueIn: durationSchema.default({ amount: 24, unit: 'hours' }),
      assignTo: z.enum(['owner', 'user']).default('owner'),
      userId: z.string().default(''),
      notes: z.string().max(5000).default(''),
    })
    .refine((c) => c.assignTo === 'owner' || c.userId !== '', {
      path: ['userId'],
      message: 'Pick the user who gets the task',
      params: { reason: 'pick_task_user' },
    }),
  defaults: { title: 'Call {name}', taskType: 'call', dueIn: { amount: 24, unit: 'hours' }, assignTo: 'owner', userId: '', notes: '' },
  ui: {
    title: { widget: 'template' },
    notes: { widget: 'template' },
    dueIn: { widget: 'duration' },
    userId: { widget: 'user' },
  },
  async run(ctx, cfg) {
    const customer = await loadCustomer(ctx);
    const assigneeId = cfg.assignTo === 'owner' ? requireOwner(customer, 'the task') : cfg.userId;
    const values = customerTemplateValues(customer, ctx.run.triggerEvent?.data ?? {});
    const dueAt = addDuration(ctx.now(), cfg.dueIn);
    const { taskId } = await ctx.timeline.createTask({
      customerId: customer.id,
      assigneeId,
      title: renderTemplate(cfg.title, values).text,
      taskType: cfg.taskType,
      dueAt,
      notes: renderTemplate(cfg.notes, values).text,
    });
    return { port: 'next', output: { taskId, assigneeId, dueAt } };
  },
});
