import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';

export const endControl = defineNode({
  type: 'control.end',
  version: 1,
  kind: 'control',
  category: 'flow',
  icon: 'circle-stop',
  label: t('End', '結束', '结束', 'Fin'),
  description: t('Ends the flow for this customer.', '為此客戶結束流程。', '为此客户结束流程。', 'Termina el flujo para este cliente.'),
  inputs: ['in'],
  outputs: [],
  config: z.object({}),
  defaults: {},
  waits: false,
  decide() {
    return { type: 'exit', reason: 'end' };
  },
});
