/**
 * Settings → Templates & quick replies:
 *   GET/POST/PUT/DELETE /api/message-templates   saved templates per channel and language (WhatsApp: category, approval)
 *   GET/POST/PUT/DELETE /api/quick-replies       `/code` texts for the inbox composer
 * Admins and managers write; agents (and viewers) read.
 */
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { MessageTemplateBody, MessageTemplateListQuery, MessageTemplateOut, QuickReplyBody, QuickReplyOut, TemplateIdParams as IdParams } from '@nudge/contracts';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { notFound } from '../http/errors.js';
import { forgetInboxSettings } from '../conversations/settings.js';
import { deleteWhatsAppTemplateAtMeta, isUniqueViolation, quickReplyCodeTaken, quickReplyOut, statusOnSave, submitWhatsAppTemplate, templateNameTaken, templateOut, whatsAppTemplateApi } from './service.js';


export function createMessageTemplatesRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/message-templates', 'Templates');
  const m = schema.messageTemplates;
  const taken = async (b: MessageTemplateBody, except?: string) => {
    const rows = await ctx.db.db.select({ id: m.id }).from(m).where(and(eq(m.channel, b.channel), eq(m.name, b.name), eq(m.language, b.language)));
    return rows.some((r) => r.id !== except);
  };
  const values = (b: MessageTemplateBody) => ({
    name: b.name,
    channel: b.channel,
    language: b.language,
    subject: b.channel === 'email' ? (b.subject ?? null) : null,
    body: b.body,
    category: b.channel === 'whatsapp' ? (b.category ?? null) : null,
  });
  route({
    method: 'get', path: '/', summary: 'Saved message templates (by channel, name, language)', query: MessageTemplateListQuery, response: z.array(MessageTemplateOut), action: 'template.read',
    handler: async ({ query }) => {
      const where: SQL[] = [];
      if (query.channel) where.push(eq(m.channel, query.channel));
      if (query.language) where.push(eq(m.language, query.language));
      if (query.status) where.push(eq(m.status, query.status));
      const rows = await ctx.db.db.select().from(m).where(and(...where)).orderBy(asc(m.channel), asc(m.name), asc(m.language));
      return rows.map(templateOut);
    },
  });
  route({
    method: 'get', path: '/:id', summary: 'One saved template', params: IdParams, response: MessageTemplateOut, action: 'template.read',
    handler: async ({ params }) => {
      const [row] = await ctx.db.db.select().from(m).where(eq(m.id, params.id));
      if (!row) throw notFound('Message template', params.id);
      return templateOut(row);
    },
  });
  route({
    method: 'post', path: '/', summary: 'Save a template (WhatsApp: submitted for approval; the local stand-in approves at once)', body: MessageTemplateBody, response: MessageTemplateOut, action: 'template.manage', status: 201,
    description: '409 template_name_taken when the channel already has a template with this name in this language; 422 whatsapp_template_refused when Meta refuses it (its reason in the field error), 502 whatsapp_unavailable when Meta does not answer (nothing saved).',
    handler: async ({ body }) => {
      if (await taken(body)) throw templateNameTaken(body);
      try {
        const now = nowOf(ctx);
        const api = body.channel === 'whatsapp' ? whatsAppTemplateApi() : null;
        const review = api ? await submitWhatsAppTemplate(api, values(body)) : { status: statusOnSave(body.channel), rejectedReason: null, providerTemplateId: null };
        const [row] = await ctx.db.db.insert(m).values({ ...values(body), ...review, createdAt: now, updatedAt: now }).returning();
        return templateOut(row!);
      } catch (e) {
        if (isUniqueViolation(e)) throw templateNameTaken(body);
        throw e;
      }
    },
  });
  route({
    method: 'put', path: '/:id', summary: 'Change a template (WhatsApp: a changed body goes back to review)', params: IdParams, body: MessageTemplateBody, response: MessageTemplateOut, action: 'template.manage',
    handler: async ({ params, body }) => {
      const [before] = await ctx.db.db.select().from(m).where(eq(m.id, params.id));
      if (!before) throw notFound('Message template', params.id);
      if (await taken(body, params.id)) throw templateNameTaken(body);
      const reviewed = before.channel === body.channel && before.name === body.name && before.language === body.language && before.body === body.body && before.category === (body.category ?? null);
      const api = !reviewed && body.channel === 'whatsapp' ? whatsAppTemplateApi() : null;
      const review = reviewed ? {} : api ? await submitWhatsAppTemplate(api, values(body), before) : { status: statusOnSave(body.channel), rejectedReason: null, providerTemplateId: body.channel === 'whatsapp' ? before.providerTemplateId : null };
      try {
        const [row] = await ctx.db.db
          .update(m)
          .set({ ...values(body), ...review, updatedAt: nowOf(ctx) })
          .where(eq(m.id, params.id))
          .returning();
        forgetInboxSettings(ctx);
        return templateOut(row!);
      } catch (e) {
        if (isUniqueViolation(e)) throw templateNameTaken(body);
        throw e;
      }
    },
  });
  route({
    method: 'delete', path: '/:id', summary: 'Delete a template (auto-reply rules using it fall back to their text; a WhatsApp template submitted to Meta is deleted there first)', params: IdParams, action: 'template.manage', status: 204,
    description: 'A WhatsApp template submitted to Meta (WHATSAPP_BUSINESS_ACCOUNT_ID set) is deleted at Meta first, by name and hsm_id: 422 whatsapp_template_delete_refused when Meta refuses (its reason in the error details), 502 whatsapp_unavailable when Meta does not answer; the template is kept in both cases. One never submitted is deleted here only.',
    handler: async ({ params }) => {
      const [row] = await ctx.db.db.select().from(m).where(eq(m.id, params.id));
      if (!row) throw notFound('Message template', params.id);
      const api = row.channel === 'whatsapp' && row.providerTemplateId ? whatsAppTemplateApi() : null;
      if (api) await deleteWhatsAppTemplateAtMeta(api, row);
      const rows = await ctx.db.db.delete(m).where(eq(m.id, params.id)).returning({ id: m.id });
      if (!rows.length) throw notFound('Message template', params.id);
      forgetInboxSettings(ctx);
    },
  });
  return router;
}

export function createQuickRepliesRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/quick-replies', 'Templates');
  const q = schema.quickReplies;
  const taken = async (b: QuickReplyBody, except?: string) => {
    const rows = await ctx.db.db.select({ id: q.id }).from(q).where(and(eq(q.code, b.code), eq(q.language, b.language)));
    return rows.some((r) => r.id !== except);
  };
  route({
    method: 'get', path: '/', summary: 'Quick replies (by code and language)', response: z.array(QuickReplyOut), action: 'template.read',
    handler: async () => (await ctx.db.db.select().from(q).orderBy(asc(q.code), asc(q.language))).map(quickReplyOut),
  });
  route({
    method: 'post', path: '/', summary: 'Add a quick reply', body: QuickReplyBody, response: QuickReplyOut, action: 'template.manage', status: 201,
    description: '409 quick_reply_code_taken when the code already exists in this language.',
    handler: async ({ body }) => {
      if (await taken(body)) throw quickReplyCodeTaken(body);
      try {
        const now = nowOf(ctx);
        const [row] = await ctx.db.db.insert(q).values({ ...body, teamId: body.teamId ?? null, createdAt: now, updatedAt: now }).returning();
        return quickReplyOut(row!);
      } catch (e) {
        if (isUniqueViolation(e)) throw quickReplyCodeTaken(body);
        throw e;
      }
    },
  });
  route({
    method: 'put', path: '/:id', summary: 'Change a quick reply', params: IdParams, body: QuickReplyBody, response: QuickReplyOut, action: 'template.manage',
    handler: async ({ params, body }) => {
      if (await taken(body, params.id)) throw quickReplyCodeTaken(body);
      try {
        const [row] = await ctx.db.db.update(q).set({ ...body, teamId: body.teamId ?? null, updatedAt: nowOf(ctx) }).where(eq(q.id, params.id)).returning();
        if (!row) throw notFound('Quick reply', params.id);
        return quickReplyOut(row);
      } catch (e) {
        if (isUniqueViolation(e)) throw quickReplyCodeTaken(body);
        throw e;
      }
    },
  });
  route({
    method: 'delete', path: '/:id', summary: 'Delete a quick reply', params: IdParams, action: 'template.manage', status: 204,
    handler: async ({ params }) => {
      const rows = await ctx.db.db.delete(q).where(eq(q.id, params.id)).returning({ id: q.id });
      if (!rows.length) throw notFound('Quick reply', params.id);
    },
  });
  return router;
}
