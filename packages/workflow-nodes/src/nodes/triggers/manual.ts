import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';

export const manualTrigger = defineNode({
  type: 'trigger.manual',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'hand',
  label: t('Started by hand', '手動啟動', '手动启动', 'Inicio manual'),
  description: t(
    'Starts for the customers you select in the customer list.',
    '為您在客戶清單中選取的客戶啟動。',
    '为您在客户列表中选中的客户启动。',
    'Se inicia para los clientes que seleccione en la lista de clientes.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z.object({}),
  defaults: {},
  trigger: { mode: 'manual' },
});
