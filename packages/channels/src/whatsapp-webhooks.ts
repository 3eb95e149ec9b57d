/**
 * Builders for the WhatsApp Cloud API webhook payloads Meta sends (messages and statuses), in
 * one place: the stand-in posts them, tests and benchmarks play Meta with them. The shapes follow
 * the Cloud API reference; `whatsappWebhookSchema` in whatsapp.ts is what Nudge accepts.
 */
import type { WhatsAppWebhook } from './whatsapp.js';

/** which business number the webhook is for (Meta's `entry[].id` and `metadata`) */
export interface CloudApiRecipient {
  businessAccountId?: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
}

export type WhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed';

const epochSeconds = (at: Date | number = Date.now()) => String(Math.floor(Number(at) / 1000));

/** one `messages` change around `value`, as Meta wraps every notification */
export function whatsAppWebhookEnvelope(value: Record<string, unknown>, to: CloudApiRecipient = {}): WhatsAppWebhook {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: to.businessAccountId ?? '200000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: to.displayPhoneNumber ?? '15550000001', phone_number_id: to.phoneNumberId ?? '100000000000001' },
              ...value,
            },
          },
        ],
      },
    ],
  } as WhatsAppWebhook;
}

export interface InboundTextMessage {
  /** the sender's WhatsApp id (their phone number's digits; a leading + is dropped); omitted for a user who hides it */
  from?: string;
  text: string;
  /** Meta's message id (`wamid.…`) */
  id: string;
  /** the sender's profile name; defaults to their number */
  name?: string;
  /** the business-scoped user id (BSUID) Meta sends beside the number since 2026 */
  userId?: string;
  /** the message this one replies to */
  replyTo?: string;
  at?: Date | number;
}

/** a customer's text message, as the `messages` webhook carries it */
export function whatsAppMessageWebhook(message: InboundTextMessage, to: CloudApiRecipient = {}): WhatsAppWebhook {
  const waId = message.from?.replace(/^\+/, '');
  const ids = { ...(waId ? { wa_id: waId } : {}), ...(message.userId ? { user_id: message.userId } : {}) };
  return whatsAppWebhookEnvelope(
    {
      contacts: [{ profile: { name: message.name ?? waId ?? 'WhatsApp user' }, ...ids }],
      messages: [
        {
          ...(waId ? { from: waId } : {}),
          ...(message.userId ? { from_user_id: message.userId } : {}),
          id: message.id,
          timestamp: epochSeconds(message.at),
          type: 'text',
          text: { body: message.text },
          ...(message.replyTo ? { context: { from: to.displayPhoneNumber ?? '15550000001', id: message.replyTo } } : {}),
        },
      ],
    },
    to,
  );
}

export interface StatusNotification {
  /** the id the Cloud API gave the message Nudge sent */
  id: string;
  status: WhatsAppStatus;
  /** the customer's WhatsApp id */
  recipient: string;
  /** echoed `biz_opaque_callback_data` of the sent message */
  callbackData?: string;
  at?: Date | number;
}

/** a delivery status of a message Nudge sent; `failed` carries Meta's "undeliverable" error */
export function whatsAppStatusWebhook(update: StatusNotification, to: CloudApiRecipient = {}): WhatsAppWebhook {
  return whatsAppWebhookEnvelope(
    {
      statuses: [
        {
          id: update.id,
          status: update.status,
          timestamp: epochSeconds(update.at),
          recipient_id: update.recipient.replace(/^\+/, ''),
          ...(update.callbackData ? { biz_opaque_callback_data: update.callbackData } : {}),
          ...(update.status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}),
        },
      ],
    },
    to,
  );
}
