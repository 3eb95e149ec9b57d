import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { customerAddress, sendMessageAction } from './send_message.js';

const customers = [
  {
    id: 'c1',
    name: '張大明',
    email: 'daming@example.com',
    phone: '+886912345678',
    ownerName: 'Lucía',
    custom: { budget: '200k' },
    lastProduct: 'Solar panel',
  },
];

describe('action.send_message', () => {
  it('renders {name}, {owner} and custom fields and sends with the step idempotency key', async () => {
    const { ctx, world } = createMemoryContext({ customers, run: { idempotencyKey: 'run-9:email' } });
    const cfg = sendMessageAction.config.parse({
      channel: 'email',
      subject: 'Hola {name}',
      body: '{owner} here about {last_product} (budget {custom.budget}, {custom.missing|n/a}).',
    });
    const result = await sendMessageAction.run(ctx, cfg);
    expect(result).toMatchObject({ port: 'next', output: { channel: 'email', missingVariables: [] } });
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]).toMatchObject({
      channel: 'email',
      to: 'daming@example.com',
      subject: 'Hola 張大明',
      text: 'Lucía here about Solar panel (budget 200k, n/a).',
      idempotencyKey: 'run-9:email',
    });
    // a retried attempt reuses the key: the context's store returns the first send
    await sendMessageAction.run(ctx, cfg);
    expect(world.sent).toHaveLength(1);
  });

  it('uses a saved template and WhatsApp template parameters', async () => {
    const { ctx, world } = createMemoryContext({
      customers,
      templates: [{ id: 't1', body: 'Hi {name}!' }],
    });
    await sendMessageAction.run(ctx, sendMessageAction.config.parse({ channel: 'whatsapp', templateId: 't1', whatsappTemplate: { name: 'follow_up', language: 'zh_TW', parameters: ['{name}', '{owner}'] } }));
    expect(world.sent[0]).toMatchObject({
      channel: 'whatsapp',
      to: '+886912345678',
      text: 'Hi 張大明!',
      template: { name: 'follow_up', language: 'zh_TW', parameters: ['張大明', 'Lucía'] },
    });
  });

  it('sends an approved saved WhatsApp template as that template (its variables as the parameters); an unapproved one as text', async () => {
    const { ctx, world } = createMemoryContext({
      customers,
      templates: [
        { id: 'wa', channel: 'whatsapp', body: 'Hi {name}, {owner} will call.', whatsapp: { name: 'call_notice', language: 'en', approved: true } },
      ],
    });
    await sendMessageAction.run(ctx, sendMessageAction.config.parse({ channel: 'whatsapp', templateId: 'wa' }));
    expect(world.sent[0]).toMatchObject({ text: 'Hi 張大明, Lucía will call.', template: { name: 'call_notice', language: 'en', parameters: ['張大明', 'Lucía'] } });
    const other = createMemoryContext({ customers, templates: [{ id: 'pending', channel: 'whatsapp', body: 'Hi {name}!', whatsapp: { name: 'spring_offer', language: 'en', approved: false } }] });
    await sendMessageAction.run(other.ctx, sendMessageAction.config.parse({ channel: 'whatsapp', templateId: 'pending' }));
    expect(other.world.sent[0]!.template).toBeUndefined();
    expect(other.world.sent[0]!.text).toBe('Hi 張大明!');
  });

  it('skips customers who opted out or have no address', async () => {
    const { ctx, world } = createMemoryContext({
      customers: [
        { id: 'c1', name: 'Out', email: 'out@example.com', consent: { email: false } },
        { id: 'c2', name: 'No phone' },
      ],
    });
    const email = sendMessageAction.config.parse({ channel: 'email', body: 'x' });
    expect(await sendMessageAction.run(ctx, email)).toEqual({ port: 'next', status: 'skipped', output: { reason: 'opted out of email' } });
    ctx.run.customerId = 'c2';
    const sms = sendMessageAction.config.parse({ channel: 'sms', body: 'x' });
    expect(await sendMessageAction.run(ctx, sms)).toEqual({ port: 'next', status: 'skipped', output: { reason: 'no sms address' } });
    expect(world.sent).toHaveLength(0);
  });

  it('fails without retry when the template was deleted', async () => {
    const { ctx } = createMemoryContext({ customers });
    await expect(sendMessageAction.run(ctx, sendMessageAction.config.parse({ channel: 'email', templateId: 'gone' }))).rejects.toMatchObject({
      code: 'template_missing',
    });
  });

  it('asks for a message and keeps WhatsApp templates on WhatsApp', () => {
    const empty = sendMessageAction.config.safeParse({ channel: 'email' });
    expect(empty.error?.issues[0]).toMatchObject({ path: ['body'], message: 'Write the message, or pick a saved template' });
    const wrong = sendMessageAction.config.safeParse({ channel: 'sms', whatsappTemplate: { name: 'x' } });
    expect(wrong.error?.issues[0]?.path).toEqual(['whatsappTemplate']);
  });

  it('picks the address per channel', () => {
    const c = { id: 'x', name: 'x', tags: [], fields: {}, custom: {}, preferredContactSlots: [], consent: {}, phone: '+34600000000', whatsappId: '34600000001' };
    expect(customerAddress(c, 'whatsapp')).toBe('34600000001');
    expect(customerAddress(c, 'sms')).toBe('+34600000000');
    expect(customerAddress(c, 'email')).toBeNull();
  });
});
