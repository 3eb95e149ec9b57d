// The inbox API (apps/server/src/conversations/router.ts), typed: every response parsed by zod.
import { z } from 'zod';
import { api } from '../api/client';

const nullableStr = z.string().nullable().default(null);

export const VIEWS = ['mine', 'unassigned', 'team', 'all'] as const;
export type InboxView = (typeof VIEWS)[number];
export const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;

const template = z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()).default([]) });
export const conversation = z.object({
  id: z.string(),
  channel: z.string(),
  status: z.string(),
  priority: z.string(),
  assigneeId: nullableStr,
  teamId: nullableStr,
  language: z.string().default('en'),
  needsHuman: z.boolean().default(false),
  unreadCount: z.number().default(0),
  firstResponseDueAt: nullableStr,
  nextResponseDueAt: nullableStr,
  slaBreachedAt: nullableStr,
  lastCustomerMessageAt: nullableStr,
  lastMessageAt: z.string(),
  windowEndsAt: nullableStr,
  snoozedUntil: nullableStr,
  resolvedAt: nullableStr,
  customer: z.object({ id: z.string(), fullName: z.string(), phone: nullableStr, email: nullableStr, whatsappId: nullableStr }),
});
export type Conversation = z.infer<typeof conversation>;
export const conversationPage = z.object({ items: z.array(conversation), nextCursor: nullableStr });

export const message = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out', 'note']),
  body: z.string(),
  template: template.nullable().default(null),
  attachments: z.array(z.object({ url: z.string(), mimeType: z.string().optional(), name: z.string().optional() })).default([]),
  status: z.string(),
  error: nullableStr,
  origin: nullableStr,
  authorId: nullableStr,
  mentions: z.array(z.string()).default([]),
  createdAt: z.string(),
});
export type Message = z.infer<typeof message>;
export const conversationDetail = conversation.extend({ messages: z.array(message) });
export type ConversationDetail = z.infer<typeof conversationDetail>;

const team = z.object({ id: z.union([z.string(), z.number()]).transform(String), name: z.string() }).loose();

export interface ListFilters {
  view: InboxView;
  status?: string;
  priority?: string;
  channel?: string;
  q?: string;
}

export const inboxApi = {
  list: (f: ListFilters, signal?: AbortSignal) =>
    api.get('/conversations', conversationPage, { view: f.view, status: f.status, priority: f.priority, channel: f.channel, q: f.q?.trim() || undefined, limit: 100 }, signal),
  get: (id: string, signal?: AbortSignal) => api.get(`/conversations/${id}`, conversationDetail, undefined, signal),
  reply: (id: string, body: { text?: string; template?: { name: string; language: string; parameters: string[] } }) => api.post(`/conversations/${id}/reply`, z.unknown(), body),
  note: (id: string, text: string, mentions: string[] = []) => api.post(`/conversations/${id}/notes`, z.unknown(), mentions.length ? { text, mentions } : { text }),
  assign: (id: string, body: { assigneeId?: string | null; teamId?: string | null }) => api.post(`/conversations/${id}/assign`, z.unknown(), body),
  snooze: (id: string, until: Date) => api.post(`/conversations/${id}/snooze`, z.unknown(), { until: until.toISOString() }),
  resolve: (id: string) => api.post(`/conversations/${id}/resolve`, z.unknown()),
  teams: (signal?: AbortSignal) => api.get('/teams', z.object({ items: z.array(team) }), undefined, signal).then((r) => r.items),
};
