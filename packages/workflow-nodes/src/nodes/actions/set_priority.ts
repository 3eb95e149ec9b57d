import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { nextPort } from '../shared.js';

export const setPriorityAction = defineNode({
  type: 'action.set_priority',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'customer',
  icon: 'flag',
  label: t('Set priority', '設定優先級', '设置优先级', 'Fijar prioridad'),
  description: t(
    'Sets the customer’s priority: P1 (reply within 2 h), P2 (6 h) or P3 (24 h).',
    '設定客戶優先級：P1（2 小時內回覆）、P2（6 小時）或 P3（24 小時）。',
    '设置客户优先级：P1（2 小时内回复）、P2（6 小时）或 P3（24 小时）。',
    'Fija la prioridad del cliente: P1 (responder en 2 h), P2 (6 h) o P3 (24 h).',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({ priority: z.enum(['P1', 'P2', 'P3']).default('P2') }),
  defaults: { priority: 'P2' },
  async run(ctx, cfg) {
    await ctx.customers.setPriority(ctx.run.customerId, cfg.priority);
    return { port: 'next', output: { priority: cfg.priority } };
  },
});
