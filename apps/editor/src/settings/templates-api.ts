// Saved message templates and quick replies (apps/server/src/templates/router.ts), typed with the
// server's own schemas.
import { z } from 'zod';
import { MessageTemplateOut, QuickReplyOut, TEMPLATE_CATEGORIES, TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES, type MessageTemplateBody, type QuickReplyBody } from '@nudge/contracts';
import { api } from '../api/client';

export { TEMPLATE_CATEGORIES, TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES };
export type MessageTemplate = MessageTemplateOut;
export type QuickReply = QuickReplyOut;
export type QuickReplyInput = QuickReplyBody;

export const templatesApi = {
  templates: (query: { channel?: string; language?: string; status?: string } = {}, signal?: AbortSignal) => api.get('/message-templates', z.array(MessageTemplateOut), query, signal),
  addTemplate: (body: MessageTemplateBody) => api.post('/message-templates', MessageTemplateOut, body),
  saveTemplate: (id: string, body: MessageTemplateBody) => api.put(`/message-templates/${id}`, MessageTemplateOut, body),
  deleteTemplate: (id: string) => api.del(`/message-templates/${id}`, z.unknown()),
  quickReplies: (signal?: AbortSignal) => api.get('/quick-replies', z.array(QuickReplyOut), undefined, signal),
  addQuickReply: (body: QuickReplyBody) => api.post('/quick-replies', QuickReplyOut, body),
  saveQuickReply: (id: string, body: QuickReplyBody) => api.put(`/quick-replies/${id}`, QuickReplyOut, body),
  deleteQuickReply: (id: string) => api.del(`/quick-replies/${id}`, z.unknown()),
};
