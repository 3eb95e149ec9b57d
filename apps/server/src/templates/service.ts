/**
 * Saved message templates and quick replies: the rows, their answers, and what using a template
 * in a reply means (approved, same channel; outside WhatsApp's window only a WhatsApp template).
 */
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { MessageTemplateOut, QuickReplyOut } from '@nudge/contracts';
import { createWhatsAppTemplate, deleteWhatsAppTemplate, editWhatsAppTemplate, metaTemplateLanguage, whatsAppTemplateRequest, WhatsAppTemplateError, type WhatsAppTemplateApiConfig, type WhatsAppTemplateStatusUpdate } from '@nudge/channels';
import { HttpError } from '../http/errors.js';
import { setting } from '../config.js';

type DbOrTx = import('../conversations/settings.js').DbOrTx;
export type SavedTemplate = typeof schema.messageTemplates.$inferSelect;

/**
 * Meta's Cloud API configured (a token and the default graph.facebook.com, or another facebook.com
 * address): Meta reviews templates, so they stay pending. Otherwise the local stand-in (unconfigured,
 * or WHATSAPP_API_URL pointing at a stand-in) approves them at once.
 */
export const whatsAppConfigured = () => {
  if (!setting('WHATSAPP_ACCESS_TOKEN') || !setting('WHATSAPP_PHONE_NUMBER_ID')) return false;
  return /(^|\.)facebook\.com$/.test(safeHost(setting('WHATSAPP_API_URL') ?? 'https://graph.facebook.com'));
};
const safeHost = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
};

/**
 * Where WhatsApp templates are submitted for review: the Cloud API (or the stand-in) with a token
 * and WHATSAPP_BUSINESS_ACCOUNT_ID. Null: nothing is submitted (status as `statusOnSave` says).
 */
export function whatsAppTemplateApi(): WhatsAppTemplateApiConfig | null {
  const accessToken = setting('WHATSAPP_ACCESS_TOKEN');
  const businessAccountId = setting('WHATSAPP_BUSINESS_ACCOUNT_ID');
  if (!accessToken || !businessAccountId) return null;
  return { baseUrl: setting('WHATSAPP_API_URL') ?? 'https://graph.facebook.com', apiVersion: setting('WHATSAPP_API_VERSION') ?? 'v21.0', businessAccountId, accessToken };
}

/** Meta's template status → ours (IN_APPEAL and the like are still under review). */
export const statusFromMeta = (status: string): SavedTemplate['status'] | null =>
  ({ APPROVED: 'approved', REJECTED: 'rejected', PAUSED: 'paused', DISABLED: 'disabled', PENDING: 'pending', IN_APPEAL: 'pending' } as Record<string, SavedTemplate['status']>)[status.toUpperCase()] ?? null;

type Submitted = { status: SavedTemplate['status']; rejectedReason: string | null; providerTemplateId: string };

/**
 * Submits a WhatsApp template to Meta (new: POST {WABA}/message_templates; edited: POST
 * {template id}) and answers the status Meta gave it. Meta's refusal becomes a 422 naming the
 * field (`whatsapp_template_refused`, Meta's words in `params.reason`); Meta unreachable a 502.
 */
export async function submitWhatsAppTemplate(api: WhatsAppTemplateApiConfig, t: { name: string; language: string; category: string | null; body: string }, before?: SavedTemplate): Promise<Submitted> {
  const request = whatsAppTemplateRequest({ ...t, category: t.category ?? 'utility' });
  try {
    const sameTemplate = before?.providerTemplateId && before.name === t.name && before.language === t.language && before.channel === 'whatsapp';
    const res = sameTemplate ? await editWhatsAppTemplate(api, before.providerTemplateId!, request) : await createWhatsAppTemplate(api, request);
    const status = statusFromMeta(res.status) ?? 'pending';
    return { status, rejectedReason: status === 'rejected' ? ('rejectedReason' in res ? (res.rejectedReason as string | null) : null) : null, providerTemplateId: res.id };
  } catch (e) {
    if (!(e instanceof WhatsAppTemplateError)) throw e;
    if (e.status >= 400 && e.status < 500) {
      const reason = e.userMessage ?? e.message;
      const path = /already exists|name/i.test(reason) ? 'body.name' : 'body.body';
      throw new HttpError(422, 'whatsapp_template_refused', `${path}: WhatsApp refused the template "${t.name}" (${t.language}): ${reason}`, [
        { path, code: 'whatsapp_template_refused', message: reason, params: { reason, name: t.name } },
      ]);
    }
    throw new HttpError(502, 'whatsapp_unavailable', `WhatsApp did not take the template "${t.name}" (${e.message}). Nothing was saved; try again later.`);
  }
}

/**
 * Deletes a submitted WhatsApp template at Meta (by its name and Meta's id, so only this language
 * goes) before it is deleted here. One Meta no longer has counts as deleted. Meta refusing is a
 * 422 `whatsapp_template_delete_refused` (Meta's words in `params.reason`), Meta unreachable a
 * 502; the local template is kept in both cases.
 */
export async function deleteWhatsAppTemplateAtMeta(api: WhatsAppTemplateApiConfig, t: SavedTemplate): Promise<void> {
  try {
    await deleteWhatsAppTemplate(api, { name: t.name, templateId: t.providerTemplateId });
  } catch (e) {
    if (!(e instanceof WhatsAppTemplateError)) throw e;
    if (e.status >= 400 && e.status < 500) {
      const reason = e.userMessage ?? e.message;
      throw new HttpError(422, 'whatsapp_template_delete_refused', `params.id: WhatsApp refused to delete the template "${t.name}" (${t.language}), so it was kept here too: ${reason}`, [
        { path: 'params.id', code: 'whatsapp_template_delete_refused', message: reason, params: { reason, name: t.name } },
      ]);
    }
    throw new HttpError(502, 'whatsapp_unavailable', `WhatsApp did not delete the template "${t.name}" (${e.message}). It was kept; try again later.`);
  }
}

/**
 * Meta's review webhook (`message_template_status_update`): the template it names (by Meta's id,
 * else by name and language) moves to the reviewed status; a rejection keeps Meta's reason.
 * Answers how many templates changed.
 */
export async function applyTemplateStatus(db: DbOrTx, u: WhatsAppTemplateStatusUpdate, now: Date): Promise<number> {
  const status = statusFromMeta(u.event);
  if (!status) return 0; // ARCHIVED, PENDING_DELETION…: nothing we show
  const m = schema.messageTemplates;
  const rows = (await db.select().from(m).where(eq(m.channel, 'whatsapp'))).filter(
    (r) => r.providerTemplateId === u.templateId || (!r.providerTemplateId && r.name === u.name && metaTemplateLanguage(r.language) === u.language),
  );
  for (const r of rows) {
    await db.update(m).set({ status, rejectedReason: status === 'rejected' || status === 'paused' || status === 'disabled' ? u.reason ?? u.event.toLowerCase() : null, providerTemplateId: u.templateId, updatedAt: now }).where(eq(m.id, r.id));
  }
  return rows.length;
}

/** The status a template gets on save: the stand-in (and channels without review) approve at once. */
export const statusOnSave = (channel: string): SavedTemplate['status'] => (channel === 'whatsapp' && whatsAppConfigured() ? 'pending' : 'approved');

export const templateOut = (t: SavedTemplate): MessageTemplateOut => ({
  id: t.id,
  name: t.name,
  channel: t.channel,
  language: t.language,
  subject: t.subject,
  body: t.body,
  category: t.category,
  status: t.status,
  rejectedReason: t.rejectedReason,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export const quickReplyOut = (q: typeof schema.quickReplies.$inferSelect): QuickReplyOut => ({
  id: q.id,
  code: q.code,
  text: q.text,
  language: q.language,
  teamId: q.teamId,
  createdAt: q.createdAt.toISOString(),
  updatedAt: q.updatedAt.toISOString(),
});

export const isUniqueViolation = (e: unknown) => {
  for (let x: unknown = e, d = 0; x && d < 4; x = (x as { cause?: unknown }).cause, d++) if ((x as { code?: unknown }).code === '23505') return true;
  return false;
};

export const templateNameTaken = (b: { name: string; channel: string; language: string }) =>
  new HttpError(409, 'template_name_taken', `body.name: a ${b.channel} template "${b.name}" in ${b.language} already exists. Choose another name or edit that template.`, [
    { path: 'body.name', code: 'template_name_taken', message: 'a template with this name, channel and language already exists' },
  ]);

export const quickReplyCodeTaken = (b: { code: string; language: string }) =>
  new HttpError(409, 'quick_reply_code_taken', `body.code: the quick reply /${b.code} in ${b.language} already exists. Choose another code or edit that quick reply.`, [
    { path: 'body.code', code: 'quick_reply_code_taken', message: 'a quick reply with this code and language already exists' },
  ]);

/** A saved template named by `path`, or a 400 naming the field. */
export async function savedTemplate(db: DbOrTx, id: string, path: string): Promise<SavedTemplate> {
  const [row] = await db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.id, id));
  if (!row) throw new HttpError(400, 'unknown_template', `${path}: no saved message template ${id} (deleted?). Pick one under Settings → Templates & quick replies.`, [{ path, code: 'unknown_template', message: 'no such template' }]);
  return row;
}

/** Refuses a template that may not be sent: not approved, or for another channel. */
export function assertSendable(t: SavedTemplate, channel: string, path: string) {
  if (t.channel !== channel) {
    throw new HttpError(422, 'template_wrong_channel', `${path}: the template "${t.name}" is for ${t.channel}, this conversation is on ${channel}. Pick a ${channel} template.`, [{ path, code: 'template_wrong_channel', message: `template is for ${t.channel}` }]);
  }
  if (t.status !== 'approved') {
    throw new HttpError(
      422,
      'template_not_approved',
      `${path}: the template "${t.name}" (${t.language}) is ${t.status}${t.rejectedReason ? ` (${t.rejectedReason})` : ''}, not approved by WhatsApp: it cannot be sent yet. Pick an approved template.`,
      [{ path, code: 'template_not_approved', message: `template is ${t.status}` }],
    );
  }
}

/** WhatsApp's {{1}}, {{2}}… filled from `parameters`; missing ones stay as written so the gap shows. */
export const fillParameters = (body: string, parameters: readonly string[]) => body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => parameters[Number(n) - 1] ?? whole);

/** {name} (the customer), {owner} (their owner), {agent} (who answers) for a reply's text. */
export async function replyVariables(db: DbOrTx, customerId: string, agent: { name?: string | null }): Promise<Record<string, string>> {
  const [c] = await db.select({ fullName: schema.customers.fullName, ownerId: schema.customers.ownerId }).from(schema.customers).where(eq(schema.customers.id, customerId));
  const owner = c?.ownerId ? (await db.select({ name: schema.users.name }).from(schema.users).where(eq(schema.users.id, c.ownerId)))[0]?.name : undefined;
  return { name: c?.fullName ?? '', owner: owner ?? agent.name ?? '', agent: agent.name ?? '' };
}

/**
 * The parameters a saved WhatsApp template is sent with: the ones given, else its variables in
 * order ("Hi {name}, {owner} will call" is registered with Meta as "Hi {{1}}, {{2}} will call").
 */
export function whatsAppParameters(body: string, vars: Record<string, string>, given?: readonly string[]): string[] {
  if (given?.length) return [...given];
  return [...body.matchAll(/\{(\w+)\}/g)].map((m) => vars[m[1]!] ?? '');
}
