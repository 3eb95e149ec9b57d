import { z } from 'zod';
import { defineNode } from '../../define.js';
import { NonRetryableNodeError } from '../../errors.js';
import { t } from '../../i18n.js';
import { customerTemplateValues, renderTemplate } from '../../template.js';
import { loadCustomer, nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

/** Statuses worth retrying: timeouts, rate limits and server errors. Other 4xx need a person. */
export const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** Values inserted into a JSON body are escaped so a name like `Ann "Jo"` keeps the JSON valid. */
export const jsonEscapeValues = (values: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v).slice(1, -1)]));

export const httpWebhookAction = defineNode({
  type: 'action.http_webhook',
  version: 1,
  kind: 'action',
  effects: 'external',
  category: 'integrations',
  icon: 'globe',
  label: t('Call a webhook', '呼叫 Webhook', '调用 Webhook', 'Llamar a un webhook'),
  description: t(
    'Sends the customer’s data to another system’s web address. Busy or failing systems are retried.',
    '將客戶資料送到其他系統的網址。對方忙碌或出錯時會重試。',
    '将客户数据发送到其他系统的网址。对方繁忙或出错时会重试。',
    'Envía los datos del cliente a la dirección web de otro sistema. Si está ocupado o falla, se reintenta.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({
    url: z.url({ protocol: /^https?$/, error: 'Enter a full web address starting with http:// or https://' }),
    method: z.enum(['POST', 'PUT', 'PATCH', 'GET', 'DELETE']).default('POST'),
    /** no secrets here: the plan is stored in run history */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, said('header_name_format', 'Header names use letters, digits and dashes')), z.string()).default({}),
    bodyFormat: z.enum(['json', 'text']).default('json'),
    body: z.string().max(20_000).default('{"customerId": "{event.customerId}", "name": "{name}"}'),
    timeoutSeconds: z.int().min(1).max(120).default(10),
  }),
  defaults: { method: 'POST', headers: {}, bodyFormat: 'json', body: '{"name": "{name}", "email": "{email}"}', timeoutSeconds: 10 },
  ui: { body: { widget: 'template' } },
  retry: { maximumAttempts: 6, initialIntervalMs: 5000, backoffCoefficient: 2 },
  async run(ctx, cfg) {
    const customer = await loadCustomer(ctx);
    const values = customerTemplateValues(customer, ctx.run.triggerEvent?.data ?? {});
    values['event.customerId'] = customer.id;
    const body =
      cfg.method === 'GET' || cfg.method === 'DELETE'
        ? undefined
        : renderTemplate(cfg.body, cfg.bodyFormat === 'json' ? jsonEscapeValues(values) : values).text;
    if (body !== undefined && cfg.bodyFormat === 'json') {
      try {
        JSON.parse(body);
      } catch {
        throw new NonRetryableNodeError('The webhook body is not valid JSON after filling in the variables; fix the body in this step.', 'invalid_json');
      }
    }
    const headers: Record<string, string> = {
      ...(body !== undefined ? { 'content-type': cfg.bodyFormat === 'json' ? 'application/json' : 'text/plain; charset=utf-8' } : {}),
      'idempotency-key': ctx.run.idempotencyKey,
      ...cfg.headers,
    };
    const response = await ctx.http.request({
      url: cfg.url,
      method: cfg.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      timeoutMs: cfg.timeoutSeconds * 1000,
    });
    if (response.status >= 200 && response.status < 300) {
      return { port: 'next', output: { status: response.status } };
    }
    const detail = `${cfg.method} ${cfg.url} answered ${response.status}: ${response.body.slice(0, 200)}`;
    if (isRetryableStatus(response.status)) throw new Error(detail);
    throw new NonRetryableNodeError(detail, 'webhook_rejected');
  },
});
