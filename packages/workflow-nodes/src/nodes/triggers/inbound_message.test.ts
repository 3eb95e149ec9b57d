import { describe, expect, it } from 'vitest';
import { inboundMessageTrigger, keywordMatches } from './inbound_message.js';

describe('trigger.inbound_message', () => {
  const trigger = inboundMessageTrigger.trigger as Extract<typeof inboundMessageTrigger.trigger, { mode: 'event' }>;
  const message = (text: string, channel = 'whatsapp') =>
    ({ type: 'message.received', customerId: 'c', at: 0, data: { text, channel } }) as const;

  it('matches keywords in several languages, case- and width-insensitive', () => {
    const cfg = inboundMessageTrigger.config.parse(inboundMessageTrigger.defaults);
    expect(trigger.match(cfg, message('請問價格多少？'))).toBe(true);
    expect(trigger.match(cfg, message('请问价格'))).toBe(true);
    expect(trigger.match(cfg, message('¿Cuál es el PRECIO?'))).toBe(true);
    expect(trigger.match(cfg, message('ＰＲＩＣＥ please'))).toBe(true);
    expect(trigger.match(cfg, message('hello'))).toBe(false);
  });
  it('filters by channel', () => {
    const cfg = inboundMessageTrigger.config.parse({ channel: 'email', match: 'any' });
    expect(trigger.match(cfg, message('hi', 'email'))).toBe(true);
    expect(trigger.match(cfg, message('hi', 'sms'))).toBe(false);
  });
  it('supports exact and regex matching', () => {
    expect(keywordMatches({ match: 'exact', keywords: ['1'] }, ' 1 ')).toBe(true);
    expect(keywordMatches({ match: 'exact', keywords: ['1'] }, '12')).toBe(false);
    expect(keywordMatches({ match: 'regex', keywords: ['^order\\s*#?\\d+'] }, 'Order #123')).toBe(true);
  });
  it('explains missing keywords and a broken pattern', () => {
    const none = inboundMessageTrigger.config.safeParse({ match: 'contains', keywords: [] });
    expect(none.error?.issues[0]).toMatchObject({ path: ['keywords'], message: 'Add at least one keyword, or choose "any message"' });
    const broken = inboundMessageTrigger.config.safeParse({ match: 'regex', keywords: ['ok', '(unclosed'] });
    expect(broken.error?.issues[0]).toMatchObject({ path: ['keywords', 1], message: '"(unclosed" is not a valid pattern' });
  });
});
