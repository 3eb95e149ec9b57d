import { z } from 'zod';
import { channelSchema } from '../../customer.js';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

const normalise = (s: string) => s.normalize('NFKC').trim().toLocaleLowerCase();

const config = z
  .object({
    channel: z.union([channelSchema, z.literal('any')]).default('any'),
    match: z.enum(['any', 'contains', 'exact', 'regex']).default('contains'),
    /** several languages and synonyms side by side: 价格, 價格, precio, price */
    keywords: z.array(z.string().min(1, said('keyword_empty', 'A keyword cannot be empty'))).default([]),
  })
  .superRefine((c, ctx) => {
    if (c.match !== 'any' && c.keywords.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['keywords'], message: 'Add at least one keyword, or choose "any message"', params: { reason: 'keyword_required' } });
    }
    if (c.match === 'regex') {
      c.keywords.forEach((k, i) => {
        try {
          new RegExp(k, 'iu');
        } catch {
          ctx.addIssue({ code: 'custom', path: ['keywords', i], message: `"${k}" is not a valid pattern`, params: { reason: 'pattern_invalid', value: k } });
        }
      });
    }
  });

/** Whether an inbound text matches the trigger's keywords (case- and width-insensitive). */
export function keywordMatches(cfg: Pick<z.output<typeof config>, 'match' | 'keywords'>, text: string): boolean {
  const body = normalise(text);
  switch (cfg.match) {
    case 'any':
      return true;
    case 'contains':
      return cfg.keywords.some((k) => body.includes(normalise(k)));
    case 'exact':
      return cfg.keywords.some((k) => body === normalise(k));
    case 'regex':
      return cfg.keywords.some((k) => new RegExp(k, 'iu').test(text.normalize('NFKC')));
  }
}

export const inboundMessageTrigger = defineNode({
  type: 'trigger.inbound_message',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'message-circle',
  label: t('Message received', '收到訊息', '收到消息', 'Mensaje recibido'),
  description: t(
    'Starts when a customer writes to you, optionally only when the message contains a keyword (e.g. 价格 / 價格 / precio / price).',
    '當客戶傳訊息給您時啟動，可限定訊息包含關鍵字（例如 价格 / 價格 / precio / price）。',
    '当客户给您发消息时启动，可限定消息包含关键词（例如 价格 / 價格 / precio / price）。',
    'Se inicia cuando un cliente le escribe, opcionalmente solo si el mensaje contiene una palabra clave (p. ej. 价格 / 價格 / precio / price).',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config,
  defaults: { channel: 'any', match: 'contains', keywords: ['price', 'precio', '价格', '價格'] },
  ui: { keywords: { widget: 'tags' } },
  trigger: {
    mode: 'event',
    events: ['message.received'],
    match: (cfg, event) =>
      (cfg.channel === 'any' || event.data.channel === cfg.channel) &&
      keywordMatches(cfg, typeof event.data.text === 'string' ? event.data.text : ''),
  },
});
