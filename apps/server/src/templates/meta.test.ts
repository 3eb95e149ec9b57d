/**
 * WhatsApp templates submitted to Meta for review: a fake Graph API server records what Nudge
 * POSTs to /{version}/{WABA id}/message_templates and answers as Meta does (PENDING, or an error);
 * Meta's signed `message_template_status_update` webhook moves the template to approved /
 * rejected (with the reason); an unsigned one is refused. Deleting a submitted template DELETEs
 * it at Meta (name + hsm_id) first; Meta refusing or down keeps it here. The local stand-in serves
 * the same endpoints and approves at once.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { whatsAppTemplateStatusWebhook } from '@nudge/channels';
import type { TestUser } from '../http/testing.js';
import { createInboxWorld, type InboxWorld } from '../conversations/test-support.js';

type Seen = { method: string; path: string; auth: string | undefined; body: any };
let graph: Server;
let graphUrl: string;
const seen: Seen[] = [];
const answers: { status: number; body: unknown }[] = [];
let w: InboxWorld;
let admin: TestUser;

const readJson = (req: IncomingMessage) => new Promise<any>((resolve) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => resolve(raw ? JSON.parse(raw) : null));
});

const ENV = ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_API_URL', 'WHATSAPP_BUSINESS_ACCOUNT_ID'] as const;
const useMeta = () => Object.assign(process.env, { WHATSAPP_ACCESS_TOKEN: 'meta-token', WHATSAPP_PHONE_NUMBER_ID: '109', WHATSAPP_API_URL: graphUrl, WHATSAPP_BUSINESS_ACCOUNT_ID: '4242' });

beforeAll(async () => {
  graph = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://graph');
    seen.push({ method: req.method!, path: url.pathname + url.search, auth: req.headers.authorization, body: req.method === 'POST' ? await readJson(req) : null });
    const a = answers.shift() ?? { status: 500, body: { error: { message: 'no answer scripted', code: 1 } } };
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => graph.listen(0, '127.0.0.1', r));
  graphUrl = `http://127.0.0.1:${(graph.address() as AddressInfo).port}`;
  w = await createInboxWorld({ rules: false });
  admin = await w.t.user('admin');
});
afterEach(() => { for (const k of ENV) delete process.env[k]; seen.length = 0; answers.length = 0; });
afterAll(async () => {
  await w?.close();
  await new Promise((r) => graph.close(r));
});

const saved = async (id: string) => (await w.t.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.id, id)))[0]!;

describe('submitting a WhatsApp template to Meta', () => {
  it('POSTs name, Meta language, category and the BODY with {{n}} and examples; stays pending until the review webhook approves it', async () => {
    useMeta();
    answers.push({ status: 200, body: { id: '987654321', status: 'PENDING', category: 'UTILITY' } });
    const res = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'visit_reminder', channel: 'whatsapp', language: 'zh-Hant', category: 'utility', body: '{name} 您好，{owner} 將於 {{1}} 拜訪您。' });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/v21.0/4242/message_templates', auth: 'Bearer meta-token' });
    expect(seen[0]!.body).toEqual({
      name: 'visit_reminder',
      language: 'zh_TW',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: '{{1}} 您好，{{2}} 將於 {{3}} 拜訪您。', example: { body_text: [['Ana', 'Ben', 'example 1']] } }],
    });
    expect((await saved(res.body.id)).providerTemplateId).toBe('987654321');

    // an unsigned (or wrongly signed) review webhook is refused and changes nothing
    const approved = whatsAppTemplateStatusWebhook({ businessAccountId: '4242', templateId: '987654321', name: 'visit_reminder', language: 'zh_TW', event: 'APPROVED' });
    expect((await w.post(approved, 'sha256=00')).status).toBe(401);
    expect((await saved(res.body.id)).status).toBe('pending');
    // another business account's webhook does not touch ours
    expect((await w.post({ ...approved, entry: [{ ...approved.entry[0]!, id: '999' }] })).body.templates).toBe(0);
    expect((await saved(res.body.id)).status).toBe('pending');

    const ok = await w.post(approved);
    expect(ok.status).toBe(200);
    expect(ok.body.templates).toBe(1);
    const after = await w.t.http.get(`/api/message-templates/${res.body.id}`).set(admin.auth);
    expect(after.body).toMatchObject({ status: 'approved', rejectedReason: null });
  });

  it('a rejected template shows Meta\'s reason; paused and disabled are shown too', async () => {
    useMeta();
    answers.push({ status: 200, body: { id: '555000', status: 'PENDING', category: 'MARKETING' } });
    const res = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'big_sale', channel: 'whatsapp', language: 'en', category: 'marketing', body: 'Hi {name}, 50% off today!' });
    expect(res.status).toBe(201);
    const rejected = whatsAppTemplateStatusWebhook({ businessAccountId: '4242', templateId: '555000', name: 'big_sale', language: 'en', event: 'REJECTED', reason: 'INCORRECT_CATEGORY' });
    expect((await w.post(rejected)).status).toBe(200);
    const got = await w.t.http.get(`/api/message-templates/${res.body.id}`).set(admin.auth);
    expect(got.body).toMatchObject({ status: 'rejected', rejectedReason: 'INCORRECT_CATEGORY' });
    await w.post(whatsAppTemplateStatusWebhook({ businessAccountId: '4242', templateId: '555000', name: 'big_sale', language: 'en', event: 'PAUSED', reason: 'low quality' }));
    expect((await saved(res.body.id)).status).toBe('paused');
    await w.post(whatsAppTemplateStatusWebhook({ businessAccountId: '4242', templateId: '555000', name: 'big_sale', language: 'en', event: 'DISABLED' }));
    expect((await saved(res.body.id)).status).toBe('disabled');
  });

  it('Meta refusing the template is a 422 naming the field with Meta\'s words, nothing saved; Meta down is a 502', async () => {
    useMeta();
    answers.push({ status: 400, body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2388043, error_user_title: 'Message template body is invalid', error_user_msg: 'Variables can\'t be at the start or end of the template.', fbtrace_id: 'x' } } });
    const res = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'bad_vars', channel: 'whatsapp', language: 'en', category: 'utility', body: '{name}' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('whatsapp_template_refused');
    expect(res.body.error.message).toMatch(/body\.body: WhatsApp refused the template "bad_vars" \(en\): Message template body is invalid: Variables can't be at the start/);
    expect(res.body.error.details[0]).toMatchObject({ path: 'body.body', code: 'whatsapp_template_refused' });
    expect(res.body.error.details[0].params.reason).toMatch(/Variables can't be at the start/);
    expect((await w.t.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.name, 'bad_vars')))).toHaveLength(0);

    answers.push({ status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2 } } });
    const down = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'later', channel: 'whatsapp', language: 'en', category: 'utility', body: 'Hello {name}, thanks!' });
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('whatsapp_unavailable');
  });

  it('an edited body goes back to review: POST /{template id}, then its status is read', async () => {
    useMeta();
    answers.push({ status: 200, body: { id: '777', status: 'APPROVED', category: 'UTILITY' } });
    const res = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'order_ready', channel: 'whatsapp', language: 'es', category: 'utility', body: 'Hola {name}, su pedido está listo.' });
    expect(res.body.status).toBe('approved'); // Meta may approve some at once
    answers.push({ status: 200, body: { success: true } }, { status: 200, body: { id: '777', status: 'PENDING' } });
    const put = await w.t.http.put(`/api/message-templates/${res.body.id}`).set(admin.auth)
      .send({ name: 'order_ready', channel: 'whatsapp', language: 'es', category: 'utility', body: 'Hola {name}, su pedido {{1}} está listo.' });
    expect(put.status).toBe(200);
    expect(put.body.status).toBe('pending');
    expect(seen.slice(1).map((s) => `${s.method} ${s.path}`)).toEqual(['POST /v21.0/777', 'GET /v21.0/777?fields=status,rejected_reason']);
    expect(seen[1]!.body.components[0]).toEqual({ type: 'BODY', text: 'Hola {{1}}, su pedido {{2}} está listo.', example: { body_text: [['Ana', 'example 1']] } });
  });

  it('the local stand-in serves the same endpoint and approves at once', async () => {
    Object.assign(process.env, { WHATSAPP_ACCESS_TOKEN: w.wa.accessToken, WHATSAPP_PHONE_NUMBER_ID: w.wa.phoneNumberId, WHATSAPP_API_URL: w.wa.url, WHATSAPP_BUSINESS_ACCOUNT_ID: w.wa.businessAccountId });
    const res = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'welcome_back', channel: 'whatsapp', language: 'zh-Hans', category: 'marketing', body: '{name}，欢迎回来！' });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('approved');
    expect(w.wa.templates.map((t) => t.request)).toEqual([expect.objectContaining({ name: 'welcome_back', language: 'zh_CN', category: 'MARKETING' })]);
    // the stand-in refuses a duplicate as Meta does: a clear 4xx, not a 500
    await w.t.db.db.delete(schema.messageTemplates).where(eq(schema.messageTemplates.id, res.body.id));
    const again = await w.t.http.post('/api/message-templates').set(admin.auth)
      .send({ name: 'welcome_back', channel: 'whatsapp', language: 'zh-Hans', category: 'marketing', body: '{name}，欢迎回来！' });
    expect(again.status).toBe(422);
    expect(again.body.error.details[0].path).toBe('body.name');
  });
});

describe('deleting a WhatsApp template deletes it at Meta', () => {
  const create = async (name: string, id: string) => {
    answers.push({ status: 200, body: { id, status: 'APPROVED', category: 'UTILITY' } });
    const res = await w.t.http.post('/api/message-templates').set(admin.auth).send({ name, channel: 'whatsapp', language: 'es', category: 'utility', body: 'Hola {name}, gracias.' });
    expect(res.status).toBe(201);
    seen.length = 0;
    return res.body.id as string;
  };
  const exists = async (id: string) => (await w.t.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.id, id))).length === 1;

  it('DELETEs /{WABA}/message_templates by name and hsm_id (this language only), then here', async () => {
    useMeta();
    const id = await create('thanks_note', '8801');
    answers.push({ status: 200, body: { success: true } });
    const res = await w.t.http.delete(`/api/message-templates/${id}`).set(admin.auth);
    expect(res.status).toBe(204);
    expect(seen).toEqual([{ method: 'DELETE', path: '/v21.0/4242/message_templates?name=thanks_note&hsm_id=8801', auth: 'Bearer meta-token', body: null }]);
    expect(await exists(id)).toBe(false);
    // deleted already: 404 here, Meta is not asked again
    expect((await w.t.http.delete(`/api/message-templates/${id}`).set(admin.auth)).status).toBe(404);
    expect(seen).toHaveLength(1);
  });

  it('Meta refusing is a 422 with Meta\'s words and the template kept; Meta down or unreachable a 502, kept', async () => {
    useMeta();
    const id = await create('in_use_note', '8802');
    answers.push({ status: 400, body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2388100, error_user_title: 'Template can\'t be deleted', error_user_msg: 'This template is used by an active campaign.', fbtrace_id: 'y' } } });
    const refused = await w.t.http.delete(`/api/message-templates/${id}`).set(admin.auth);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('whatsapp_template_delete_refused');
    expect(refused.body.error.message).toMatch(/^params\.id: WhatsApp refused to delete the template "in_use_note" \(es\), so it was kept here too: Template can't be deleted: This template is used by an active campaign\.$/);
    expect(refused.body.error.details[0]).toMatchObject({ path: 'params.id', code: 'whatsapp_template_delete_refused', params: { name: 'in_use_note', reason: 'Template can\'t be deleted: This template is used by an active campaign.' } });
    expect(await exists(id)).toBe(true);

    answers.push({ status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2 } } });
    const down = await w.t.http.delete(`/api/message-templates/${id}`).set(admin.auth);
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('whatsapp_unavailable');
    expect(down.body.error.message).toMatch(/did not delete the template "in_use_note".*It was kept/);
    expect(await exists(id)).toBe(true);

    process.env.WHATSAPP_API_URL = 'http://127.0.0.1:1'; // nothing listens there
    const unreachable = await w.t.http.delete(`/api/message-templates/${id}`).set(admin.auth);
    expect(unreachable.status).toBe(502);
    expect(await exists(id)).toBe(true);
    expect(seen.map((s) => s.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('a template Meta no longer has (deleted in WhatsApp Manager) is deleted here', async () => {
    useMeta();
    const id = await create('gone_at_meta', '8803');
    answers.push({ status: 400, body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2593002, error_user_title: 'Message template not found', error_user_msg: 'The message template gone_at_meta wasn\'t found for this account.' } } });
    expect((await w.t.http.delete(`/api/message-templates/${id}`).set(admin.auth)).status).toBe(204);
    expect(await exists(id)).toBe(false);
  });

  it('a template never submitted (no WABA id) is deleted here only; an agent may not delete', async () => {
    const res = await w.t.http.post('/api/message-templates').set(admin.auth).send({ name: 'local_only', channel: 'whatsapp', language: 'en', category: 'utility', body: 'Hi {name}' });
    expect(res.status).toBe(201);
    const agent = await w.t.user('agent');
    expect((await w.t.http.delete(`/api/message-templates/${res.body.id}`).set(agent.auth)).status).toBe(403);
    useMeta(); // configured since: the row has no Meta id, so Meta is not asked
    expect((await w.t.http.delete(`/api/message-templates/${res.body.id}`).set(admin.auth)).status).toBe(204);
    expect(seen).toHaveLength(0);
    expect(await exists(res.body.id)).toBe(false);
  });

  it('the local stand-in deletes it too, by name and id, and says "not found" as Meta does', async () => {
    Object.assign(process.env, { WHATSAPP_ACCESS_TOKEN: w.wa.accessToken, WHATSAPP_PHONE_NUMBER_ID: w.wa.phoneNumberId, WHATSAPP_API_URL: w.wa.url, WHATSAPP_BUSINESS_ACCOUNT_ID: w.wa.businessAccountId });
    const mk = (language: string) => w.t.http.post('/api/message-templates').set(admin.auth).send({ name: 'standin_bye', channel: 'whatsapp', language, category: 'utility', body: 'Bye {name}' });
    const en = await mk('en');
    const es = await mk('es');
    expect([en.status, es.status]).toEqual([201, 201]);
    const before = w.wa.templates.filter((t) => t.request.name === 'standin_bye').length;
    expect(before).toBe(2);
    expect((await w.t.http.delete(`/api/message-templates/${en.body.id}`).set(admin.auth)).status).toBe(204);
    // only the English one went (hsm_id), the Spanish one is still at the stand-in and here
    expect(w.wa.templates.filter((t) => t.request.name === 'standin_bye').map((t) => t.request.language)).toEqual(['es']);
    expect(await exists(es.body.id)).toBe(true);
    // the stand-in answers Meta's "not found" for a template it no longer has; that one is deleted here
    w.wa.templates.splice(w.wa.templates.findIndex((t) => t.request.name === 'standin_bye'), 1);
    expect((await w.t.http.delete(`/api/message-templates/${es.body.id}`).set(admin.auth)).status).toBe(204);
    expect(await exists(es.body.id)).toBe(false);
  });
});
