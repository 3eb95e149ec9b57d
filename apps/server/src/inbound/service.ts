/**
 * Inbound messages: a customer writes on WhatsApp, SMS or email. The message is matched to a
 * customer by their channel identity (WhatsApp id or phone, E.164 phone, lower-cased email), a
 * customer is created on first contact, the message goes on the timeline once (by its provider
 * id), and the flow runtime hears about it (runs waiting for a reply, message/keyword triggers).
 */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { randomUUID } from 'node:crypto';
import { emitEvents, nowOf, type AppContext } from '../context.js';
import { canSee } from '../customers/index.js';
import type { AuthUser } from '../http/auth.js';
import { forbidden } from '../http/errors.js';
import { recordConversationMessage, type ConversationInboundResult } from '../conversations/index.js';

export type InboundChannel = 'whatsapp' | 'sms' | 'email';

export interface InboundMessage {
  channel: InboundChannel;
  /** the sender: WhatsApp id / phone digits, a phone number, or an e-mail address; empty for a
   * WhatsApp user who hides their number (then `contactUserId` identifies them) */
  from: string;
  text: string;
  providerMessageId?: string;
  /** WhatsApp's business-scoped user id (BSUID), when Meta sends one: matched before the phone */
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

interface SenderIdentity { phone?: string; whatsappId?: string; email?: string; whatsappUserId?: string }

function identity(channel: InboundChannel, from: string, userId?: string | null): SenderIdentity {
  const raw = from.trim();
  const bsuid = channel === 'whatsapp' ? userId?.trim() : undefined;
  if (bsuid && !raw) return { whatsappUserId: bsuid }; // a user who hides their number behind a username
  if (channel === 'email') {
    const email = raw.toLowerCase().replace(/^.*<([^>]+)>.*$/, '$1');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new InboundError(`"${from}" is not an e-mail address`);
    return { email };
  }
  const digits = raw.replace(/[^\d+]/g, '');
  const parsed = parsePhoneNumberFromString(digits.startsWith('+') ? digits : `+${digits}`);
  if (!parsed?.isValid()) throw new InboundError(`"${from}" is not a phone number with a country code`);
  return channel === 'whatsapp'
    ? { phone: parsed.number, whatsappId: parsed.number.slice(1), ...(bsuid ? { whatsappUserId: bsuid } : {}) }
    : { phone: parsed.number };
}

export class InboundError extends Error {}

type IdentityKind = 'whatsapp_user' | 'whatsapp' | 'phone' | 'email';
interface IdentityKey { kind: IdentityKind; value: string }
interface CustomerRef { id: string; ownerId: string | null; teamId: string | null }

/** The channel identities a sender is known by, the most specific first. */
function keysOf(id: SenderIdentity): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (id.whatsappUserId) keys.push({ kind: 'whatsapp_user', value: id.whatsappUserId });
  if (id.whatsappId) keys.push({ kind: 'whatsapp', value: id.whatsappId });
  if (id.phone) keys.push({ kind: 'phone', value: id.phone });
  if (id.email) keys.push({ kind: 'email', value: id.email });
  return keys;
}

const ci = schema.customerChannelIdentities;
const c = schema.customers;
type Db = AppContext['db']['db'];

/** The live (not archived) customer an identity leads to, by the most specific key. */
async function lookup(db: Db, keys: IdentityKey[]): Promise<(CustomerRef & { all: boolean }) | undefined> {
  const rows = await db
    .select({ kind: ci.kind, id: c.id, ownerId: c.ownerId, teamId: c.teamId })
    .from(ci)
    .innerJoin(c, eq(c.id, ci.customerId))
    .where(and(or(...keys.map((k) => and(eq(ci.kind, k.kind), eq(ci.value, k.value)))), isNull(c.archivedAt)));
  for (const k of keys) {
    const r = rows.find((x) => x.kind === k.kind);
    // all: every key already leads to this customer
    if (r) return { id: r.id, ownerId: r.ownerId, teamId: r.teamId, all: keys.every((key) => rows.some((x) => x.kind === key.kind && x.id === r.id)) };
  }
  return undefined;
}

/**
 * Records that these identities lead to `customerId`. An identity already held by a live
 * customer stays theirs (the constraint decides, not a prior check); one held by an archived
 * customer moves. Returns how many identities now lead to `customerId`.
 */
async function claim(db: Db, keys: IdentityKey[], customerId: string): Promise<number> {
  const rows = await claimQuery(db, keys, customerId);
  return rows.length;
}
const claimQuery = (db: Db, keys: IdentityKey[], customerId: string) =>
  db
    .insert(ci)
    .values(keys.map((k) => ({ ...k, customerId })))
    .onConflictDoUpdate({
      target: [ci.kind, ci.value],
      set: { customerId: sql`excluded.customer_id` },
      setWhere: sql`customer_channel_identities.customer_id = excluded.customer_id OR exists (select 1 from customers x where x.id = customer_channel_identities.customer_id and x.archived_at is not null)`,
    })
    .returning({ kind: ci.kind });

/** A customer who has not written before but is on file (by phone / WhatsApp id / e-mail columns). */
async function findOnFile(db: Db, id: SenderIdentity): Promise<CustomerRef | undefined> {
  const conds = [
    id.whatsappId ? eq(c.whatsappId, id.whatsappId) : undefined,
    id.phone ? eq(c.phone, id.phone) : undefined,
    id.email ? eq(c.email, id.email) : undefined,
  ].filter((x) => x !== undefined);
  if (!conds.length) return undefined; // known by a BSUID only: nothing on file to match
  const rows = await db
    .select({ id: c.id, ownerId: c.ownerId, teamId: c.teamId })
    .from(c)
    .where(and(or(...conds), isNull(c.archivedAt)))
    .orderBy(sql`${c.whatsappId} IS NULL`, c.createdAt)
    .limit(1);
  return rows[0];
}

class LostRace extends Error {}

/**
 * The customer a sender is, created on first contact. Concurrent deliveries from an unknown
 * sender race on the identity's primary key: one transaction creates the customer, the others
 * roll back and take the winner.
 */
async function resolveSender(ctx: AppContext, msg: InboundMessage, actor: AuthUser | null): Promise<{ customer: CustomerRef; created: boolean }> {
  const id = identity(msg.channel, msg.from, msg.contactUserId);
  const keys = keysOf(id);
  const db = ctx.db.db;
  const mayUse = (ref: CustomerRef) => {
    if (actor && !canSee(actor, ref)) {
      throw forbidden(`The sender "${msg.from}" is a customer who is not yours or your team's; ask their owner or a manager to log this message.`);
    }
    return ref;
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const known = await lookup(db, keys);
    if (known) {
      mayUse(known);
      // e.g. the phone of a WhatsApp sender first seen by e-mail (nothing to write when every key is theirs already)
      if (!known.all) await claim(db, keys, known.id);
      return { customer: { id: known.id, ownerId: known.ownerId, teamId: known.teamId }, created: false };
    }
    const onFile = await findOnFile(db, id);
    if (onFile) {
      mayUse(onFile);
      await claim(db, keys, onFile.id);
      continue; // the identity now decides (it may have gone to a concurrent winner)
    }
    const now = nowOf(ctx);
    try {
      // ONE statement in its transaction: the customer, their identities (the constraint decides a
      // race: a key another live customer holds is not taken, and this customer is rolled back) and the audit entry
      const customerId = randomUUID();
      const created = await db.transaction(async (tx) => {
        const insert = tx
          .insert(c)
          .values({
            id: customerId,
            fullName: msg.name?.trim() || id.email || id.phone || 'WhatsApp user',
            source: msg.channel,
            ...(id.phone ? { phone: id.phone, phoneRaw: msg.from.trim() } : {}),
            ...(id.whatsappId ? { whatsappId: id.whatsappId } : {}),
            ...(id.email ? { email: id.email } : {}),
            ...(actor?.role === 'agent' ? { ownerId: actor.id, teamId: actor.teamId } : {}),
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: c.id, ownerId: c.ownerId, teamId: c.teamId });
        const audit = tx.insert(schema.auditLog).values({ actorId: actor?.id ?? null, actorEmail: actor?.email ?? null, action: 'customer.create', entityType: 'customer', entityId: customerId, fields: ['fullName', ...Object.keys(id)] });
        const result = await tx.execute(sql`with nc as (${insert.getSQL()}), ids as (${claimQuery(tx as unknown as Db, keys, customerId).getSQL()}), au as (${audit.getSQL()})
          select nc.owner_id, nc.team_id, (select count(*) from ids)::int as claimed from nc`);
        const [row] = ((result as { rows?: unknown[] }).rows ?? result) as { owner_id: string | null; team_id: string | null; claimed: number | string }[];
        if (Number(row!.claimed) < keys.length) throw new LostRace();
        return { id: customerId, ownerId: row!.owner_id, teamId: row!.team_id };
      });
      await emitEvents(ctx, [{ type: 'customer.created', customerId: created.id, source: msg.channel }]);
      return { customer: created, created: true };
    } catch (err) {
      if (!(err instanceof LostRace) && pgCodeOf(err) !== '23505') throw err;
      // another delivery created the customer first: take theirs on the next turn
    }
  }
  const winner = await lookup(db, keys);
  if (!winner) throw new Error(`Could not resolve the sender ${msg.from} to a customer.`);
  return { customer: mayUse({ id: winner.id, ownerId: winner.ownerId, teamId: winner.teamId }), created: false };
}

function pgCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, d = 0; e && d < 4; e = (e as { cause?: unknown }).cause, d++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * `actor`: the signed-in user logging the message (POST /api/inbound/messages), whose access
 * rules apply as on the customer routes — an agent cannot write onto, or count a reply for,
 * another agent's customer. null for webhooks (the system).
 */
export async function receiveInboundMessage(ctx: AppContext, msg: InboundMessage, actor: AuthUser | null = null): Promise<InboundResult> {
  const [result] = await receiveInboundMessages(ctx, [msg], actor);
  return result!;
}

/**
 * Several messages at once (a WhatsApp webhook can carry several): the senders resolved in
 * order, then all the messages handed to the inbox together, so they share one transaction
 * (conversations/inbound.ts, group commit) in their order; resolves once all are committed.
 */
export async function receiveInboundMessages(ctx: AppContext, msgs: InboundMessage[], actor: AuthUser | null = null): Promise<InboundResult[]> {
  const senders: { customer: CustomerRef; created: boolean }[] = [];
  for (const msg of msgs) senders.push(await resolveSender(ctx, msg, actor));
  // ---- the timeline entry and the inbox (conversations/: conversation, auto-replies, hand-off,
  // assignment) in ONE transaction, each stored once per provider id
  const recorded = await Promise.all(msgs.map((msg, i) => {
    const entry = {
      kind: 'message_in' as const,
      channel: msg.channel,
      body: msg.text,
      payload: { ...(msg.from ? { from: msg.from } : {}), ...(msg.contactUserId ? { userId: msg.contactUserId } : {}), ...(msg.providerMessageId ? { providerMessageId: msg.providerMessageId } : {}) },
      ...(msg.at ? { occurredAt: msg.at } : {}),
    };
    return recordConversationMessage(ctx, {
      customerId: senders[i]!.customer.id, channel: msg.channel, text: msg.text,
      ...(msg.providerMessageId ? { providerMessageId: msg.providerMessageId } : {}),
      ...(msg.contactUserId ? { contactUserId: msg.contactUserId } : {}),
      ...(msg.at ? { at: msg.at } : {}),
    }, { actorId: actor?.id ?? null, entry });
  }));
  const results: InboundResult[] = [];
  for (const [i, msg] of msgs.entries()) {
    const { customer, created } = senders[i]!;
    const customerId = customer.id;
    const { timelineDuplicate: duplicate, ...conversation } = recorded[i]!;
    if (duplicate) {
      results.push({ customerId, created, duplicate: true, flows: null, conversation: conversation.duplicate ? null : conversation });
      continue;
    }
    const flows = ctx.flows
      ? await ctx.flows.routeInboundMessage({ customerId, channel: msg.channel, text: msg.text, ...(msg.providerMessageId ? { messageId: msg.providerMessageId } : {}) })
      : null;
    results.push({ customerId, created, duplicate: false, flows, conversation });
  }
  return results;
}
