import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

export const segmentEntryTrigger = defineNode({
  type: 'trigger.segment_entry',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'users-round',
  label: t('Customer enters a segment', '客戶進入分群', '客户进入分群', 'El cliente entra en un segmento'),
  description: t(
    'Starts when a customer newly matches a saved segment, e.g. tag = potential and no follow-up for 30 days. Checked by a regular sweep.',
    '當客戶開始符合已儲存的分群時啟動，例如標籤為潛在客戶且 30 天未跟進。由定期掃描檢查。',
    '当客户开始符合已保存的分群时启动，例如标签为潜在客户且 30 天未跟进。由定期扫描检查。',
    'Se inicia cuando un cliente empieza a cumplir un segmento guardado, p. ej. etiqueta = potencial y sin seguimiento en 30 días. Se comprueba en un barrido periódico.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z.object({
    segmentId: z.string().min(1, said('pick_entry_segment', 'Pick the segment customers must enter')),
    /** how often the sweep checks the segment */
    checkEveryMinutes: z.int().min(5).max(1440).default(60),
  }),
  defaults: { checkEveryMinutes: 60 },
  ui: { segmentId: { widget: 'segment' } },
  trigger: { mode: 'sweep' },
});
