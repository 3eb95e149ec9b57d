/** Request and response shapes of the inbox API (conversations, messages, auto-reply rules). */
import { z } from 'zod';
import { CONVERSATION_STATUSES } from '@nudge/db/schema';

export { CONVERSATION_STATUSES };

const csv = <const E extends readonly [string, ...string[]]>(values: E) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const ConversationListQuery = z.object({
  view: z.enum(['mine', 'unassigned', 'team', 'all']).default('all').describe('mine: assigned to me; unassigned; team: my team; all (agents: only theirs and unassigned)'),
  status: csv(CONVERSATION_STATUSES).optional().describe('comma-separated: open,pending,snoozed,resolved'),
  priority: csv(['P1', 'P2', 'P3']).optional(),
  channel: csv(['whatsapp', 'sms', 'email']).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('customer name or company contains (folded: accents, case, width, Traditional = Simplified); with contact.unmask also phone (4+ digits) or e-mail'),
  sort: z.enum(['last_message', 'sla_due']).default('last_message').describe('last_message: newest first; sla_due: the earliest reply deadline first (none last)'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page (same filters and sort)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ConversationIdParams = z.object({ id: z.uuid() });

const Template = z.object({ name: z.string().trim().min(1).max(512), language: z.string().trim().min(2).max(16), parameters: z.array(z.string().max(1024)).max(20).default([]) });
const Attachment = z.object({ url: z.url().max(2000), mimeType: z.string().max(200).optional(), name: z.string().max(300).optional() });

export const ReplyBody = z
  .object({
    text: z.string().trim().min(1).max(4096).optional(),
    template: Template.optional().describe('an approved WhatsApp template: required outside the 24-hour window'),
    templateId: z.uuid().optional().describe('a saved template (Settings → Templates): outside the 24-hour window it must be an approved WhatsApp template'),
    parameters: z.array(z.string().max(1024)).max(20).optional().describe("with templateId: WhatsApp's {{1}}, {{2}}… in order"),
    attachments: z.array(Attachment).max(10).optional().describe('files by link'),
  })
  .refine((v) => v.text || v.template || v.templateId, { message: 'give text or template (templateId: a saved one, or template: { name, language, parameters })', path: ['text'] });

export const NoteBody = z.object({ text: z.string().trim().min(1).max(20_000), mentions: z.array(z.uuid()).max(50).optional().describe('user ids to notify') });
export const AssignBody = z
  .object({ assigneeId: z.uuid().nullable().optional(), teamId: z.uuid().nullable().optional() })
  .refine((v) => v.assigneeId !== undefined || v.teamId !== undefined, { message: 'give assigneeId or teamId', path: ['assigneeId'] });
export const SnoozeBody = z.object({ until: z.iso.datetime({ offset: true }).transform((s) => new Date(s)) });

const Customer = z.object({ id: z.string(), fullName: z.string(), phone: z.string().nullable(), email: z.string().nullable(), whatsappId: z.string().nullable() });
export const ConversationOut = z
  .object({
    id: z.string(),
    channel: z.string(),
    status: z.enum(CONVERSATION_STATUSES),
    priority: z.enum(['P1', 'P2', 'P3']),
    assigneeId: z.string().nullable(),
    teamId: z.string().nullable(),
    language: z.string(),
    needsHuman: z.boolean(),
    unreadCount: z.number(),
    firstResponseDueAt: z.string().nullable(),
    nextResponseDueAt: z.string().nullable(),
    slaBreachedAt: z.string().nullable(),
    lastCustomerMessageAt: z.string().nullable(),
    lastMessageAt: z.string(),
    windowEndsAt: z.string().nullable(),
    snoozedUntil: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    customer: Customer.describe('phone / e-mail masked without contact.unmask'),
  })
  .meta({ id: 'Conversation' });
/** Counted up to this many: a page never counts the whole inbox. */
export const CONVERSATION_COUNT_CAP = 1000;
export const ConversationCounts = z
  .object({
    total: z.number().int().describe(`conversations matching the filters, counted up to ${CONVERSATION_COUNT_CAP}`),
    unread: z.number().int().describe(`of those, with unread customer messages, counted up to ${CONVERSATION_COUNT_CAP}`),
    capped: z.boolean().describe(`true when total reached ${CONVERSATION_COUNT_CAP} (show "1000+")`),
  })
  .describe('on the first page only (no cursor)');
export const ConversationPage = z.object({ items: z.array(ConversationOut), nextCursor: z.string().nullable(), counts: ConversationCounts.optional() });
export type ConversationOut = z.infer<typeof ConversationOut>;
export const MessageOut = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out', 'note']),
  body: z.string(),
  template: Template.nullable(),
  attachments: z.array(Attachment),
  status: z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']),
  error: z.string().nullable(),
  origin: z.string().nullable(),
  authorId: z.string().nullable(),
  mentions: z.array(z.string()),
  createdAt: z.string(),
});
export type MessageOut = z.infer<typeof MessageOut>;
export const ConversationDetail = ConversationOut.extend({ messages: z.array(MessageOut) }).meta({ id: 'ConversationDetail' });
export type ConversationDetail = z.infer<typeof ConversationDetail>;

export const RuleTestBody = z.object({
  text: z.string().min(1).max(4096),
  at: z.iso.datetime({ offset: true }).optional().describe('when the message arrives (default: now): decides in / out of hours'),
  teamId: z.uuid().optional(),
  firstContact: z.boolean().default(false),
});

const Localized = z.object({ default: z.string().max(4096), en: z.string().max(4096), 'zh-Hant': z.string().max(4096), 'zh-Hans': z.string().max(4096), es: z.string().max(4096) }).partial();
export const RuleBody = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['keyword', 'welcome', 'away', 'handoff', 'high_value']).default('keyword'),
  position: z.number().int().min(0).max(100_000).default(100),
  match: z.enum(['contains', 'exact', 'regex']).default('contains'),
  patterns: z.array(z.string().trim().min(1).max(500)).max(100).default([]),
  replies: Localized.default({}),
  template: Template.nullable().optional(),
  templateId: z.uuid().nullable().optional().describe('a saved message template: its text (and, on WhatsApp, the approved template) answers'),
  hours: z.enum(['in_hours', 'out_of_hours', 'always']).default('always'),
  teamId: z.uuid().nullable().optional(),
  active: z.boolean().default(true),
});

// ---- inbox notifications (SLA breach, high value, hand-off, @mention, escalation) ------------

export const InboxNotificationOut = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    conversationId: z.uuid().nullable(),
    body: z.string(),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'InboxNotification' });
export type InboxNotificationOut = z.infer<typeof InboxNotificationOut>;
export const InboxNotificationReadBody = z
  .object({ ids: z.array(z.uuid()).min(1).max(500).optional(), all: z.literal(true).optional() })
  .refine((b) => b.ids || b.all, { message: 'send ids: [...] or all: true' });
