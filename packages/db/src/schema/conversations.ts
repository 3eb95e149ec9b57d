/**
 * The shared inbox: a conversation per customer and channel, its messages (in, out, internal
 * notes) with delivery status, the agents' routing profile, business hours per team, auto-reply
 * rules, the outbox that sends auto-replies exactly once (and holds the durable timers), and the
 * notifications agents and supervisors get (SLA breach, high-value message, hand-off).
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { customerPriority, customers } from './customers.js';
import { teams, users } from './users.js';
import { CONVERSATION_STATUSES, type ConversationStatus } from './values.js';

export const conversationStatus = pgEnum('conversation_status', CONVERSATION_STATUSES);
export { CONVERSATION_STATUSES, type ConversationStatus };

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** whatsapp | sms | email */
    channel: text('channel').notNull(),
    /** The WhatsApp business-scoped user id (sent by Meta since 2026; stays when the user hides the phone). */
    contactUserId: text('contact_user_id'),
    status: conversationStatus('status').notNull().default('open'),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    priority: customerPriority('priority').notNull().default('P3'),
    /** The customer's language as last detected: en | zh-Hant | zh-Hans | es. */
    language: text('language').notNull().default('en'),
    /** Waiting for a person (hand-off phrase, repeated question, or no rule matched). */
    needsHuman: boolean('needs_human').notNull().default(false),
    /** When the customer was told a person will answer (once per episode; cleared on reopen). */
    handedOffAt: timestamp('handed_off_at', { withTimezone: true }),
    firstResponseDueAt: timestamp('first_response_due_at', { withTimezone: true }),
    nextResponseDueAt: timestamp('next_response_due_at', { withTimezone: true }),
    firstRespondedAt: timestamp('first_responded_at', { withTimezone: true }),
    slaBreachedAt: timestamp('sla_breached_at', { withTimezone: true }),
    lastCustomerMessageAt: timestamp('last_customer_message_at', { withTimezone: true }),
    lastAgentMessageAt: timestamp('last_agent_message_at', { withTimezone: true }),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull().defaultNow(),
    /** WhatsApp: free text may be sent until then (24 h after the customer's last message). */
    windowEndsAt: timestamp('window_ends_at', { withTimezone: true }),
    /** The folded text of the customer's last question and how many times in a row it came. */
    lastQuestion: text('last_question'),
    repeatCount: integer('repeat_count').notNull().default(0),
    unreadCount: integer('unread_count').notNull().default(0),
    /** The day (team timezone, yyyy-mm-dd) the away message last went out. */
    awaySentOn: text('away_sent_on'),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    /**
     * The escalation ladder while the customer waits for an answer (apps/server conversations/escalation.ts):
     * 0 none, 1 reassigned to the next agent, 2 in the team queue, 3 supervisor notified. Back to 0 when an agent answers.
     */
    escalationStep: integer('escalation_step').notNull().default(0),
    /** When the last escalation step was taken (the next step's clock starts there). */
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The reply deadline the inbox sorts by ("SLA due"): the first-response deadline until the first
     * answer, then the next-response one; none → 9999-12-31 (last), so the keyset order needs no NULL case.
     */
    slaDueAt: timestamp('sla_due_at', { withTimezone: true })
      .notNull()
      .generatedAlwaysAs(sql`coalesce(case when first_responded_at is null then first_response_due_at else next_response_due_at end, timestamptz '9999-12-31 00:00:00+00')`),
  },
  (t) => [
    uniqueIndex('conversations_customer_channel_uq').on(t.customerId, t.channel),
    index('conversations_contact_user_idx').on(t.channel, t.contactUserId),
    // the open load per agent (assignment.ts)
    index('conversations_assignee_list_idx').on(t.assigneeId, t.status, t.lastMessageAt.desc(), t.id),
    // the inbox list (service.ts listConversations): each view's filter, then its keyset order.
    // Ascending on purpose: read backwards they give ORDER BY … DESC (NULLS FIRST); drizzle's
    // .desc() means DESC NULLS LAST, which the planner won't use for that order.
    index('conversations_recent_idx').on(t.lastMessageAt, t.id),
    index('conversations_assignee_recent_idx').on(t.assigneeId, t.lastMessageAt, t.id),
    index('conversations_team_recent_idx').on(t.teamId, t.lastMessageAt, t.id),
    index('conversations_sla_order_idx').on(t.slaDueAt, t.id),
    index('conversations_assignee_sla_idx').on(t.assigneeId, t.slaDueAt, t.id),
    index('conversations_team_sla_idx').on(t.teamId, t.slaDueAt, t.id),
    // the 15-s sweep (jobs.ts, escalation.ts, assignment.ts): each step reads only its own candidates.
    // The predicates are repeated literally in those queries so the planner can use them.
    index('conversations_sweep_first_due_idx').on(t.firstResponseDueAt).where(sql`sla_breached_at IS NULL AND first_responded_at IS NULL AND status IN ('open', 'pending')`),
    index('conversations_sweep_next_due_idx').on(t.nextResponseDueAt).where(sql`sla_breached_at IS NULL AND status IN ('open', 'pending')`),
    index('conversations_sweep_snooze_idx').on(t.snoozedUntil).where(sql`status = 'snoozed'`),
    index('conversations_sweep_idle_idx').on(t.lastMessageAt).where(sql`status IN ('open', 'pending')`),
    index('conversations_sweep_escalation_idx')
      .on(t.lastCustomerMessageAt)
      .where(sql`status IN ('open', 'pending') AND escalation_step < 3 AND last_customer_message_at IS NOT NULL AND (last_agent_message_at IS NULL OR last_agent_message_at < last_customer_message_at)`),
    index('conversations_backlog_idx').on(t.priority, t.lastCustomerMessageAt).where(sql`assignee_id IS NULL AND needs_human AND status IN ('open', 'pending') AND escalation_step < 2`),
  ],
);

export const messageDirection = pgEnum('conversation_message_direction', ['in', 'out', 'note']);
/** Delivery status, ordered: a status webhook only moves it forward (failed is final). */
export const messageStatus = pgEnum('conversation_message_status', ['received', 'queued', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = (typeof messageStatus.enumValues)[number];

export type MessageAttachment = { url: string; mimeType?: string; name?: string };

export const conversationMessages = pgTable(
  'conversation_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    direction: messageDirection('direction').notNull(),
    channel: text('channel').notNull(),
    body: text('body').notNull().default(''),
    /** WhatsApp template used (outside the 24-hour window). */
    template: jsonb('template').$type<{ name: string; language: string; parameters: string[] }>(),
    attachments: jsonb('attachments').$type<MessageAttachment[]>().notNull().default([]),
    providerMessageId: text('provider_message_id'),
    status: messageStatus('status').notNull(),
    error: text('error'),
    statusAt: timestamp('status_at', { withTimezone: true }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** auto_reply | welcome | away | handoff | follow_up | agent */
    origin: text('origin'),
    ruleId: uuid('rule_id'),
    mentions: uuid('mentions').array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversation_messages_provider_uq').on(t.channel, t.providerMessageId),
    index('conversation_messages_conversation_idx').on(t.conversationId, t.createdAt),
  ],
);

/**
 * The metrics' rollup (apps/server conversations/metrics.ts): each conversation's messages (notes
 * left out) cut into turns — a customer's message and what went out after it until their next one —
 * with what the metrics need of each turn and of the turns before and after it. Written by the
 * database itself in the transaction that stores, changes or deletes messages (triggers of
 * migration 0023, incremental since 0024: the last turn updated or the next appended, else `nudge_refresh_turns` recomputes), so no
 * writer can forget it and the metrics read 2 indexed ranges instead of windowing every message.
 */
export const conversationTurns = pgTable(
  'conversation_turns',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** 1, 2, … in order of the customer's messages */
    turn: integer('turn').notNull(),
    /** the customer's message that starts the turn */
    inAt: timestamp('in_at', { withTimezone: true }).notNull(),
    body: text('body'),
    /** answered automatically (welcome, keyword reply, away message, hand-off notice) */
    auto: boolean('auto').notNull(),
    /** the first keyword reply of the turn: its rule and time */
    ruleId: text('rule_id'),
    replyAt: timestamp('reply_at', { withTimezone: true }),
    /** a hand-off notice went out in this turn */
    handoff: boolean('handoff').notNull(),
    /** the first reply by a person in this turn, and who */
    agentAt: timestamp('agent_at', { withTimezone: true }),
    agentId: text('agent_id'),
    /** the last reply by a person in an earlier turn */
    prevAgentAt: timestamp('prev_agent_at', { withTimezone: true }),
    /** the customer's next message (the next turn's start) */
    nextInAt: timestamp('next_in_at', { withTimezone: true }),
    /** how many earlier turns a person answered: the wait this turn belongs to (0 = the first response) */
    waitNo: integer('wait_no').notNull(),
    /** when that wait started: the first customer message after a person's reply */
    waitStartAt: timestamp('wait_start_at', { withTimezone: true }).notNull(),
    /** the next turn with an automatic reply or a hand-off is a hand-off (blamed on this turn's rule) */
    thenHandoff: boolean('then_handoff').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.turn] }),
    index('conversation_turns_in_idx').on(t.inAt),
    index('conversation_turns_agent_idx').on(t.agentAt).where(sql`agent_at IS NOT NULL`),
  ],
);

/** Weekly periods in the team's timezone: weekday 1 = Monday … 7 = Sunday, "HH:MM". */
export type WeeklyPeriods = { weekday: number; start: string; end: string }[];

/** Routing profile of an agent (a user): skills, languages, working hours, load cap, presence. */
export const agentProfiles = pgTable('agent_profiles', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** e.g. technical, sales; product lines as `product:<name>` */
  skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
  /** en | zh-Hant | zh-Hans | es */
  languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
  workingHours: jsonb('working_hours').$type<WeeklyPeriods>().notNull().default([]),
  timezone: text('timezone').notNull().default('UTC'),
  maxOpen: integer('max_open').notNull().default(6),
  /** presence from the open app: away agents get nothing new */
  available: boolean('available').notNull().default(true),
  lastAssignedAt: timestamp('last_assigned_at', { withTimezone: true }),
  supervisor: boolean('supervisor').notNull().default(false),
});

/** Business hours, holidays and routing keywords per team. */
export const teamInboxSettings = pgTable('team_inbox_settings', {
  teamId: uuid('team_id')
    .primaryKey()
    .references(() => teams.id, { onDelete: 'cascade' }),
  timezone: text('timezone').notNull().default('UTC'),
  periods: jsonb('periods').$type<WeeklyPeriods>().notNull().default([]),
  /** yyyy-mm-dd in the team's timezone */
  holidays: text('holidays').array().notNull().default(sql`'{}'::text[]`),
  /** words that route a conversation to this team (安装, 故障 → technical) */
  routingKeywords: text('routing_keywords').array().notNull().default(sql`'{}'::text[]`),
  /** required agent skill for this team's conversations (optional) */
  skill: text('skill'),
  isDefault: boolean('is_default').notNull().default(false),
});

export const autoReplyKind = pgEnum('auto_reply_kind', ['keyword', 'welcome', 'away', 'handoff', 'high_value']);
export const autoReplyMatch = pgEnum('auto_reply_match', ['contains', 'exact', 'regex']);
export const autoReplyHours = pgEnum('auto_reply_hours', ['in_hours', 'out_of_hours', 'always']);

/** Replies per language; `default` when the customer's language has none. */
export type LocalizedText = Partial<Record<'default' | 'en' | 'zh-Hant' | 'zh-Hans' | 'es', string>>;

export const autoReplyRules = pgTable(
  'auto_reply_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    kind: autoReplyKind('kind').notNull().default('keyword'),
    /** order among rules: lower first; the first match wins */
    position: integer('position').notNull().default(0),
    match: autoReplyMatch('match').notNull().default('contains'),
    /** phrasings and languages: 价格, 價格, precio, price */
    patterns: text('patterns').array().notNull().default(sql`'{}'::text[]`),
    replies: jsonb('replies').$type<LocalizedText>().notNull().default({}),
    /** a saved WhatsApp template instead of text: { name, language, parameters with {name}/{owner} } */
    template: jsonb('template').$type<{ name: string; language: string; parameters: string[] }>(),
    /** a saved message template (wins over `replies` and `template` when set) */
    templateId: uuid('template_id').references((): AnyPgColumn => messageTemplates.id, { onDelete: 'set null' }),
    hours: autoReplyHours('hours').notNull().default('always'),
    /** whose business hours apply (null: the default team's) */
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('auto_reply_rules_order_idx').on(t.kind, t.position)],
);

/**
 * The transactional outbox: written in the same transaction as the inbound message it answers,
 * drained by the server (claim with a lease, send through the channel_sends ledger, record).
 * `dueAt` in the future makes it a durable timer (10-minute follow-up); `cancelled` when an agent
 * answers first.
 */
export const conversationOutbox = pgTable(
  'conversation_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** idempotency key: `<inbound message id>:<rule or purpose>` — also the channel ledger key */
    key: text('key').notNull(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** auto_reply | welcome | away | handoff | follow_up */
    purpose: text('purpose').notNull(),
    ruleId: uuid('rule_id'),
    channel: text('channel').notNull(),
    text: text('text').notNull().default(''),
    template: jsonb('template').$type<{ name: string; language: string; parameters: string[] }>(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    /** pending | sent | failed | cancelled */
    state: text('state').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    /** the drainer holding the lease (its session advisory lock on PostgreSQL: outbox.ts); null on PGlite */
    lockedBy: integer('locked_by'),
    lastError: text('last_error'),
    messageId: uuid('message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversation_outbox_key_uq').on(t.key),
    index('conversation_outbox_due_idx').on(t.dueAt).where(sql`${t.state} = 'pending'`),
  ],
);

/** Notifications for people: SLA breach, high-value message, hand-off, @mention. Once per `dedupeKey`. */
export const inboxNotifications = pgTable(
  'inbox_notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('inbox_notifications_dedupe_uq').on(t.userId, t.dedupeKey), index('inbox_notifications_user_idx').on(t.userId, t.createdAt)],
);

/**
 * Delivery statuses that arrived before the send was recorded (Meta answers the send and posts
 * "sent" at once): applied when the provider's message id is recorded, so none is lost.
 */
export const earlyMessageStatuses = pgTable(
  'early_message_statuses',
  {
    channel: text('channel').notNull(),
    providerMessageId: text('provider_message_id').notNull(),
    status: messageStatus('status').notNull(),
    error: text('error'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('early_message_statuses_uq').on(t.channel, t.providerMessageId, t.status)],
);

/** WhatsApp's template categories and Meta's review outcome. */
export const TEMPLATE_CATEGORIES = ['marketing', 'utility', 'authentication'] as const;
/** Meta's review: pending → approved / rejected; an approved one can be paused or disabled by Meta later */
export const TEMPLATE_STATUSES = ['pending', 'approved', 'rejected', 'paused', 'disabled'] as const;
export const templateCategory = pgEnum('message_template_category', TEMPLATE_CATEGORIES);
export const templateStatus = pgEnum('message_template_status', TEMPLATE_STATUSES);

/**
 * Saved message templates per channel and language: a body with variables ({name}, {owner},
 * WhatsApp's {{1}} parameters). WhatsApp templates carry Meta's category and approval status;
 * only an approved one may be sent outside the 24-hour window. Other channels' are approved at once.
 */
export const messageTemplates = pgTable(
  'message_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** WhatsApp: the template name registered with Meta (lowercase, underscores) */
    name: text('name').notNull(),
    channel: text('channel').notNull(),
    language: text('language').notNull(),
    /** e-mail subject */
    subject: text('subject'),
    body: text('body').notNull(),
    /** WhatsApp only */
    category: templateCategory('category'),
    status: templateStatus('status').notNull().default('pending'),
    rejectedReason: text('rejected_reason'),
    /** WhatsApp: Meta's template id (message_templates answer), for edits and status webhooks */
    providerTemplateId: text('provider_template_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('message_templates_name_uq').on(t.channel, t.name, t.language)],
);

/** Quick replies an agent inserts by typing `/` and the code in the composer. */
export const quickReplies = pgTable(
  'quick_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** what the agent types after `/`: price, shipping */
    code: text('code').notNull(),
    text: text('text').notNull(),
    language: text('language').notNull(),
    /** only this team's agents see it (null: everyone) */
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quick_replies_code_uq').on(t.code, t.language)],
);
