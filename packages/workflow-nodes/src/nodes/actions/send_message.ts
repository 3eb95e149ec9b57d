import { z } from 'zod';
import type { Channel, CustomerSnapshot } from '../../customer.js';
import { channelSchema } from '../../customer.js';
import { defineNode } from '../../define.js';
import { NonRetryableNodeError } from '../../errors.js';
import { t } from '../../i18n.js';
import { customerTemplateValues, renderTemplate } from '../../template.js';
import { loadCustomer, nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

/** The address a channel sends to, or null when the customer has none. */
export function customerAddress(customer: CustomerSnapshot, channel: Channel): string | null {
  if (channel === 'email') return customer.email || null;
  if (channel === 'whatsapp') return customer.whatsappId || customer.phone || null;
  return customer.phone || null;
}

const config = z
  .object({
    channel: channelSchema,
    /** a saved message template; empty = the subject and body below */
    templateId: z.string().default(''),
    subject: z.string().max(300).default(''),
    body: z.string().max(10_000).default(''),
    /** WhatsApp only: an approved template, needed outside the 24-hour reply window */
    whatsappTemplate: z
      .object({
        name: z.string().min(1, said('template_name', 'Enter the approved template name')),
        language: z.string().min(2).default('en'),
        parameters: z.array(z.string()).default([]),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.templateId && !c.body.trim() && !c.whatsappTemplate) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'Write the message, or pick a saved template', params: { reason: 'message_or_template' } });
    }
    if (c.whatsappTemplate && c.channel !== 'whatsapp') {
      ctx.addIssue({
        code: 'custom',
        path: ['whatsappTemplate'],
        message: 'An approved WhatsApp template can only be sent on the WhatsApp channel',
        params: { reason: 'whatsapp_template_channel' },
      });
    }
  });

export const sendMessageAction = defineNode({
  type: 'action.send_message',
  version: 1,
  kind: 'action',
  effects: 'external',
  sendingWindow: true,
  category: 'messaging',
  icon: 'send',
  label: t('Send message', '傳送訊息', '发送消息', 'Enviar mensaje'),
  description: t(
    'Sends an email, WhatsApp or SMS message with variables such as {name}, {owner} or {custom.budget}. Customers who opted out of the channel are skipped.',
    '以電子郵件、WhatsApp 或簡訊傳送訊息，可使用 {name}、{owner}、{custom.budget} 等變數。已退訂該管道的客戶會被略過。',
    '通过邮件、WhatsApp 或短信发送消息，可使用 {name}、{owner}、{custom.budget} 等变量。已退订该渠道的客户会被跳过。',
    'Envía un correo, WhatsApp o SMS con variables como {name}, {owner} o {custom.budget}. Se omite a los clientes que se dieron de baja del canal.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config,
  defaults: { channel: 'email', subject: 'Hello {name}' },
  ui: {
    templateId: { widget: 'message_template' },
    subject: { widget: 'template' },
    body: { widget: 'template' },
    'whatsappTemplate.parameters': { widget: 'template' },
  },
  retry: { maximumAttempts: 5, initialIntervalMs: 5000, backoffCoefficient: 2 },
  timeoutMs: 60_000,
  async run(ctx, cfg) {
    const customer = await loadCustomer(ctx);
    if (customer.consent[cfg.channel] === false) {
      return { port: 'next', status: 'skipped', output: { reason: `opted out of ${cfg.channel}` } };
    }
    const to = customerAddress(customer, cfg.channel);
    if (!to) {
      return { port: 'next', status: 'skipped', output: { reason: `no ${cfg.channel} address` } };
    }
    let subject = cfg.subject;
    let body = cfg.body;
    let whatsappTemplate = cfg.whatsappTemplate;
    if (cfg.templateId) {
      const template = await ctx.messaging.getTemplate(cfg.templateId);
      if (!template) {
        throw new NonRetryableNodeError(
          `Message template ${cfg.templateId} does not exist any more; pick another template in this step.`,
          'template_missing',
        );
      }
      subject = template.subject ?? subject;
      body = template.body;
      if (!whatsappTemplate && cfg.channel === 'whatsapp' && template.whatsapp?.approved) {
        // registered with Meta as {{1}}, {{2}}…: the body's variables in order
        const parameters = [...template.body.matchAll(/\{\s*([A-Za-z_][\w]*(?:\.[\w-]+)*)\s*\}/g)].map((m) => `{${m[1]}}`);
        whatsappTemplate = { name: template.whatsapp.name, language: template.whatsapp.language, parameters };
      }
    }
    const values = customerTemplateValues(customer, ctx.run.triggerEvent?.data ?? {});
    const renderedSubject = renderTemplate(subject, values);
    const renderedBody = renderTemplate(body, values);
    const parameters = (whatsappTemplate?.parameters ?? []).map((p) => renderTemplate(p, values));
    const { providerMessageId } = await ctx.messaging.send({
      channel: cfg.channel,
      to,
      ...(cfg.channel === 'email' ? { subject: renderedSubject.text } : {}),
      text: renderedBody.text,
      ...(whatsappTemplate
        ? {
            template: {
              name: whatsappTemplate.name,
              language: whatsappTemplate.language,
              parameters: parameters.map((p) => p.text),
            },
          }
        : {}),
      variables: values,
      idempotencyKey: ctx.run.idempotencyKey,
      customerId: customer.id,
    });
    const missing = [
      ...new Set([...renderedSubject.missing, ...renderedBody.missing, ...parameters.flatMap((p) => p.missing)]),
    ];
    return { port: 'next', output: { channel: cfg.channel, providerMessageId, missingVariables: missing } };
  },
});
