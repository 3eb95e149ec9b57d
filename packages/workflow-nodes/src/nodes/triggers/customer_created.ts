import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';

export const customerCreatedTrigger = defineNode({
  type: 'trigger.customer_created',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'user-plus',
  label: t('Customer created or imported', '客戶建立或匯入', '客户创建或导入', 'Cliente creado o importado'),
  description: t(
    'Starts when a customer is added by hand, through the API or a CSV import.',
    '當客戶經手動、API 或 CSV 匯入新增時啟動。',
    '当客户经手动、API 或 CSV 导入新增时启动。',
    'Se inicia cuando se añade un cliente a mano, por la API o por una importación CSV.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z.object({ origin: z.enum(['any', 'created', 'imported']).default('any') }),
  defaults: { origin: 'any' },
  trigger: {
    mode: 'event',
    events: ['customer.created', 'customer.imported'],
    match: (config, event) =>
      config.origin === 'any' ||
      (config.origin === 'created' && event.type === 'customer.created') ||
      (config.origin === 'imported' && event.type === 'customer.imported'),
  },
});
