/**
 * Inbound messages: a customer writes on WhatsApp, SMS or email. The message is matched to a
 * customer by their channel identity (WhatsApp id or phone, E.164 phone, lower-cased email), a
 * customer is created on first contact, the message goes on the timeline once (by its provider
 * id), and the flow runtime hears about it (runs waiting for a reply, message/keyword triggers).
 */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { rowsOf, schema } from '@nudge/db';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { randomUUID } from 'node:crypto';
import { emitEvents, nowOf, type AppContext } from '../context.js';
import { canSee } from '../customers/index.js';
import type { AuthUser } from '../http/auth.js';
import { forbidden } from '../http/errors.js';
import { recordConversationMessage, type ConversationInboundResult } from '../conversations/index.js';
import type { PendingSender, ResolvedSender } from '../conversations/inbound.js';
import type { Tx } from '../conversations/settings.js';

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
  if (!parsed?.isValid()) {
    // Meta's wa_id is the sender's WhatsApp account: one that our phone metadata does not know (a
    // new number range) is still a customer writing — kept by their WhatsApp id, with no phone
    // (the phone column holds validated numbers only), rather than refusing their message (and
    // every other message of the same webhook) until Meta gives up redelivering it
    const waId = digits.replace(/^\+/, '');
    if (channel === 'whatsapp' && /^[1-9]\d{6,14}$/.test(waId) && waId.length === raw.replace(/^\+/, '').length) {
      return { whatsappId: waId, ...(bsuid ? { whatsappUserId: bsuid } : {}) };
    }
    throw new InboundError(`"${from}" is not a phone number with a country code`);
  }
  return channel === 'whatsapp'
    ? { phone: parsed.number, whatsappId: parsed.number.slice(1), ...(bsuid ? { whatsappUserId: bsuid } : {}) }
    : { phone: parsed.number };
}

export class InboundError extends Error {
  /** which of the messages of one call (a webhook carries several), when there are several */
  index?: number;
}

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
  const rows = await claimQuery(db, keys.map((k) => ({ ...k, customerId })));
  return rows.length;
}
const claimQuery = (db: Db, rows: (IdentityKey & { customerId: string })[]) =>
  db
    .insert(ci)
    .values(rows)
    .onConflictDoUpdate({
      target: [ci.kind, ci.value],
      set: { customerId: sql`excluded.customer_id` },
      setWhere: sql`customer_channel_identities.customer_id = excluded.customer_id OR exists (select 1 from customers x where x.id = customer_channel_identities.customer_id and x.archived_at is not null)`,
    })
    .returning({ kind: ci.kind, customerId: ci.customerId });

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
async function resolveSender(ctx: AppContext, msg: InboundMessage, id: SenderIdentity, actor: AuthUser | null): Promise<{ customer: CustomerRef; created: boolean }> {
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
          .values(customerRow(msg, id, actor, customerId, now))
          .returning({ id: c.id, ownerId: c.ownerId, teamId: c.teamId });
        const audit = tx.insert(schema.auditLog).values(auditRow(actor, customerId, id));
        const result = await tx.execute(sql`with nc as (${insert.getSQL()}), ids as (${claimQuery(tx as unknown as Db, keys.map((k) => ({ ...k, customerId }))).getSQL()}), au as (${audit.getSQL()})
          select nc.owner_id, nc.team_id, (select count(*) from ids)::int as claimed from nc`);
        const [row] = ((result as { rows?: unknown[] }).rows ?? result) as { owner_id: string | null; team_id: string | null; claimed: number | string }[];
        if (Number(row!.claimed) < keys.length) throw new LostRace();
        return { id: customerId, ownerId: row!.owner_id, teamId: row!.team_id };
      });
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

/** A customer created on first contact. */
function customerRow(msg: InboundMessage, id: SenderIdentity, actor: AuthUser | null, customerId: string, now: Date): typeof c.$inferInsert {
  return {
    id: customerId,
    fullName: msg.name?.trim() || id.email || id.phone || 'WhatsApp user',
    source: msg.channel,
    ...(id.phone ? { phone: id.phone, phoneRaw: msg.from.trim() } : {}),
    ...(id.whatsappId ? { whatsappId: id.whatsappId } : {}),
    ...(id.email ? { email: id.email } : {}),
    ...(actor?.role === 'agent' ? { ownerId: actor.id, teamId: actor.teamId } : {}),
    createdAt: now,
    updatedAt: now,
  };
}
const auditRow = (actor: AuthUser | null, customerId: string, id: SenderIdentity): typeof schema.auditLog.$inferInsert =>
  ({ actorId: actor?.id ?? null, actorEmail: actor?.email ?? null, action: 'customer.create', entityType: 'customer', entityId: customerId, fields: ['fullName', ...Object.keys(id)] });

class OddBatch extends Error {}
const keyEq = (a: IdentityKey, b: IdentityKey) => a.kind === b.kind && a.value === b.value;

/**
 * A webhook's sender (no signed-in user, so no access rule), resolved by the group commit inside
 * its transaction together with the other senders of the batch: ONE statement looks all of them
 * up (by identity, and on file by phone / WhatsApp id / e-mail), ONE inserts the new customers,
 * their identities and audit rows. A lost race (another process took a key first), senders
 * sharing a key, a key held by another live customer: `OddBatch`, and the group commit goes one
 * by one with `resolveSender` (which handles each of these).
 */
class WebhookSender implements PendingSender {
  readonly key: string;
  readonly keys: IdentityKey[];
  constructor(readonly ctx: AppContext, readonly msg: InboundMessage, readonly id: SenderIdentity) {
    this.keys = keysOf(id);
    this.key = this.keys.map((k) => `${k.kind}:${k.value}`).join('|');
  }

  async resolveAlone(): Promise<ResolvedSender> {
    const r = await resolveSender(this.ctx, this.msg, this.id, null);
    return { customerId: r.customer.id, created: r.created };
  }

  async resolveMany(tx: Tx, pending: PendingSender[]): Promise<ResolvedSender[]> {
    const senders = pending as WebhookSender[];
    const db = tx as unknown as Db;
    const keys = senders.flatMap((s) => s.keys);
    const on = (col: string, xs: (string | undefined)[]) => {
      const vs = [...new Set(xs.filter((x): x is string => !!x))];
      return vs.length ? sql`${sql.raw(col)} in (${sql.join(vs.map((v) => sql`${v}`), sql`, `)})` : sql`false`;
    };
    // ONE statement: the identities of every sender, and the customers on file by their contact columns
    const rows = rowsOf<{ kind: IdentityKind | null; value: string | null; id: string; owner_id: string | null; team_id: string | null; whatsapp_id: string | null; phone: string | null; email: string | null; created_at: unknown }>(await tx.execute(sql`
      select ci.kind, ci.value, c.id, c.owner_id, c.team_id, null::text as whatsapp_id, null::text as phone, null::text as email, null::timestamptz as created_at
        from customer_channel_identities ci join customers c on c.id = ci.customer_id
        where (${sql.join(keys.map((k) => sql`(ci.kind = ${k.kind} and ci.value = ${k.value})`), sql` or `)}) and c.archived_at is null
      union all
      select null, null, c.id, c.owner_id, c.team_id, c.whatsapp_id, c.phone, c.email, c.created_at from customers c
        where (${on('c.whatsapp_id', senders.map((s) => s.id.whatsappId))} or ${on('c.phone', senders.map((s) => s.id.phone))} or ${on('c.email', senders.map((s) => s.id.email))}) and c.archived_at is null`));
    const held = rows.filter((r) => r.kind !== null) as (typeof rows[number] & IdentityKey)[];
    const onFile = rows.filter((r) => r.kind === null);
    const out: ResolvedSender[] = new Array<ResolvedSender>(senders.length);
    const fresh: { s: WebhookSender; i: number; customerId: string }[] = [];
    for (const [i, s] of senders.entries()) {
      let known: (typeof held)[number] | undefined;
      for (const k of s.keys) if ((known = held.find((r) => keyEq(r, k)))) break;
      if (known) {
        // e.g. the phone of a WhatsApp sender first seen by e-mail (nothing to write when every key is theirs already)
        const id = known.id;
        if (!s.keys.every((k) => held.some((r) => keyEq(r, k) && r.id === id))) await claim(db, s.keys, id);
        out[i] = { customerId: id, created: false };
        continue;
      }
      const file = onFile
        .filter((r) => (s.id.whatsappId && r.whatsapp_id === s.id.whatsappId) || (s.id.phone && r.phone === s.id.phone) || (s.id.email && r.email === s.id.email))
        .sort((a, b) => Number(a.whatsapp_id === null) - Number(b.whatsapp_id === null) || new Date(a.created_at as string).getTime() - new Date(b.created_at as string).getTime())[0];
      if (file) {
        // on file but not written before: the identities now lead to them (unless another live customer holds one)
        if ((await claim(db, s.keys, file.id)) < s.keys.length) throw new OddBatch('an identity of a customer on file is held by another customer');
        out[i] = { customerId: file.id, created: false };
        continue;
      }
      fresh.push({ s, i, customerId: randomUUID() });
    }
    if (fresh.length) {
      const identities = fresh.flatMap((f) => f.s.keys.map((k) => ({ ...k, customerId: f.customerId })));
      if (new Set(identities.map((k) => `${k.kind}:${k.value}`)).size < identities.length) throw new OddBatch('new senders sharing an identity');
      // the same order of identity locks in every transaction (two processes creating the same senders)
      identities.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      const now = nowOf(this.ctx);
      // ONE statement: the customers, their identities (the constraint decides a race with another
      // process: a key it holds is not taken, and the batch is rolled back) and the audit entries
      const insert = db.insert(c).values(fresh.map((f) => customerRow(f.s.msg, f.s.id, null, f.customerId, now)));
      const audit = db.insert(schema.auditLog).values(fresh.map((f) => auditRow(null, f.customerId, f.s.id)));
      const claimed = rowsOf<{ customer_id: string; n: number | string }>(await tx.execute(sql`with nc as (${insert.getSQL()}), ids as (${claimQuery(db, identities).getSQL()}), au as (${audit.getSQL()})
        select customer_id, count(*)::int as n from ids group by customer_id`));
      for (const f of fresh) {
        if (Number(claimed.find((r) => r.customer_id === f.customerId)?.n ?? 0) < f.s.keys.length) throw new OddBatch('a new sender created meanwhile by another process');
        out[f.i] = { customerId: f.customerId, created: true };
      }
    }
    return out;
  }
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
  // every sender parsed first: a malformed one fails the call before anything is written
  const ids = msgs.map((msg, i) => {
    try {
      return identity(msg.channel, msg.from, msg.contactUserId);
    } catch (err) {
      if (err instanceof InboundError) err.index = i;
      throw err;
    }
  });
  // a signed-in user's log: the sender resolved here, where the access rules apply; a webhook's
  // senders are resolved in the group commit's transaction (one lookup and one insert for the lot)
  const senders: ({ customer: CustomerRef; created: boolean } | null)[] = [];
  for (const [i, msg] of msgs.entries()) senders.push(actor ? await resolveSender(ctx, msg, ids[i]!, actor) : null);
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
    const known = senders[i];
    return recordConversationMessage(ctx, {
      customerId: known?.customer.id ?? '', channel: msg.channel, text: msg.text,
      ...(msg.providerMessageId ? { providerMessageId: msg.providerMessageId } : {}),
      ...(msg.contactUserId ? { contactUserId: msg.contactUserId } : {}),
      ...(msg.at ? { at: msg.at } : {}),
    }, { actorId: actor?.id ?? null, entry }, known ? undefined : new WebhookSender(ctx, msg, ids[i]!));
  }));
  const results: InboundResult[] = [];
  for (const [i, msg] of msgs.entries()) {
    const { timelineDuplicate: duplicate, customerId, created: inserted, ...conversation } = recorded[i]!;
    const created = senders[i]?.created ?? inserted;
    if (created) await emitEvents(ctx, [{ type: 'customer.created', customerId, source: msg.channel }]);
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
