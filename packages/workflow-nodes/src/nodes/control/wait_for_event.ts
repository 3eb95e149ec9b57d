import { z } from 'zod';
import { channelSchema } from '../../customer.js';
import { defineNode } from '../../define.js';
import { addDuration, waitDurationSchema } from '../../duration.js';
import { t } from '../../i18n.js';
import { customerZone } from '../../time/zone.js';

export const waitableEvents = ['message.received', 'message.read', 'link.clicked', 'tag.added', 'order.created'] as const;

export const waitForEventControl = defineNode({
  type: 'control.wait_for_event',
  version: 1,
  kind: 'control',
  category: 'timing',
  icon: 'message-square-reply',
  label: t('Wait for a reply', '等待回覆', '等待回复', 'Esperar respuesta'),
  description: t(
    'Waits until the customer replies (or reads, clicks, buys…) and goes on at once; if nothing happens in time, takes the “no” branch. E.g. “replied within 3 days?”.',
    '等待客戶回覆（或已讀、點擊、購買…）後立即繼續；逾時未發生則走「否」分支。例如「3 天內是否回覆？」。',
    '等待客户回复（或已读、点击、购买…）后立即继续；超时未发生则走“否”分支。例如“3 天内是否回复？”。',
    'Espera a que el cliente responda (o lea, haga clic, compre…) y sigue al momento; si no ocurre a tiempo, toma la rama «no». P. ej. «¿respondió en 3 días?».',
  ),
  inputs: ['in'],
  outputs: [
    { id: 'replied', label: t('Yes, in time', '是，及時', '是，及时', 'Sí, a tiempo') },
    { id: 'timeout', label: t('No, time ran out', '否，已逾時', '否，已超时', 'No, se acabó el tiempo') },
  ],
  config: z.object({
    event: z.enum(waitableEvents).default('message.received'),
    channel: z.union([channelSchema, z.literal('any')]).default('any'),
    /** tag.added: which tag */
    tag: z.string().default(''),
    /** message.received: only replies containing one of these count; empty = any reply */
    keywords: z.array(z.string().min(1)).default([]),
    timeout: waitDurationSchema,
  }),
  defaults: { event: 'message.received', channel: 'any', tag: '', keywords: [], timeout: { amount: 3, unit: 'days' } },
  ui: { timeout: { widget: 'duration' }, keywords: { widget: 'tags' } },
  waits: true,
  decide(cfg, state) {
    const zone = customerZone(state.customer?.timezone, state.defaultTimezone);
    return {
      type: 'wait_for_event',
      filter: { event: cfg.event, channel: cfg.channel, tag: cfg.tag, keywords: cfg.keywords },
      timeoutAtMs: addDuration(state.nowMs, cfg.timeout, zone),
      eventPort: 'replied',
      timeoutPort: 'timeout',
    };
  },
});
