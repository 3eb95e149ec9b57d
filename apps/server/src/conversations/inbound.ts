/**
 * A customer's message enters the inbox. In ONE transaction: the conversation (customer ×
 * channel) is found or opened (a resolved one reopens), the message is stored once by its
 * provider id (a webhook delivered 5 times at once stores it once; the others see the unique
 * index and stop), the auto-replies are decided and written to the outbox, priority, SLA and
 * hand-off are set and the conversation is assigned. After the commit the outbox is drained
 * (outbox.ts): nothing is sent inside the transaction, nothing decided is lost by a crash.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { customerValue, customerValueColumns, schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { addInteraction } from '../customers/index.js';
import { assignConversation, teamForText } from './assignment.js';
import { addBusinessHours, isWithinHours, localDay } from './hours.js';
import { notifySupervisors } from './notify.js';
import { assignmentEvent, publish, publishNotifications, type InboxEvent, type Notified } from './live.js';
import { kickOutbox } from './outbox.js';
import { planReplies, replyIn, type AutoReplyRule } from './rules.js';
import { hoursOf, inHoursOf, loadInboxSettings, priorityForBudget, teamSettingsFor, type Tx } from './settings.js';
import { detectLanguage, fillVariables, questionKey, type InboxLanguage } from './text.js';

const conv = schema.conversations;
const cm = schema.conversationMessages;

export interface ConversationInbound {
  customerId: string;
  channel: 'whatsapp' | 'sms' | 'email';
  text: string;
  providerMessageId?: string;
  /** WhatsApp business-scoped user id */
  contactUserId?: string | null;
  attachments?: schema.MessageAttachment[];
  at?: Date;
}

export interface ConversationInboundResult {
  conversationId: string;
  messageId: string | null;
  duplicate: boolean;
  reopened: boolean;
  /** what was queued to answer: rule ids / purposes */
  queued: string[];
  handoff: boolean;
  assigneeId: string | null;
}

/** What the customer is told when a person takes over (when no hand-off rule has a reply in their language). */
export const HANDOFF_NOTICE: Record<InboxLanguage, string> = {
  en: 'Thank you — a colleague will answer you personally shortly.',
  'zh-Hant': '謝謝您，專人將盡快為您服務。',
  'zh-Hans': '谢谢您，专人将尽快为您服务。',
  es: 'Gracias, una persona de nuestro equipo le responderá en breve.',
};

/** The one follow-up when an auto-reply is unread after 10 minutes. */
export const FOLLOW_UP_TEXT: Record<InboxLanguage, string> = {
  en: 'Did that answer your question? Reply 1 to talk to a person.',
  'zh-Hant': '以上是否解答了您的問題？回覆 1 由專人為您服務。',
  'zh-Hans': '以上是否解答了您的问题？回复 1 由专人为您服务。',
  es: '¿Le ayudó esta respuesta? Responda 1 para hablar con una persona.',
};

export const FOLLOW_UP_DELAY_MS = 10 * 60_000;
export const REPEATS_FOR_HANDOFF = 3;
const AGENT_RECENT_MS = 5 * 60_000;

type Queued = { purpose: 'auto_reply' | 'welcome' | 'away' | 'handoff' | 'follow_up'; rule: AutoReplyRule | null; text: string; template: AutoReplyRule['template']; dueAt: Date };

export async function recordConversationMessage(ctx: AppContext, msg: ConversationInbound): Promise<ConversationInboundResult> {
  const { notified, before, ...result } = await ctx.db.db.transaction((tx) => recordInTransaction(ctx, tx, msg));
  if (result.queued.length) kickOutbox(ctx);
  if (!result.duplicate && result.messageId) {
    const events: InboxEvent[] = [{ type: 'message', conversationId: result.conversationId, messageId: result.messageId, direction: 'in' }];
    if (before.status !== 'open') events.push({ type: 'conversation', conversationId: result.conversationId, status: 'open' });
    const assigned = result.assigneeId !== before.assigneeId ? await assignmentEvent(ctx, result.conversationId) : null;
    if (assigned) events.push(assigned);
    await publish(ctx, events, [before.assigneeId]);
    publishNotifications(ctx, notified);
  }
  return result;
}

type InTransaction = ConversationInboundResult & { notified: Notified[]; before: { status: string; assigneeId: string | null; teamId: string | null } };

async function recordInTransaction(ctx: AppContext, tx: Tx, msg: ConversationInbound): Promise<InTransaction> {
  const now = nowOf(ctx);
  const at = now; // decisions (hours, windows, SLA) use the server clock at arrival
  // find or open the conversation; the upsert also locks its row until commit
  const [c] = await tx
    .insert(conv)
    .values({ customerId: msg.customerId, channel: msg.channel, contactUserId: msg.contactUserId ?? null, lastMessageAt: at })
    .onConflictDoUpdate({ target: [conv.customerId, conv.channel], set: { updatedAt: now } })
    .returning();
  const before = c!;
  const [stored] = await tx
    .insert(cm)
    .values({
      conversationId: before.id,
      customerId: msg.customerId,
      direction: 'in',
      channel: msg.channel,
      body: msg.text,
      attachments: msg.attachments ?? [],
      providerMessageId: msg.providerMessageId ?? null,
      status: 'received',
      statusAt: at,
      createdAt: at,
    })
    .onConflictDoNothing({ target: [cm.channel, cm.providerMessageId] })
    .returning({ id: cm.id });
  if (!stored) {
    return { conversationId: before.id, messageId: null, duplicate: true, reopened: false, queued: [], handoff: false, assigneeId: before.assigneeId, notified: [], before };
  }

  const settings = await loadInboxSettings(ctx, tx);
  const [customer] = await tx
    .select({ fullName: schema.customers.fullName, ownerId: schema.customers.ownerId, teamId: schema.customers.teamId, ...customerValueColumns })
    .from(schema.customers)
    .where(eq(schema.customers.id, msg.customerId));
  const ownerName = customer?.ownerId
    ? (await tx.select({ name: schema.users.name }).from(schema.users).where(eq(schema.users.id, customer.ownerId)))[0]?.name ?? null
    : null;

  const firstContact = before.lastCustomerMessageAt === null;
  const reopened = before.status === 'resolved';
  const newInquiry = firstContact || reopened;
  const language = detectLanguage(msg.text, before.language as InboxLanguage);
  const routedTeam = teamForText(settings.teams, msg.text);
  const teamId = routedTeam ?? before.teamId ?? customer?.teamId ?? settings.teams.find((t) => t.isDefault)?.teamId ?? null;
  const team = teamSettingsFor(settings, teamId);
  const inHours = inHoursOf(team, at, isWithinHours);
  const rules = settings.rules;
  const vars = { name: customer?.fullName ?? '', owner: ownerName ?? '' };
  const textOf = (rule: AutoReplyRule | null, fallback?: string) => fillVariables((rule && replyIn(rule, language)) ?? fallback ?? '', vars);
  const templateOf = (rule: AutoReplyRule | null) =>
    rule?.template ? { ...rule.template, parameters: rule.template.parameters.map((p) => fillVariables(p, vars)) } : null;

  const key = questionKey(msg.text);
  const repeatCount = key && key === before.lastQuestion ? before.repeatCount + 1 : 1;
  let needsHuman = reopened ? false : before.needsHuman;
  let priority = newInquiry ? priorityForBudget(customerValue(customer), settings.policy) : before.priority;
  const queued: Queued[] = [];
  const push = (purpose: Queued['purpose'], rule: AutoReplyRule | null, fallback?: string, dueAt = at) => {
    const text = textOf(rule, fallback);
    const template = templateOf(rule);
    if (text || template) queued.push({ purpose, rule, text, template, dueAt });
  };

  // at most one greeting (away out of hours, else the welcome on first contact), then at most one answer
  const today = localDay(hoursOf(team).timezone, at);
  const agentRecently = !!before.lastAgentMessageAt && at.getTime() - before.lastAgentMessageAt.getTime() < AGENT_RECENT_MS;
  const answeredFollowUp = key === '1' && (await followUpWasSent(tx, before.id));
  const handedOff = reopened ? false : before.handedOffAt !== null;
  // the bot answers common questions until a person has replied in this episode
  const personTookOver = !reopened && before.firstRespondedAt !== null;
  const plan = planReplies(rules, {
    text: msg.text,
    inHours,
    firstContact,
    awayAllowed: before.awaySentOn !== today && !agentRecently,
    handoffAllowed: !handedOff,
    handoffForced: repeatCount >= REPEATS_FOR_HANDOFF || answeredFollowUp,
    personTookOver,
  });
  if (plan.greeting) push(plan.greeting.purpose, plan.greeting.rule);
  const handoff = !!plan.handoff;
  const highValue = plan.highValue;
  if (handoff) {
    needsHuman = true;
    push('handoff', plan.handoff!.rule, HANDOFF_NOTICE[language]);
  } else if (highValue) {
    push('auto_reply', highValue.rule);
  }
  if (highValue) {
    priority = 'P1';
    needsHuman = true;
  }
  if (!handoff && !highValue && !personTookOver) {
    if (plan.keyword) {
      push('auto_reply', plan.keyword.rule);
      queued.push({ purpose: 'follow_up', rule: plan.keyword.rule, text: FOLLOW_UP_TEXT[language], template: null, dueAt: new Date(at.getTime() + FOLLOW_UP_DELAY_MS) });
    } else if (!(firstContact && plan.greeting && isGreeting(key))) {
      needsHuman = true; // nobody answers it automatically: a person must
    }
  } else if (!handoff && !highValue) {
    needsHuman = true;
  }

  const sla = settings.policy.sla[priority];
  const awaitingReplyAfterAgent = !newInquiry && before.lastAgentMessageAt && (!before.lastCustomerMessageAt || before.lastAgentMessageAt > before.lastCustomerMessageAt);
  const patch: Partial<typeof conv.$inferInsert> = {
    status: before.status === 'resolved' || before.status === 'snoozed' ? 'open' : before.status,
    teamId,
    language,
    priority,
    needsHuman,
    lastCustomerMessageAt: at,
    lastMessageAt: at,
    lastQuestion: key,
    repeatCount,
    unreadCount: sql`${conv.unreadCount} + 1` as never,
    windowEndsAt: msg.channel === 'whatsapp' ? new Date(at.getTime() + 24 * 3_600_000) : before.windowEndsAt,
    contactUserId: msg.contactUserId ?? before.contactUserId,
    updatedAt: now,
    ...(queued.some((q) => q.purpose === 'away') ? { awaySentOn: today } : {}),
    ...(handoff ? { handedOffAt: at } : {}),
    ...(reopened ? { handedOffAt: handoff ? at : null, resolvedAt: null, snoozedUntil: null, assigneeId: null, firstRespondedAt: null, slaBreachedAt: null, escalationStep: 0, escalatedAt: null } : {}),
    ...(before.status === 'snoozed' ? { snoozedUntil: null } : {}),
  };
  if (newInquiry) {
    patch.firstResponseDueAt = addBusinessHours(hoursOf(team), at, sla);
    patch.slaBreachedAt = null;
  } else if (awaitingReplyAfterAgent) {
    patch.nextResponseDueAt = addBusinessHours(hoursOf(team), at, sla);
    patch.slaBreachedAt = null;
  } else if (highValue && before.priority !== 'P1' && !before.firstRespondedAt) {
    patch.firstResponseDueAt = addBusinessHours(hoursOf(team), at, settings.policy.sla.P1);
  }
  await tx.update(conv).set(patch).where(eq(conv.id, before.id));

  // one pending follow-up per conversation: a newer message replaces the older timer
  await tx
    .update(schema.conversationOutbox)
    .set({ state: 'cancelled' })
    .where(and(eq(schema.conversationOutbox.conversationId, before.id), eq(schema.conversationOutbox.purpose, 'follow_up'), eq(schema.conversationOutbox.state, 'pending')));
  const keys: string[] = [];
  for (const [i, q] of queued.entries()) {
    const k = `${stored.id}:${q.purpose === 'auto_reply' ? q.rule!.id : q.purpose}`;
    keys.push(k);
    await tx
      .insert(schema.conversationOutbox)
      .values({ key: k, conversationId: before.id, purpose: q.purpose, ruleId: q.rule?.id ?? null, channel: msg.channel, text: q.text, template: q.template, dueAt: new Date(q.dueAt.getTime() - (queued.length - i)) }) // 1 ms apart, never later than decided: sent in this order
      .onConflictDoNothing({ target: schema.conversationOutbox.key });
  }

  let assigneeId = reopened ? null : before.assigneeId;
  if ((needsHuman || priority === 'P1') && !assigneeId) {
    assigneeId = await assignConversation(ctx, tx, { id: before.id, teamId, language }, settings.policy.strategy);
  }
  const notified: Notified[] = [];
  if (highValue) {
    notified.push(...await notifySupervisors(tx, teamId, {
      kind: 'high_value',
      conversationId: before.id,
      body: `${customer?.fullName ?? 'A customer'} wrote "${msg.text.slice(0, 120)}" (${highValue.pattern}): priority P1.`,
      dedupeKey: `high_value:${stored.id}`,
    }));
  }
  return { conversationId: before.id, messageId: stored.id, duplicate: false, reopened, queued: keys, handoff, assigneeId, notified, before };
}

const GREETINGS = new Set(['hi', 'hello', 'hey', 'hola', 'buenas', 'buenos dias', '你好', '您好', '哈啰', '嗨', 'good morning']);
/** A first message that only says hello: the welcome answers it, no person needed. */
export const isGreeting = (key: string) => GREETINGS.has(key) || key.length === 0;

async function followUpWasSent(tx: Tx, conversationId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: schema.conversationOutbox.id })
    .from(schema.conversationOutbox)
    .where(and(eq(schema.conversationOutbox.conversationId, conversationId), eq(schema.conversationOutbox.purpose, 'follow_up'), inArray(schema.conversationOutbox.state, ['sent'])))
    .limit(1);
  return rows.length > 0;
}

/** Puts an outbound message on the customer's timeline too (the inbox keeps its own copy). */
export async function addToTimeline(ctx: AppContext, tx: Tx, customerId: string, authorId: string | null, entry: { kind: 'message_out' | 'note'; channel: string | null; body: string; payload: Record<string, unknown>; at: Date }) {
  await addInteraction(ctx, authorId, customerId, { kind: entry.kind, ...(entry.channel ? { channel: entry.channel } : {}), body: entry.body, payload: entry.payload, occurredAt: entry.at }, tx as never);
}
