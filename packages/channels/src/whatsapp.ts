/**
 * WhatsApp Business Cloud API: the request, response and webhook shapes as zod schemas, a
 * sending adapter over fetch, webhook parsing and signature checks. The same schemas drive the
 * local stand-in, so a shape the stand-in accepts is one the real API documents.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';
import { ChannelSendError } from './types.js';
import { metaTemplateLanguage, templateStatusFromWebhook, whatsappTemplateStatusValueSchema, type WhatsAppTemplateStatusUpdate } from './whatsapp-templates.js';

// ---- outgoing messages: POST /{version}/{phone-number-id}/messages

const phoneTo = z.string().regex(/^\+?\d{6,15}$/, 'to must be a phone number in international format');
/** A business-scoped user id (BSUID, e.g. `TW.1234567890`): a user who hides their number is reached by it. */
const bsuidRecipient = z.string().regex(/^[A-Z]{2}\.[A-Za-z0-9_-]{4,128}$/, 'recipient must be a business-scoped user id (e.g. TW.1234567890)');
/** Looks like a BSUID rather than a phone number: letters and a dot. */
export const isBsuid = (value: string) => /^[A-Z]{2}\.[A-Za-z0-9_-]{4,128}$/.test(value);

/** Echoed by Meta in every status webhook of the message: Nudge puts the idempotency key here. */
const callbackData = z.string().max(512).optional();

const textMessageSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  biz_opaque_callback_data: callbackData,
  to: phoneTo.optional(),
  recipient: bsuidRecipient.optional(),
  type: z.literal('text'),
  text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }),
});

const templateMessageSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  biz_opaque_callback_data: callbackData,
  to: phoneTo.optional(),
  recipient: bsuidRecipient.optional(),
  type: z.literal('template'),
  template: z.object({
    name: z.string().min(1),
    language: z.object({ code: z.string().min(2) }),
    components: z
      .array(
        z.object({
          type: z.enum(['header', 'body', 'button']),
          parameters: z.array(z.object({ type: z.literal('text'), text: z.string() })),
        }),
      )
      .optional(),
  }),
});

/** Addressed by phone number (`to`) or, for a user known only by their BSUID, by `recipient` — one of them. */
export const whatsappSendRequestSchema = z
  .discriminatedUnion('type', [textMessageSchema, templateMessageSchema])
  .refine((m) => !!m.to !== !!m.recipient, { message: 'give either `to` (a phone number) or `recipient` (a business-scoped user id)', path: ['to'] });
export type WhatsAppSendRequest = z.infer<typeof whatsappSendRequestSchema>;

export const whatsappSendResponseSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string().optional(), user_id: z.string().optional() })),
  messages: z.array(z.object({ id: z.string(), message_status: z.string().optional() })).min(1),
});

export const whatsappErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    error_data: z.unknown().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** Rate limits and temporary trouble, per Meta's error code list: worth retrying. */
const retryableWhatsAppCodes = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004]);

// ---- webhooks

const inboundMessageSchema = z.looseObject({
  /** the sender's phone digits; Meta omits it for a user who hides their number behind a username */
  from: z.string().optional(),
  /** the sender's business-scoped user id (BSUID), sent since 2026 */
  from_user_id: z.string().optional(),
  id: z.string(),
  timestamp: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.object({ id: z.string(), title: z.string() }).optional(),
    })
    .optional(),
  image: z.looseObject({ caption: z.string().optional() }).optional(),
  context: z.looseObject({ id: z.string().optional() }).optional(),
});

const statusSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['sent', 'delivered', 'read', 'failed', 'deleted']),
  timestamp: z.string(),
  recipient_id: z.string(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number(), title: z.string().optional(), message: z.string().optional() })).optional(),
});

const messagesChangeSchema = z.object({
  field: z.literal('messages'),
  value: z.looseObject({
    messaging_product: z.literal('whatsapp'),
    metadata: z.object({ display_phone_number: z.string(), phone_number_id: z.string() }),
    contacts: z
      .array(z.looseObject({ profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(), wa_id: z.string().optional(), user_id: z.string().optional() }))
      .optional(),
    messages: z
      .array(inboundMessageSchema.refine((m) => m.from || m.from_user_id, { message: 'a message needs `from` or `from_user_id`', path: ['from'] }))
      .optional(),
    statuses: z.array(statusSchema).optional(),
  }),
});
/** Meta's review of a template (approved, rejected with a reason, paused, disabled) */
const templateStatusChangeSchema = z.object({ field: z.literal('message_template_status_update'), value: whatsappTemplateStatusValueSchema });
const CHANGE_SCHEMAS: Record<string, z.ZodType> = { messages: messagesChangeSchema.shape.value, message_template_status_update: templateStatusChangeSchema.shape.value };

/** A change's value is checked by its field; other subscribed fields (account updates, quality…) are accepted and ignored. */
const changeSchema = z.object({ field: z.string(), value: z.unknown() }).superRefine((c, ctx) => {
  const schema = CHANGE_SCHEMAS[c.field];
  if (!schema) return;
  const r = schema.safeParse(c.value);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ['value', ...issue.path] } as never);
});

export const whatsappWebhookSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(changeSchema),
    }),
  ),
});
export type WhatsAppWebhook = z.infer<typeof whatsappWebhookSchema>;

export interface InboundWhatsAppMessage {
  providerMessageId: string;
  phoneNumberId: string;
  /** the sender's WhatsApp id (digits of their phone number); null when the user hides it behind a username */
  from: string | null;
  /** the sender's business-scoped user id (BSUID), when Meta sends one */
  userId: string | null;
  profileName: string | null;
  type: string;
  /** the text, button title or caption; empty for media without caption */
  text: string;
  /** epoch ms */
  at: number;
  /** the message this one replies to */
  replyTo: string | null;
}

export interface WhatsAppStatusUpdate {
  providerMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'deleted';
  recipient: string;
  at: number;
  error: string | null;
  /** `biz_opaque_callback_data` of the message: the idempotency key Nudge sent it with */
  callbackData: string | null;
}

/** A contact entry that names another sender than the message's (a different number or user id). */
const contradicts = (c: { wa_id?: string; user_id?: string }, m: { from?: string; from_user_id?: string }): boolean =>
  Boolean((c.wa_id && m.from && c.wa_id !== m.from) || (c.user_id && m.from_user_id && c.user_id !== m.from_user_id));

/** Inbound messages and delivery statuses from a webhook body (throws a zod error on a foreign shape). */
export function parseWhatsAppWebhook(body: unknown): { messages: InboundWhatsAppMessage[]; statuses: WhatsAppStatusUpdate[]; templateStatuses: WhatsAppTemplateStatusUpdate[] } {
  const payload = whatsappWebhookSchema.parse(body);
  const messages: InboundWhatsAppMessage[] = [];
  const statuses: WhatsAppStatusUpdate[] = [];
  const templateStatuses: WhatsAppTemplateStatusUpdate[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field === 'message_template_status_update') {
        templateStatuses.push(templateStatusFromWebhook(entry.id, templateStatusChangeSchema.shape.value.parse(change.value)));
        continue;
      }
      if (change.field !== 'messages') continue;
      const value = messagesChangeSchema.shape.value.parse(change.value);
      const contacts = value.contacts ?? [];
      for (const m of value.messages ?? []) {
        // the message's sender among the contacts: by user id or number. Only a change of ONE
        // message and one contact that names no other number or user id pairs them without a
        // match; otherwise another sender's profile name (or number) would be stored on this one
        const contact =
          contacts.find((c) => (m.from_user_id && c.user_id === m.from_user_id) || (m.from && c.wa_id === m.from)) ??
          (contacts.length === 1 && value.messages!.length === 1 && !contradicts(contacts[0]!, m) ? contacts[0] : undefined);
        messages.push({
          providerMessageId: m.id,
          phoneNumberId: value.metadata.phone_number_id,
          from: m.from ?? contact?.wa_id ?? null,
          userId: m.from_user_id ?? contact?.user_id ?? null,
          profileName: contact?.profile?.name ?? contact?.profile?.username ?? null,
          type: m.type,
          text: m.text?.body ?? m.button?.text ?? m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? m.image?.caption ?? '',
          at: Number(m.timestamp) * 1000,
          replyTo: m.context?.id ?? null,
        });
      }
      for (const s of value.statuses ?? []) {
        statuses.push({
          providerMessageId: s.id,
          status: s.status,
          recipient: s.recipient_id,
          at: Number(s.timestamp) * 1000,
          error: s.errors?.map((e) => `${e.code} ${e.title ?? e.message ?? ''}`.trim()).join('; ') || null,
          callbackData: s.biz_opaque_callback_data ?? null,
        });
      }
    }
  }
  return { messages, statuses, templateStatuses };
}

/** X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(app secret, raw body). */
export const signWhatsAppPayload = (rawBody: string | Buffer, appSecret: string) =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

export function verifyWhatsAppSignature(rawBody: string | Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWhatsAppPayload(rawBody, appSecret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The GET handshake Meta makes when a webhook is registered: the challenge to echo, or null. */
export function answerWebhookVerification(query: Record<string, unknown>, verifyToken: string): string | null {
  if (query['hub.mode'] === 'subscribe' && query['hub.verify_token'] === verifyToken && typeof query['hub.challenge'] === 'string') {
    return query['hub.challenge'];
  }
  return null;
}

// ---- the adapter

export const whatsappConfigSchema = z.object({
  /** https://graph.facebook.com, or a stand-in */
  baseUrl: z.url().default('https://graph.facebook.com'),
  apiVersion: z.string().regex(/^v\d+\.\d+$/).default('v21.0'),
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  timeoutMs: z.number().int().min(1000).default(15_000),
  /** how long a send whose outcome is unknown after a crash waits for its status webhook before it is resent */
  unknownOutcomeWaitMs: z.number().int().min(0).default(60_000),
});
export type WhatsAppConfig = z.input<typeof whatsappConfigSchema>;

export function whatsappRequestFor(message: OutboundMessage): WhatsAppSendRequest {
  // a BSUID goes in `recipient` as it is; a phone number in `to`, digits only
  const address = isBsuid(message.to.trim()) ? { recipient: message.to.trim() } : { to: message.to.replace(/[^\d+]/g, '') };
  const biz_opaque_callback_data = message.idempotencyKey.slice(0, 512);
  if (message.template) {
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      biz_opaque_callback_data,
      ...address,
      type: 'template',
      template: {
        name: message.template.name,
        language: { code: metaTemplateLanguage(message.template.language) }, // the locale the template was submitted in (zh-Hant → zh_TW)
        ...(message.template.parameters.length
          ? { components: [{ type: 'body' as const, parameters: message.template.parameters.map((text) => ({ type: 'text' as const, text })) }] }
          : {}),
      },
    };
  }
  return { messaging_product: 'whatsapp', recipient_type: 'individual', biz_opaque_callback_data, ...address, type: 'text', text: { body: message.text, preview_url: false } };
}

export function createWhatsAppAdapter(input: WhatsAppConfig): ChannelAdapter {
  const config = whatsappConfigSchema.parse(input);
  const url = `${config.baseUrl.replace(/\/$/, '')}/${config.apiVersion}/${config.phoneNumberId}/messages`;
  return {
    channel: 'whatsapp',
    // the Cloud API does not de-duplicate: wait for the status webhook that echoes the key, then resend
    unknownOutcome: { kind: 'await_status', waitMs: config.unknownOutcomeWaitMs },
    async send(message: OutboundMessage): Promise<SendResult> {
      const request = whatsappRequestFor(message);
      const checked = whatsappSendRequestSchema.safeParse(request);
      if (!checked.success) {
        throw new ChannelSendError(`Cannot send to WhatsApp: ${checked.error.issues[0]?.message}`, 'whatsapp', false, 'invalid_request');
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(checked.data),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
        throw new ChannelSendError(
          `WhatsApp API ${timedOut ? 'did not answer in time' : 'unreachable'}: ${(error as Error).message}`, 'whatsapp', true, timedOut ? 'timeout' : 'network', undefined, timedOut,
        );
      }
      const body: unknown = await response.json().catch(() => null);
      if (response.ok) {
        const parsed = whatsappSendResponseSchema.safeParse(body);
        if (!parsed.success) {
          throw new ChannelSendError('WhatsApp API answered with an unexpected body', 'whatsapp', false, 'bad_response', response.status);
        }
        return { providerMessageId: parsed.data.messages[0]!.id };
      }
      const error = whatsappErrorSchema.safeParse(body);
      const code = error.success ? error.data.error.code : undefined;
      const retryable = response.status === 429 || response.status >= 500 || (code !== undefined && retryableWhatsAppCodes.has(code));
      throw new ChannelSendError(
        `WhatsApp API refused the message (${response.status}${code !== undefined ? `, code ${code}` : ''}): ${
          error.success ? error.data.error.message : 'no details'
        }`,
        'whatsapp',
        retryable,
        code !== undefined ? `whatsapp_${code}` : `http_${response.status}`,
        response.status,
      );
    },
  };
}
