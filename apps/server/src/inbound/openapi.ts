/**
 * The webhook routes in the OpenAPI document. They are plain Express routes (their signatures are
 * checked over the raw body, before the JSON parser), so they are declared here by hand.
 */
import { z } from 'zod';
import { registerOperation } from '../openapi/registry.js';

const error = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

const InboundResult = z.object({
  customerId: z.uuid(),
  created: z.boolean().describe('the customer was created by this message (first contact)'),
  duplicate: z.boolean().describe('this provider message id was received before: nothing was written'),
  flows: z.object({ started: z.number(), signalled: z.number() }).nullable(),
});

const CloudApiWebhook = z
  .object({
    object: z.literal('whatsapp_business_account'),
    entry: z.array(z.object({
      id: z.string(),
      changes: z.array(z.object({
        field: z.string().describe('messages'),
        value: z.object({
          messaging_product: z.literal('whatsapp'),
          metadata: z.object({ display_phone_number: z.string(), phone_number_id: z.string() }),
          contacts: z.array(z.object({ profile: z.object({ name: z.string() }).optional(), wa_id: z.string() })).optional(),
          messages: z.array(z.object({ from: z.string(), id: z.string(), timestamp: z.string(), type: z.string() }).loose()).optional()
            .describe('inbound messages: each is written on the timeline once (by id), the sender matched or created'),
          statuses: z.array(z.object({
            id: z.string(), status: z.enum(['sent', 'delivered', 'read', 'failed', 'deleted']), recipient_id: z.string(), timestamp: z.string(),
            biz_opaque_callback_data: z.string().optional(),
          }).loose()).optional().describe('delivery statuses of messages Nudge sent'),
        }).loose(),
      })),
    })),
  })
  .meta({ id: 'WhatsAppCloudApiWebhook' });

export function registerWebhookOperations(): void {
  const tags = ['Webhooks'];
  registerOperation({
    method: 'get',
    path: '/api/webhooks/whatsapp',
    summary: "Meta's verification handshake: answers hub.challenge when hub.verify_token equals WHATSAPP_VERIFY_TOKEN",
    tags,
    security: [],
    request: {
      query: z.object({
        'hub.mode': z.literal('subscribe'),
        'hub.verify_token': z.string(),
        'hub.challenge': z.string(),
      }),
    },
    responses: {
      200: { description: 'The challenge, as text', content: { 'text/plain': { schema: z.string() } } },
      403: json(error, 'Wrong verify token'),
      503: json(error, 'WHATSAPP_VERIFY_TOKEN is not set'),
    },
  });
  registerOperation({
    method: 'post',
    path: '/api/webhooks/whatsapp',
    summary: 'WhatsApp Cloud API webhook: inbound messages, delivery statuses and template reviews',
    description: 'Signed by Meta: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with WHATSAPP_APP_SECRET>`. A redelivery (also a concurrent one) of a message is recognised by its id and written once.',
    tags,
    security: [],
    request: {
      headers: z.object({ 'x-hub-signature-256': z.string().describe('sha256=<hex HMAC of the raw body>') }),
      body: { content: { 'application/json': { schema: CloudApiWebhook } } },
    },
    responses: {
      200: json(z.object({ received: z.number(), statuses: z.number(), settled: z.number(), templates: z.number().describe('saved templates whose review status changed (message_template_status_update)'), results: z.array(InboundResult) }), 'Processed'),
      400: json(error, 'Not a Cloud API webhook, or a value that cannot be stored'),
      401: json(error, 'Bad signature'),
      503: json(error, 'WHATSAPP_APP_SECRET is not set'),
    },
  });
  registerOperation({
    method: 'post',
    path: '/api/webhooks/sms',
    summary: 'An inbound SMS from the gateway: { from, text, id? }',
    description: 'Authenticated with `Authorization: Bearer <SMS_WEBHOOK_TOKEN>`. A repeated `id` is written once.',
    tags,
    security: [{ bearer: [] }],
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({
              from: z.string().min(3).describe('the sender, with country code'),
              text: z.string().min(1).max(5000),
              id: z.string().max(200).optional().describe("the gateway's message id"),
            }),
          },
        },
      },
    },
    responses: {
      200: json(InboundResult, 'Processed'),
      400: json(error, 'Invalid input'),
      401: json(error, 'Wrong or missing token'),
      503: json(error, 'SMS_WEBHOOK_TOKEN is not set'),
    },
  });
}
