import { z } from 'zod';
import { conditionSchema } from '../../condition.js';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { evaluateForCustomer, loadCustomer } from '../shared.js';

export const ifElseCondition = defineNode({
  type: 'condition.if_else',
  version: 1,
  kind: 'condition',
  effects: 'database',
  category: 'conditions',
  icon: 'split',
  label: t('If / else', '如果 / 否則', '如果 / 否则', 'Si / si no'),
  description: t(
    'Checks the customer’s fields, tags, days since the last interaction or segment membership, with nested AND / OR, and branches.',
    '檢查客戶的欄位、標籤、距上次互動天數或分群，可巢狀 AND / OR，然後分支。',
    '检查客户的字段、标签、距上次互动天数或分群，可嵌套 AND / OR，然后分支。',
    'Comprueba campos, etiquetas, días desde la última interacción o pertenencia a segmentos del cliente, con Y / O anidados, y bifurca.',
  ),
  inputs: ['in'],
  outputs: [
    { id: 'true', label: t('Yes', '是', '是', 'Sí') },
    { id: 'false', label: t('No', '否', '否', 'No') },
  ],
  config: z.object({ condition: conditionSchema }),
  defaults: { condition: { type: 'and', conditions: [{ type: 'tag', operator: 'has', tag: 'potential' }] } },
  async run(ctx, config) {
    const customer = await loadCustomer(ctx);
    const [result] = await evaluateForCustomer(ctx, customer, [config.condition]);
    return { port: result ? 'true' : 'false', output: { result } };
  },
});
