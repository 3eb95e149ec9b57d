// The inbox API (apps/server/src/conversations/router.ts), typed: every response parsed by zod.
import { z } from 'zod';
import { CONVERSATION_STATUSES, ConversationDetail as ConversationDetailOut, ConversationOut, ConversationPage, MessageOut, TeamListOut } from '@nudge/contracts';
import { api } from '../api/client';

export const VIEWS = ['mine', 'unassigned', 'team', 'all'] as const;
export type InboxView = (typeof VIEWS)[number];
export const STATUSES = CONVERSATION_STATUSES;

// the server's own schemas (@nudge/contracts)
export const conversation = ConversationOut;
export type Conversation = ConversationOut;
export const conversationPage = ConversationPage;
export const message = MessageOut;
export type Message = MessageOut;
export const conversationDetail = ConversationDetailOut;
export type ConversationDetail = ConversationDetailOut;

export interface ListFilters {
  view: InboxView;
  status?: string;
  priority?: string;
  channel?: string;
  q?: string;
  sort?: 'last_message' | 'sla_due';
  /** nextCursor of the previous page (same filters and sort) */
  cursor?: string;
}

export const inboxApi = {
  list: (f: ListFilters, signal?: AbortSignal) =>
    api.get('/conversations', conversationPage, { view: f.view, status: f.status, priority: f.priority, channel: f.channel, q: f.q?.trim() || undefined, sort: f.sort, cursor: f.cursor, limit: 100 }, signal),
  get: (id: string, signal?: AbortSignal) => api.get(`/conversations/${id}`, conversationDetail, undefined, signal),
  reply: (id: string, body: { text?: string; template?: { name: string; language: string; parameters: string[] } }) => api.post(`/conversations/${id}/reply`, z.unknown(), body),
  note: (id: string, text: string, mentions: string[] = []) => api.post(`/conversations/${id}/notes`, z.unknown(), mentions.length ? { text, mentions } : { text }),
  assign: (id: string, body: { assigneeId?: string | null; teamId?: string | null }) => api.post(`/conversations/${id}/assign`, z.unknown(), body),
  snooze: (id: string, until: Date) => api.post(`/conversations/${id}/snooze`, z.unknown(), { until: until.toISOString() }),
  resolve: (id: string) => api.post(`/conversations/${id}/resolve`, z.unknown()),
  teams: (signal?: AbortSignal) => api.get('/teams', TeamListOut, undefined, signal).then((r) => r.items),
};
