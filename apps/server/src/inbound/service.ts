/**
 * Inbound messages: a customer writes on WhatsApp, SMS or email. The message is matched to a
 * customer by their channel identity (WhatsApp id or phone, E.164 phone, lower-cased email), a
 * customer is created on first contact, the message goes on the timeline once (by its provider
 * id), and the flow runtime hears about it (runs waiting for a reply, message/keyword triggers).
 */
import { and, eq, or, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { AppContext } from '../context.js';
import { addInteraction, createCustomer } from '../customers/index.js';
import { recordConversationMessage, type ConversationInboundResult } from '../conversations/index.js';

export type InboundChannel = 'whatsapp' | 'sms' | 'email';

export interface InboundMessage {
  channel: InboundChannel;
  /** the sender: WhatsApp id / phone digits, a phone number, or an e-mail address */
  from: string;
  text: string;
  providerMessageId?: string;
  /** WhatsApp's business-scoped user id, when Meta sends one */
  contactUserId?: string | null;
  /** the sender's display name, used when a customer is created on first contact */
  name?: string | null;
  at?: Date;
}

export interface InboundResult {
  customerId: string;
  created: boolean;
  duplicate: boolean;
  flows: { started: number; signalled: number } | null;
  /** the inbox: conversation, auto-replies queued, hand-off, assignee */
  conversation: ConversationInboundResult | null;
}

function identity(channel: InboundChannel, from: string): { phone?: string; whatsappId?: string; email?: string } {
  const raw = from.trim();
  if (channel === 'email') {
    const email = raw.toLowerCase().replace(/^.*<([^>]+)>.*$/, '$1');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new InboundError(`"${from}" is not an e-mail address`);
    return { email };
  }
  const digits = raw.replace(/[^\d+]/g, '');
  const parsed = parsePhoneNumberFromString(digits.startsWith('+') ? digits : `+${digits}`);
  if (!parsed?.isValid()) throw new InboundError(`"${from}" is not a phone number with a country code`);
  return channel === 'whatsapp' ? { phone: parsed.number, whatsappId: parsed.number.slice(1) } : { phone: parsed.number };
}

export class InboundError extends Error {}

async function findCustomer(ctx: AppContext, id: ReturnType<typeof identity>): Promise<string | undefined> {
  const c = schema.customers;
  const conds = [
    id.whatsappId ? eq(c.whatsappId, id.whatsappId) : undefined,
    id.phone ? eq(c.phone, id.phone) : undefined,
    id.email ? eq(c.email, id.email) : undefined,
  ].filter((x) => x !== undefined);
  const rows = await ctx.db.db
    .select({ id: c.id })
    .from(c)
    .where(and(or(...conds), sql`${c.archivedAt} IS NULL`))
    .orderBy(sql`${c.whatsappId} IS NULL`, c.createdAt)
    .limit(1);
  return rows[0]?.id;
}

export async function receiveInboundMessage(ctx: AppContext, msg: InboundMessage): Promise<InboundResult> {
  const id = identity(msg.channel, msg.from);
  if (msg.providerMessageId) {
    const seen = await ctx.db.db
      .select({ customerId: schema.interactions.customerId })
      .from(schema.interactions)
      .where(and(eq(schema.interactions.kind, 'message_in'), sql`${schema.interactions.payload}->>'providerMessageId' = ${msg.providerMessageId}`))
      .limit(1);
    if (seen[0]) return { customerId: seen[0].customerId, created: false, duplicate: true, flows: null, conversation: null };
  }
  let customerId = await findCustomer(ctx, id);
  let created = false;
  if (!customerId) {
    const fullName = msg.name?.trim() || id.email || id.phone!;
    const customer = await createCustomer(ctx, null, {
      fullName,
      source: msg.channel,
      ...(id.phone ? { phone: id.phone } : {}),
      ...(id.whatsappId ? { whatsappId: id.whatsappId } : {}),
      ...(id.email ? { email: id.email } : {}),
    });
    customerId = customer.id;
    created = true;
  }
  await addInteraction(ctx, null, customerId, {
    kind: 'message_in',
    channel: msg.channel,
    body: msg.text,
    payload: { from: msg.from, ...(msg.providerMessageId ? { providerMessageId: msg.providerMessageId } : {}) },
    ...(msg.at ? { occurredAt: msg.at } : {}),
  });
  // ---- inbox (conversations/): conversation, auto-replies, hand-off, assignment — stored once per provider id
  const conversation = await recordConversationMessage(ctx, {
    customerId, channel: msg.channel, text: msg.text,
    ...(msg.providerMessageId ? { providerMessageId: msg.providerMessageId } : {}),
    ...(msg.contactUserId ? { contactUserId: msg.contactUserId } : {}),
    ...(msg.at ? { at: msg.at } : {}),
  });
  // ---- end inbox
  const flows = ctx.flows
    ? await ctx.flows.routeInboundMessage({ customerId, channel: msg.channel, text: msg.text, ...(msg.providerMessageId ? { messageId: msg.providerMessageId } : {}) })
    : null;
  return { customerId, created, duplicate: false, flows, conversation };
}
