import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

export const tagChangedTrigger = defineNode({
  type: 'trigger.tag_changed',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'tag',
  label: t('Tag added or removed', '標籤新增或移除', '标签添加或移除', 'Etiqueta añadida o quitada'),
  description: t(
    'Starts when a chosen tag is added to, or removed from, a customer.',
    '當指定標籤被加到客戶或從客戶移除時啟動。',
    '当指定标签被添加到客户或从客户移除时启动。',
    'Se inicia cuando se añade o se quita una etiqueta elegida a un cliente.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z.object({
    change: z.enum(['added', 'removed']).default('added'),
    tag: z.string().min(1, said('pick_tag', 'Pick a tag')),
  }),
  defaults: { change: 'added' },
  ui: { tag: { widget: 'tags' } },
  trigger: {
    mode: 'event',
    events: ['tag.added', 'tag.removed'],
    match: (config, event) =>
      event.type === (config.change === 'added' ? 'tag.added' : 'tag.removed') &&
      typeof event.data.tag === 'string' &&
      event.data.tag.toLocaleLowerCase() === config.tag.toLocaleLowerCase(),
  },
});
