/**
 * The inbox API:
 *   GET  /api/conversations                   list (mine / unassigned / team / all, filters, cursor)
 *   GET  /api/conversations/:id               one conversation with its messages
 *   POST /api/conversations/:id/reply         text (inside WhatsApp's 24-hour window) or template
 *   POST /api/conversations/:id/notes         internal note with @mentions
 *   POST /api/conversations/:id/assign        take, assign or transfer (agent or team)
 *   POST /api/conversations/:id/snooze        until a time
 *   POST /api/conversations/:id/resolve
 *   GET/POST/PUT/DELETE /api/auto-replies     the rules; POST /api/auto-replies/test: what would answer
 *   GET  /api/inbox/notifications             mine (SLA breach, high value, mention, escalation)
 *   GET  /api/inbox/events                    live updates (server-sent events; live.ts)
 */
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { HttpError, notFound } from '../http/errors.js';
import { isWithinHours } from './hours.js';
import { AssignBody, ConversationDetail, InboxNotificationOut, InboxNotificationReadBody, ConversationIdParams as IdParams, ConversationListQuery, ConversationPage, NoteBody, ReplyBody, RuleBody, RuleTestBody, SnoozeBody } from '@nudge/contracts';
import { planReplies, regexProblem, replyIn } from './rules.js';
import { addNote, assignTo, conversationDetail, listConversations, replyToConversation, resolve, snooze } from './service.js';
import { forgetInboxSettings, inHoursOf, loadInboxSettings, teamSettingsFor } from './settings.js';
import { detectLanguage } from './text.js';
import { savedTemplate } from '../templates/service.js';
import { openEventStream } from './live.js';

export function createConversationsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/conversations', 'Inbox');
  route({
    method: 'get', path: '/', summary: 'List conversations (agents: theirs and the unassigned)', query: ConversationListQuery, response: ConversationPage,
    handler: ({ user, query }) => listConversations(ctx, user, query),
  });
  route({
    method: 'get', path: '/:id', summary: 'One conversation with its messages and notes', params: IdParams, response: ConversationDetail,
    handler: ({ user, params }) => conversationDetail(ctx, user, params.id),
  });
  route({
    method: 'post', path: '/:id/reply', summary: 'Reply to the customer (outside the WhatsApp 24-hour window only a template)', params: IdParams, body: ReplyBody, action: 'conversation.reply', status: 202,
    description: 'Queued and sent exactly once through the outbox; 422 window_closed for free text outside the window.',
    handler: ({ user, params, body }) => replyToConversation(ctx, user, params.id, body),
  });
  route({
    method: 'post', path: '/:id/notes', summary: 'Add an internal note; mentioned users are notified', params: IdParams, body: NoteBody, action: 'conversation.note', status: 201,
    handler: ({ user, params, body }) => addNote(ctx, user, params.id, body),
  });
  route({
    method: 'post', path: '/:id/assign', summary: 'Assign or transfer to an agent or a team queue', params: IdParams, body: AssignBody, action: 'conversation.assign',
    handler: ({ user, params, body }) => assignTo(ctx, user, params.id, body),
  });
  route({
    method: 'post', path: '/:id/snooze', summary: 'Snooze until a time (reopens then, or when the customer writes)', params: IdParams, body: SnoozeBody, action: 'conversation.snooze',
    handler: ({ user, params, body }) => snooze(ctx, user, params.id, body.until),
  });
  route({
    method: 'post', path: '/:id/resolve', summary: 'Resolve (reopens when the customer writes again)', params: IdParams, action: 'conversation.resolve',
    handler: ({ user, params }) => resolve(ctx, user, params.id),
  });
  return router;
}

/** The channels whose saved templates an auto-reply rule may answer with. */
export const RULE_TEMPLATE_CHANNELS = ['whatsapp', 'sms'];

export function createAutoRepliesRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/auto-replies', 'Inbox');
  const r = schema.autoReplyRules;
  const checkRegex = async (body: z.infer<typeof RuleBody>) => {
    if (body.templateId) {
      const t = await savedTemplate(ctx.db.db, body.templateId, 'body.templateId');
      // auto-replies answer chat messages: an e-mail template (subject, letter layout) is for e-mails
      if (!RULE_TEMPLATE_CHANNELS.includes(t.channel)) {
        throw new HttpError(422, 'template_wrong_channel', `body.templateId: the template "${t.name}" is for ${t.channel}; an auto-reply answers chat messages. Pick a WhatsApp or SMS template.`, [
          { path: 'body.templateId', code: 'template_wrong_channel', message: `template is for ${t.channel}`, params: { channel: t.channel, name: t.name } },
        ]);
      }
    }
    if (body.match !== 'regex') return;
    body.patterns.forEach((p, i) => {
      const problem = regexProblem(p);
      if (problem) throw new HttpError(400, 'invalid_input', `body.patterns.${i}: not a regular expression (${problem}).`, [{ path: `body.patterns.${i}`, message: problem }]);
    });
  };
  route({
    method: 'get', path: '/', summary: 'Auto-reply rules in order', action: 'autoReply.read',
    handler: () => ctx.db.db.select().from(r).orderBy(asc(r.kind), asc(r.position), asc(r.createdAt)),
  });
  route({
    method: 'post', path: '/', summary: 'Add an auto-reply rule', body: RuleBody, action: 'autoReply.manage', status: 201,
    handler: async ({ body }) => {
      await checkRegex(body);
      const [row] = await ctx.db.db.insert(r).values({ ...body, template: body.template ?? null, templateId: body.templateId ?? null, teamId: body.teamId ?? null }).returning();
      forgetInboxSettings(ctx);
      return row;
    },
  });
  route({
    method: 'put', path: '/:id', summary: 'Change an auto-reply rule', params: IdParams, body: RuleBody, action: 'autoReply.manage',
    handler: async ({ params, body }) => {
      await checkRegex(body);
      const [row] = await ctx.db.db.update(r).set({ ...body, template: body.template ?? null, templateId: body.templateId ?? null, teamId: body.teamId ?? null }).where(eq(r.id, params.id)).returning();
      if (!row) throw notFound('Auto-reply rule', params.id);
      forgetInboxSettings(ctx);
      return row;
    },
  });
  route({
    method: 'delete', path: '/:id', summary: 'Delete an auto-reply rule', params: IdParams, action: 'autoReply.manage', status: 204,
    handler: async ({ params }) => {
      const rows = await ctx.db.db.delete(r).where(eq(r.id, params.id)).returning({ id: r.id });
      if (!rows.length) throw notFound('Auto-reply rule', params.id);
      forgetInboxSettings(ctx);
    },
  });
  route({
    method: 'post', path: '/test', summary: 'Rule tester: what would answer this message?', body: RuleTestBody,
    handler: async ({ body }) => {
      const settings = await loadInboxSettings(ctx);
      const at = body.at ? new Date(body.at) : nowOf(ctx);
      const team = teamSettingsFor(settings, body.teamId ?? null);
      const inHours = inHoursOf(team, at, isWithinHours);
      const language = detectLanguage(body.text);
      // the same plan as an inbound message (inbound.ts): at most one greeting, then at most one answer
      const plan = planReplies(settings.rules, { text: body.text, inHours, firstContact: !!body.firstContact, awayAllowed: true, handoffAllowed: true, handoffForced: false, personTookOver: false });
      const handoff = plan.handoff?.rule ? { rule: plan.handoff.rule, pattern: plan.handoff.pattern ?? undefined } : null;
      const highValue = plan.highValue;
      const keyword = plan.keyword;
      const welcome = plan.greeting?.purpose === 'welcome' ? plan.greeting.rule : null;
      const away = plan.greeting?.purpose === 'away' ? plan.greeting.rule : null;
      const present = (x: { rule: { id: string; name: string; replies: schema.LocalizedText }; pattern?: string } | null) =>
        x ? { ruleId: x.rule.id, name: x.rule.name, pattern: x.pattern ?? null, reply: replyIn(x.rule, language) } : null;
      return {
        language,
        inHours,
        welcome: welcome ? present({ rule: welcome }) : null,
        handoff: present(handoff),
        highValue: present(highValue),
        keyword: present(keyword),
        away: away ? present({ rule: away }) : null,
        goesToPerson: !!handoff || !!highValue || !keyword,
      };
    },
  });
  return router;
}

export function createInboxRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/inbox', 'Inbox');
  route({
    method: 'get', path: '/notifications', summary: 'My inbox notifications (newest first)', response: z.array(InboxNotificationOut),
    handler: async ({ user }) => {
      const n = schema.inboxNotifications;
      const rows = await ctx.db.db.select().from(n).where(and(eq(n.userId, user.id))).orderBy(desc(n.createdAt)).limit(200);
      return rows.map((x) => ({ id: x.id, kind: x.kind, conversationId: x.conversationId, body: x.body, readAt: x.readAt?.toISOString() ?? null, createdAt: x.createdAt.toISOString() }));
    },
  });
  route({
    method: 'post', path: '/notifications/read', summary: 'Mark my inbox notifications read (some by id, or all)', body: InboxNotificationReadBody, response: z.object({ updated: z.number() }),
    handler: async ({ user, body }) => {
      const n = schema.inboxNotifications;
      const mine = and(eq(n.userId, user.id), isNull(n.readAt), body.ids ? inArray(n.id, body.ids) : undefined);
      const rows = await ctx.db.db.update(n).set({ readAt: nowOf(ctx) }).where(mine).returning({ id: n.id });
      return { updated: rows.length };
    },
  });
  route({
    method: 'get', path: '/events', summary: 'Live inbox updates: server-sent events for the conversations I may see and my notifications', produces: 'text/event-stream',
    description:
      'Events `message`, `status`, `assignment`, `conversation`, `notification` with ids and states only (refetch what changed); `ready` first, a `: ping` comment every 20 s. Authorization: Bearer header (read with fetch streaming).',
    handler: ({ user, req, res }) => openEventStream(ctx, user, req, res),
  });
  route({
    method: 'post', path: '/presence', summary: 'I am available / away (away agents get no new conversations)', body: z.object({ available: z.boolean() }), action: 'inbox.presence',
    handler: async ({ user, body }) => {
      await ctx.db.db.insert(schema.agentProfiles).values({ userId: user.id, available: body.available }).onConflictDoUpdate({ target: schema.agentProfiles.userId, set: { available: body.available } });
      if (body.available) {
        const { assignBacklog } = await import('./assignment.js');
        await assignBacklog(ctx);
      }
      return { available: body.available };
    },
  });
  return router;
}
