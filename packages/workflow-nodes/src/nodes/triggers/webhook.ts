import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

export type WebhookIdentifyBy = 'email' | 'phone' | 'customer_id' | 'external_id';

/**
 * A value of the webhook body at `field`: the key itself first (form posts name fields
 * "contact.email"), else the dotted path into nested JSON ("contact.email" → body.contact.email).
 */
export function webhookBodyValue(payload: unknown, field: string): unknown {
  if (!payload || typeof payload !== 'object') return undefined;
  const own = (payload as Record<string, unknown>)[field];
  if (own !== undefined) return own;
  let value: unknown = payload;
  for (const part of field.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/**
 * Who a webhook call is about: the identifier read from the payload at `identifierField`
 * (a dotted path, e.g. "contact.email"), or a message saying what is missing.
 */
export function webhookCustomerIdentifier(
  cfg: { identifyBy: WebhookIdentifyBy; identifierField: string },
  payload: unknown,
): { ok: true; by: WebhookIdentifyBy; value: string } | { ok: false; message: string } {
  let value = webhookBodyValue(payload, cfg.identifierField);
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, message: `The webhook body has no "${cfg.identifierField}" to find the customer by (${cfg.identifyBy}).` };
  }
  const trimmed = value.trim();
  return { ok: true, by: cfg.identifyBy, value: cfg.identifyBy === 'email' ? trimmed.toLowerCase() : trimmed };
}

const fieldPath = z.string().trim().min(1).max(200);

export const webhookTrigger = defineNode({
  type: 'trigger.webhook',
  version: 1,
  kind: 'trigger',
  category: 'triggers',
  icon: 'webhook',
  label: t('Webhook or form submitted', 'Webhook 或表單提交', 'Webhook 或表单提交', 'Webhook o formulario enviado'),
  description: t(
    'Starts when another system or a web form posts to /api/hooks/<hook id> (JSON or a form). The customer is found by email, phone, id or an external id.',
    '當其他系統或網頁表單送資料到 /api/hooks/<hook id>（JSON 或表單）時啟動。以電子郵件、電話、編號或外部編號找到客戶。',
    '当其他系统或网页表单向 /api/hooks/<hook id>（JSON 或表单）提交数据时启动。按邮箱、电话、编号或外部编号找到客户。',
    'Se inicia cuando otro sistema o un formulario web envía datos a /api/hooks/<hook id> (JSON o formulario). El cliente se busca por correo, teléfono, id o un id externo.',
  ),
  inputs: [],
  outputs: [{ id: 'next', label: t('Then', '然後', '然后', 'Después') }],
  config: z
    .object({
      /** the last part of the webhook address: /api/hooks/<hookId> */
      hookId: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, said('hook_id_format', 'Use 3–63 lower-case letters, digits or dashes, e.g. "contact-form"')),
      identifyBy: z.enum(['email', 'phone', 'customer_id', 'external_id']).default('email'),
      /** the payload field holding the email / phone / id */
      identifierField: fieldPath.default('email'),
      /** identifyBy external_id: the custom field (key) holding the other system's id */
      externalIdKey: z.string().trim().min(1).max(100).optional(),
      createMissingCustomer: z.boolean().default(true),
      /** the payload field with the customer's name, used when a customer is created */
      nameField: fieldPath.default('name'),
      /** a payload field that makes a request unique (besides the Idempotency-Key header) */
      idempotencyField: fieldPath.optional(),
      /** hmac: X-Nudge-Signature: sha256=<hex HMAC-SHA256 of the raw body>; token: Authorization: Bearer <secret> */
      auth: z.enum(['none', 'hmac', 'token']).default('none'),
      rateLimitPerMinute: z.int().min(1).max(100_000).default(600),
    })
    .refine((c) => c.identifyBy !== 'external_id' || c.externalIdKey !== undefined, {
      message: 'Name the custom field that holds the external id (externalIdKey)',
      params: { reason: 'external_id_key' },
      path: ['externalIdKey'],
    }),
  defaults: { identifyBy: 'email', identifierField: 'email', createMissingCustomer: true, nameField: 'name', auth: 'none', rateLimitPerMinute: 600 },
  trigger: {
    mode: 'event',
    events: ['webhook.received'],
    match: (cfg, event) => event.data.hook === cfg.hookId,
  },
});
