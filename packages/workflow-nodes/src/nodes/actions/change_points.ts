import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

export const changePointsAction = defineNode({
  type: 'action.change_points',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'loyalty',
  icon: 'star',
  label: t('Change points', '調整點數', '调整积分', 'Cambiar puntos'),
  description: t(
    'Adds loyalty points to the customer (or takes them away with a negative number).',
    '為客戶增加會員點數（輸入負數則扣除）。',
    '为客户增加会员积分（输入负数则扣除）。',
    'Suma puntos de fidelidad al cliente (o los resta con un número negativo).',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({
    delta: z
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((n) => n !== 0, { message: 'Enter a number of points other than 0', params: { reason: 'points_not_zero' } }),
    reason: z.string().min(1, said('points_reason', 'Say why, e.g. "birthday bonus"')).max(200),
  }),
  defaults: { delta: 100, reason: 'Flow bonus' },
  async run(ctx, cfg) {
    const balance = await ctx.customers.changePoints(ctx.run.customerId, cfg.delta, cfg.reason);
    return { port: 'next', output: { delta: cfg.delta, balance } };
  },
});
