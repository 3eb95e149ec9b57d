import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';

/**
 * Who a webhook call is about: the identifier read from the payload at `identifierField`
 * (a dotted path, e.g. "contact.email"), or a message saying what is missing.
 */
export function webhookCustomerIdentifier(
  cfg: { identifyBy: 'email' | 'phone' | 'customer_id'; identifierField: string },
  payload: unknown,
): { ok: true; by: 'email' | 'phone' | 'customer_id'; value: string } | { ok: false; message: string } {
  let value: unknown = payload;
  for (const part of cfg.identifierField.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, message: `The webhook body has no "${cfg.identifierField}" to find the customer by (${cfg.identifyBy}).` };
  }
  const trimmed = value.trim();
  return { ok: true, by: cfg.identifyBy, value: cfg.identifyBy === 'email' ? trimmed.toLowerCase() : trimmed };
}

export const webhookTrigger = defineNode({
  type: 'trigger.webhook',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'webhook',
  label: t('Webhook or form submitted', 'Webhook 或表單提交', 'Webhook 或表单提交', 'Webhook o formulario enviado'),
  description: t(
    'Starts when another system or a web form posts to this flow’s address. The customer is found by email, phone or id.',
    '當其他系統或網頁表單送資料到此流程的網址時啟動。以電子郵件、電話或編號找到客戶。',
    '当其他系统或网页表单向此流程的地址提交数据时启动。按邮箱、电话或编号找到客户。',
    'Se inicia cuando otro sistema o un formulario web envía datos a la dirección de este flujo. El cliente se busca por correo, teléfono o id.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z.object({
    /** the last part of the webhook address: /api/hooks/<hookId> */
    hookId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'Use 3–63 lower-case letters, digits or dashes, e.g. "contact-form"'),
    identifyBy: z.enum(['email', 'phone', 'customer_id']).default('email'),
    /** the payload field holding the email / phone / id */
    identifierField: z.string().min(1).default('email'),
    createMissingCustomer: z.boolean().default(true),
  }),
  defaults: { identifyBy: 'email', identifierField: 'email', createMissingCustomer: true },
  trigger: {
    mode: 'event',
    events: ['webhook.received'],
    match: (cfg, event) => event.data.hook === cfg.hookId,
  },
});
