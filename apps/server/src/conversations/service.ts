/**
 * What agents do in the inbox: list and open conversations (agents see theirs and the
 * unassigned; contacts masked without contact.unmask), reply (through the outbox; outside
 * WhatsApp's 24-hour window only a template), add notes with @mentions, assign / transfer,
 * snooze and resolve. Freeing a slot hands out the backlog.
 */
import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { CONVERSATION_COUNT_CAP } from '@nudge/contracts';
import { rowsOf, schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import type { AuthUser } from '../http/auth.js';
import { HttpError, notFound } from '../http/errors.js';
import { maskEmail, maskPhone } from '../customers/index.js';
import { seesContacts } from '../customers/access.js';
import { customerSearchBranches } from '../customers/search.js';
import { assignBacklog, assignConversation } from './assignment.js';
import { addToTimeline } from './inbound.js';
import { notifyUsers } from './notify.js';
import { kickOutbox } from './outbox.js';
import { fillVariables } from './text.js';
import { assertSendable, fillParameters, replyVariables, savedTemplate, whatsAppParameters } from '../templates/service.js';
import { assignmentEvent, publish, publishNotifications, type InboxEvent } from './live.js';

const conv = schema.conversations;
const cm = schema.conversationMessages;
const cu = schema.customers;

export type ConversationRow = typeof conv.$inferSelect;

/** Agents: their own and the unassigned. Viewers, managers, admins: all. */
export function conversationsVisibleTo(user: AuthUser): SQL | undefined {
  if (user.role !== 'agent') return undefined;
  return or(eq(conv.assigneeId, user.id), isNull(conv.assigneeId));
}

export const canSeeConversation = (user: AuthUser, c: Pick<ConversationRow, 'assigneeId'>) => user.role !== 'agent' || !c.assigneeId || c.assigneeId === user.id;

export async function getConversationFor(ctx: AppContext, user: AuthUser, id: string): Promise<ConversationRow> {
  const [c] = await ctx.db.db.select().from(conv).where(eq(conv.id, id));
  if (!c || !canSeeConversation(user, c)) throw notFound('Conversation', id);
  return c;
}

function assertCanAct(user: AuthUser) {
  if (user.role === 'viewer') throw new HttpError(403, 'forbidden', 'Viewers can read conversations but not answer or change them.');
}

const contactOf = (user: AuthUser, c: { phone: string | null; email: string | null; whatsappId: string | null }) =>
  seesContacts(user) ? { phone: c.phone, email: c.email, whatsappId: c.whatsappId } : { phone: maskPhone(c.phone), email: maskEmail(c.email), whatsappId: maskPhone(c.whatsappId) };

export interface ListQuery {
  view: 'mine' | 'unassigned' | 'team' | 'all';
  status?: schema.ConversationStatus[];
  priority?: ('P1' | 'P2' | 'P3')[];
  channel?: string[];
  q?: string;
  sort?: 'last_message' | 'sla_due';
  cursor?: string;
  limit: number;
}

/**
 * Keyset pagination: the cursor is the last row's sort key and id, the next page starts strictly
 * after it — a row comparison `(key, id) < (…)` the list indexes answer directly, however deep the
 * page. The key travels as PostgreSQL's microsecond text (a JS Date keeps milliseconds: rows
 * within the same millisecond would be skipped). With `last_message` (newest first) a row only
 * moves up (a new message), so a row that changed between pages is never returned twice, and the
 * unchanged ones exactly once; with `sla_due` a changed deadline can move a row behind the cursor
 * (the client keeps the first copy).
 */
const SORTS = {
  last_message: { key: conv.lastMessageAt, dir: 'desc', tag: 'm' },
  sla_due: { key: conv.slaDueAt, dir: 'asc', tag: 's' },
} as const;
type Sort = keyof typeof SORTS;
const KEY_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const encodeCursor = (sort: Sort, at: string, id: string) => Buffer.from(`${SORTS[sort].tag}|${at}|${id}`).toString('base64url');
function decodeCursor(sort: Sort, cursor: string): { at: string; id: string } {
  const [tag, at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (tag !== SORTS[sort].tag || !at || !KEY_TEXT.test(at) || !id || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new HttpError(400, 'invalid_input', 'query.cursor: not a cursor this API returned for this sort (use nextCursor from the previous page, with the same filters and sort).', [{ path: 'query.cursor', message: 'unknown cursor' }]);
  }
  return { at, id };
}

/**
 * Searching: up to this many matching customers are looked up first (trigram index) and their
 * conversations read by customer id; a search matching more is dense enough that reading the list
 * in its order and keeping the matches is the fast way.
 */
const SEARCH_IDS = 2000;

/** The conditions of a list query (visibility, view, filters, search), without the cursor. */
async function listConditions(ctx: AppContext, user: AuthUser, q: ListQuery): Promise<{ conds: (SQL | undefined)[]; join: boolean }> {
  const conds: (SQL | undefined)[] = [conversationsVisibleTo(user)];
  if (q.view === 'mine') conds.push(eq(conv.assigneeId, user.id));
  if (q.view === 'unassigned') conds.push(isNull(conv.assigneeId));
  if (q.view === 'team') conds.push(user.teamId ? eq(conv.teamId, user.teamId) : sql`false`);
  if (q.status?.length) conds.push(inArray(conv.status, q.status));
  if (q.priority?.length) conds.push(inArray(conv.priority, q.priority));
  if (q.channel?.length) conds.push(inArray(conv.channel, q.channel));
  if (!q.q) return { conds, join: false };
  const branches = customerSearchBranches(user, q.q);
  // each alternative through its own index, at most SEARCH_IDS + 1 each: more than SEARCH_IDS in
  // all exactly when the whole search matches more (see customerSearchBranches)
  const hits = rowsOf<{ id: string }>(
    await ctx.db.db.execute(sql.join(branches.map((b) => sql`(select ${cu.id} as id from ${cu} where ${b} limit ${SEARCH_IDS + 1})`), sql` union `)),
  );
  if (hits.length > SEARCH_IDS) return { conds: [...conds, or(...branches)], join: true };
  // one array parameter, read as a set: the planner probes conversations_customer_channel_uq per
  // customer and sorts the few hundred found; with `customer_id IN ($1…$1111)` it walked the list
  // index backwards and filtered, the count scanned the table (agent's "customer 99" over 100k, EXPLAIN ANALYZE at
  // load 14: page 140–183 → 28–36 ms, count 80–140 → 20–25 ms)
  conds.push(hits.length ? sql`${conv.customerId} in (select unnest(${`{${hits.map((h) => h.id).join(',')}}`}::uuid[]))` : sql`false`);
  return { conds, join: false };
}

export async function listConversations(ctx: AppContext, user: AuthUser, q: ListQuery) {
  const sort: Sort = q.sort ?? 'last_message';
  const { key, dir } = SORTS[sort];
  const { conds, join } = await listConditions(ctx, user, q);
  const where = and(...conds);
  if (q.cursor) {
    const { at, id } = decodeCursor(sort, q.cursor);
    conds.push(dir === 'desc' ? sql`(${key}, ${conv.id}) < (${at}::timestamptz, ${id}::uuid)` : sql`(${key}, ${conv.id}) > (${at}::timestamptz, ${id}::uuid)`);
  }
  const order = dir === 'desc' ? [desc(key), desc(conv.id)] : [asc(key), asc(conv.id)];
  const rows = await ctx.db.db
    .select({
      c: conv,
      name: cu.fullName,
      phone: cu.phone,
      email: cu.email,
      whatsappId: cu.whatsappId,
      keyText: sql<string>`to_char(${key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(conv)
    .innerJoin(cu, eq(cu.id, conv.customerId))
    .where(and(...conds))
    .orderBy(...order)
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => presentConversation(r.c, { id: r.c.customerId, fullName: r.name, ...contactOf(user, r) })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(sort, last.keyText, last.c.id) : null,
    ...(q.cursor ? {} : { counts: await countConversations(ctx, where, join) }),
  };
}

/**
 * How many match, and how many of those have unread messages: each counted up to
 * CONVERSATION_COUNT_CAP through the same indexes as the page (LIMIT inside), so a first page
 * never counts 100k rows.
 */
async function countConversations(ctx: AppContext, where: SQL | undefined, withCustomers: boolean) {
  const capped = (extra?: SQL) => {
    const rows = ctx.db.db.select({ one: sql`1` }).from(conv);
    return (withCustomers ? rows.innerJoin(cu, eq(cu.id, conv.customerId)) : rows).where(and(where, extra)).limit(CONVERSATION_COUNT_CAP);
  };
  const all = capped().as('all_rows');
  const unread = capped(sql`${conv.unreadCount} > 0`).as('unread_rows');
  const [row] = await ctx.db.db.select({ total: sql<number>`(select count(*)::int from ${all})`, unread: sql<number>`(select count(*)::int from ${unread})` }).from(sql`(select 1) as one`);
  const total = Number(row!.total);
  return { total, unread: Number(row!.unread), capped: total >= CONVERSATION_COUNT_CAP };
}

export function presentConversation(c: ConversationRow, customer: { id: string; fullName: string; phone: string | null; email: string | null; whatsappId: string | null }) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: c.id,
    channel: c.channel,
    status: c.status,
    priority: c.priority,
    assigneeId: c.assigneeId,
    teamId: c.teamId,
    language: c.language,
    needsHuman: c.needsHuman,
    unreadCount: c.unreadCount,
    firstResponseDueAt: iso(c.firstRespondedAt ? null : c.firstResponseDueAt),
    nextResponseDueAt: iso(c.nextResponseDueAt),
    slaBreachedAt: iso(c.slaBreachedAt),
    lastCustomerMessageAt: iso(c.lastCustomerMessageAt),
    lastMessageAt: c.lastMessageAt.toISOString(),
    windowEndsAt: iso(c.windowEndsAt),
    snoozedUntil: iso(c.snoozedUntil),
    resolvedAt: iso(c.resolvedAt),
    customer,
  };
}

export async function conversationDetail(ctx: AppContext, user: AuthUser, id: string) {
  const c = await getConversationFor(ctx, user, id);
  const [customer] = await ctx.db.db.select({ id: cu.id, fullName: cu.fullName, phone: cu.phone, email: cu.email, whatsappId: cu.whatsappId }).from(cu).where(eq(cu.id, c.customerId));
  const messages = await ctx.db.db.select().from(cm).where(eq(cm.conversationId, id)).orderBy(asc(cm.createdAt), asc(cm.id));
  return {
    ...presentConversation(c, { ...customer!, ...contactOf(user, customer!) }),
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      body: m.body,
      template: m.template,
      attachments: m.attachments,
      status: m.status,
      error: m.error,
      origin: m.origin,
      authorId: m.authorId,
      mentions: m.mentions,
      createdAt: m.createdAt.toISOString(),
    })),
  };
}

export type ReplyInput = {
  text?: string | undefined;
  template?: { name: string; language: string; parameters: string[] } | undefined;
  /** a saved template: its body (variables filled) is the text; on WhatsApp it goes as the approved template */
  templateId?: string | undefined;
  parameters?: string[] | undefined;
  attachments?: schema.MessageAttachment[] | undefined;
};

export async function replyToConversation(ctx: AppContext, user: AuthUser, id: string, input: ReplyInput) {
  assertCanAct(user);
  const now = nowOf(ctx);
  const result = await ctx.db.db.transaction(async (tx) => {
    const [c] = await tx.select().from(conv).where(eq(conv.id, id)).for('update');
    if (!c || !canSeeConversation(user, c)) throw notFound('Conversation', id);
    let template = input.template ?? null;
    let text = input.text ?? '';
    if (input.templateId) {
      const saved = await savedTemplate(tx, input.templateId, 'body.templateId');
      assertSendable(saved, c.channel, 'body.templateId');
      const vars = await replyVariables(tx, c.customerId, user);
      text = input.text ?? fillParameters(fillVariables(saved.body, vars), input.parameters ?? []);
      if (saved.channel === 'whatsapp') template = { name: saved.name, language: saved.language, parameters: whatsAppParameters(saved.body, vars, input.parameters) };
    }
    if (c.channel === 'whatsapp' && !template && (!c.windowEndsAt || c.windowEndsAt <= now)) {
      throw new HttpError(
        422,
        'window_closed',
        `WhatsApp's 24-hour window for this customer ${c.windowEndsAt ? `closed at ${c.windowEndsAt.toISOString()}` : 'is not open (they have not written)'}: free text cannot be sent. Send an approved template instead: body.templateId (a saved WhatsApp template) or body.template = { name, language, parameters }.`,
        [{ path: 'body.text', message: 'free text outside the 24-hour window' }],
      );
    }
    const [m] = await tx
      .insert(cm)
      .values({ conversationId: id, customerId: c.customerId, direction: 'out', channel: c.channel, body: text, template, attachments: input.attachments ?? [], status: 'queued', origin: 'agent', authorId: user.id, statusAt: now, createdAt: now })
      .returning();
    await tx.insert(schema.conversationOutbox).values({ key: `agent:${m!.id}`, conversationId: id, purpose: 'agent', channel: c.channel, text, template, messageId: m!.id, dueAt: now });
    await tx
      .update(schema.conversationOutbox)
      .set({ state: 'cancelled' })
      .where(and(eq(schema.conversationOutbox.conversationId, id), eq(schema.conversationOutbox.purpose, 'follow_up'), eq(schema.conversationOutbox.state, 'pending')));
    await tx
      .update(conv)
      .set({
        lastAgentMessageAt: now,
        lastMessageAt: now,
        firstRespondedAt: c.firstRespondedAt ?? now,
        nextResponseDueAt: null,
        unreadCount: 0,
        status: c.status === 'resolved' ? 'open' : c.status,
        assigneeId: c.assigneeId ?? (user.role === 'agent' ? user.id : c.assigneeId),
        assignedAt: c.assigneeId ? c.assignedAt : now,
        needsHuman: true,
        escalationStep: 0, // answered: the escalation ladder stops
        escalatedAt: null,
        updatedAt: now,
      })
      .where(eq(conv.id, id));
    return { m: m!, before: c };
  });
  kickOutbox(ctx);
  const events: InboxEvent[] = [{ type: 'message', conversationId: id, messageId: result.m.id, direction: 'out' }];
  if (result.before.status === 'resolved') events.push({ type: 'conversation', conversationId: id, status: 'open' });
  if (!result.before.assigneeId && user.role === 'agent') events.push({ type: 'assignment', conversationId: id, assigneeId: user.id, teamId: result.before.teamId });
  await publish(ctx, events);
  return { id: result.m.id, status: result.m.status };
}

export async function addNote(ctx: AppContext, user: AuthUser, id: string, input: { text: string; mentions?: string[] | undefined }) {
  assertCanAct(user);
  const c = await getConversationFor(ctx, user, id);
  const now = nowOf(ctx);
  const mentions = [...new Set(input.mentions ?? [])];
  if (mentions.length) {
    const known = await ctx.db.db.select({ id: schema.users.id }).from(schema.users).where(inArray(schema.users.id, mentions));
    const missing = mentions.filter((m) => !known.some((k) => k.id === m));
    if (missing.length) throw new HttpError(400, 'invalid_input', `body.mentions: no user ${missing.join(', ')}.`, [{ path: 'body.mentions', message: 'unknown user' }]);
  }
  const note = await ctx.db.db.transaction(async (tx) => {
    const [m] = await tx
      .insert(cm)
      .values({ conversationId: id, customerId: c.customerId, direction: 'note', channel: c.channel, body: input.text, status: 'received', origin: 'agent', authorId: user.id, mentions, createdAt: now })
      .returning();
    await addToTimeline(ctx, tx, c.customerId, user.id, { kind: 'note', channel: null, body: input.text, payload: { conversationId: id }, at: now });
    const notified = await notifyUsers(tx, mentions.filter((u) => u !== user.id), { kind: 'mention', conversationId: id, body: `${user.name}: ${input.text.slice(0, 200)}`, dedupeKey: `mention:${m!.id}` });
    return { id: m!.id, notified };
  });
  await publish(ctx, [{ type: 'message', conversationId: id, messageId: note.id, direction: 'note' }]);
  publishNotifications(ctx, note.notified);
  return { id: note.id };
}

export async function assignTo(ctx: AppContext, user: AuthUser, id: string, input: { assigneeId?: string | null | undefined; teamId?: string | null | undefined }) {
  assertCanAct(user);
  const c = await getConversationFor(ctx, user, id);
  if (user.role === 'agent' && input.assigneeId && input.assigneeId !== user.id && c.assigneeId !== user.id) {
    throw new HttpError(403, 'forbidden', 'Agents may take an unassigned conversation or transfer their own; this one is neither.');
  }
  const now = nowOf(ctx);
  if (input.assigneeId) {
    const [u] = await ctx.db.db.select({ id: schema.users.id, active: schema.users.active, teamId: schema.users.teamId }).from(schema.users).where(eq(schema.users.id, input.assigneeId));
    if (!u || !u.active) throw new HttpError(400, 'invalid_input', `body.assigneeId: no active user ${input.assigneeId}.`, [{ path: 'body.assigneeId', message: 'unknown user' }]);
  }
  if (input.teamId) {
    const [t] = await ctx.db.db.select({ id: schema.teams.id }).from(schema.teams).where(eq(schema.teams.id, input.teamId));
    if (!t) throw new HttpError(400, 'invalid_input', `body.teamId: no team ${input.teamId}.`, [{ path: 'body.teamId', message: 'unknown team' }]);
  }
  const assignee = await ctx.db.db.transaction(async (tx) => {
    const teamId = input.teamId !== undefined ? input.teamId : c.teamId;
    // a person's choice: the escalation ladder starts again from its first step
    await tx.update(conv).set({ assigneeId: input.assigneeId ?? null, teamId, needsHuman: true, assignedAt: input.assigneeId ? now : null, escalationStep: 0, escalatedAt: null, updatedAt: now }).where(eq(conv.id, id));
    if (input.assigneeId) {
      await tx.update(schema.agentProfiles).set({ lastAssignedAt: now }).where(eq(schema.agentProfiles.userId, input.assigneeId));
      return input.assigneeId;
    }
    // to a team queue: the next agent of that team with room, else it waits in the backlog
    return assignConversation(ctx, tx, { id, teamId, language: c.language });
  });
  const moved = await assignmentEvent(ctx, id);
  if (moved) await publish(ctx, [moved], [c.assigneeId]);
  if (c.assigneeId && c.assigneeId !== assignee) await assignBacklog(ctx); // the previous assignee has a free slot
  return { id, assigneeId: assignee };
}

export async function snooze(ctx: AppContext, user: AuthUser, id: string, until: Date) {
  assertCanAct(user);
  await getConversationFor(ctx, user, id);
  if (until <= nowOf(ctx)) throw new HttpError(400, 'invalid_input', 'body.until: must be in the future.', [{ path: 'body.until', message: 'in the past' }]);
  await ctx.db.db.update(conv).set({ status: 'snoozed', snoozedUntil: until, updatedAt: nowOf(ctx) }).where(eq(conv.id, id));
  await publish(ctx, [{ type: 'conversation', conversationId: id, status: 'snoozed' }]);
  return { id, status: 'snoozed' as const, snoozedUntil: until.toISOString() };
}

export async function resolve(ctx: AppContext, user: AuthUser, id: string) {
  assertCanAct(user);
  const c = await getConversationFor(ctx, user, id);
  const now = nowOf(ctx);
  await ctx.db.db.transaction(async (tx) => {
    await tx.update(conv).set({ status: 'resolved', resolvedAt: now, needsHuman: false, nextResponseDueAt: null, updatedAt: now }).where(eq(conv.id, id));
    await tx
      .update(schema.conversationOutbox)
      .set({ state: 'cancelled' })
      .where(and(eq(schema.conversationOutbox.conversationId, id), eq(schema.conversationOutbox.purpose, 'follow_up'), eq(schema.conversationOutbox.state, 'pending')));
  });
  await publish(ctx, [{ type: 'conversation', conversationId: id, status: 'resolved' }]);
  if (c.assigneeId) await assignBacklog(ctx);
  return { id, status: 'resolved' as const };
}
