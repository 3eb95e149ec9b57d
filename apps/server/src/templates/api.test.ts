/**
 * Saved templates and quick replies through the API and in use: CRUD and roles, 409 on a duplicate
 * name / code, 4xx naming the field, the stand-in's approval; replies outside WhatsApp's 24-hour
 * window (free text refused, an approved saved template sent as the template, an unapproved one
 * refused); an auto-reply rule answering with a saved template; the flow validator refusing an
 * unknown template id on the send step's field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import type { TestUser } from '../http/testing.js';
import { forgetInboxSettings } from '../conversations/settings.js';
import { createInboxWorld, eventually, IN_HOURS, messageWebhook, sentTo, type InboxWorld } from '../conversations/test-support.js';

let w: InboxWorld;
let admin: TestUser, manager: TestUser, agent: TestUser;
let n = 0;
const phone = () => `88691200${String(1000 + ++n)}`;

beforeAll(async () => {
  w = await createInboxWorld();
  admin = await w.t.user('admin');
  manager = await w.t.user('manager');
  agent = await w.t.user('agent', { teamId: w.teamId });
});
afterAll(async () => { await w?.close(); });

const followUp = { name: 'follow_up', channel: 'whatsapp', language: 'en', category: 'utility', body: 'Hi {name}, are you still interested in {{1}}?' };

async function conversationAfter(from: string, text: string) {
  expect((await w.post(messageWebhook(from, text))).status).toBe(200);
  return eventually(async () => {
    const [c] = await w.t.db.db.select().from(schema.conversations).innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId)).where(eq(schema.customers.whatsappId, from));
    return c?.conversations;
  }, 'the conversation');
}

describe('templates API', () => {
  let id: string;
  it('a manager saves a WhatsApp template: the stand-in approves it; agents read, may not write', async () => {
    const res = await w.t.http.post('/api/message-templates').set(manager.auth).send(followUp);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'follow_up', channel: 'whatsapp', category: 'utility', status: 'approved', subject: null });
    id = res.body.id;
    const list = await w.t.http.get('/api/message-templates').set(agent.auth).query({ channel: 'whatsapp' });
    expect(list.status).toBe(200);
    expect(list.body.map((t: { id: string }) => t.id)).toContain(id);
    expect((await w.t.http.get(`/api/message-templates/${id}`).set(agent.auth)).body.body).toBe(followUp.body);
    const denied = await w.t.http.post('/api/message-templates').set(agent.auth).send({ ...followUp, name: 'other' });
    expect(denied.status).toBe(403);
    expect((await w.t.http.delete(`/api/message-templates/${id}`).set(agent.auth)).status).toBe(403);
  });

  it('a duplicate name in the same channel and language is 409 naming body.name; another language is fine', async () => {
    const dup = await w.t.http.post('/api/message-templates').set(admin.auth).send(followUp);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('template_name_taken');
    expect(dup.body.error.message).toMatch(/body\.name: a whatsapp template "follow_up" in en already exists/);
    const es = await w.t.http.post('/api/message-templates').set(admin.auth).send({ ...followUp, language: 'es', body: 'Hola {name}, ¿sigue interesado en {{1}}?' });
    expect(es.status).toBe(201);
    const renamed = await w.t.http.put(`/api/message-templates/${es.body.id}`).set(admin.auth).send({ ...followUp });
    expect(renamed.status).toBe(409);
  });

  it('bad input is 400 naming the field', async () => {
    const noCategory = await w.t.http.post('/api/message-templates').set(admin.auth).send({ ...followUp, name: 'x_1', category: undefined });
    expect(noCategory.status).toBe(400);
    expect(noCategory.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.category' }));
    const badName = await w.t.http.post('/api/message-templates').set(admin.auth).send({ ...followUp, name: 'Follow Up' });
    expect(badName.status).toBe(400);
    expect(badName.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.name' }));
    const badLanguage = await w.t.http.post('/api/message-templates').set(admin.auth).send({ ...followUp, name: 'x_2', language: 'fr' });
    expect(badLanguage.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.language' }));
    expect((await w.t.http.get('/api/message-templates/not-an-id').set(admin.auth)).status).toBe(400);
  });

  it('with the real WhatsApp configured a new template waits for review; an unchanged edit keeps its status', async () => {
    process.env.WHATSAPP_ACCESS_TOKEN = 'x';
    process.env.WHATSAPP_PHONE_NUMBER_ID = '1';
    try {
      const res = await w.t.http.post('/api/message-templates').set(admin.auth).send({ ...followUp, name: 'spring_offer', category: 'marketing' });
      expect(res.body.status).toBe('pending');
      const sms = await w.t.http.post('/api/message-templates').set(admin.auth).send({ name: 'Reminder', channel: 'sms', language: 'en', body: 'See you tomorrow, {name}' });
      expect(sms.body).toMatchObject({ status: 'approved', category: null });
      // WHATSAPP_API_URL pointing at a local stand-in: the stand-in approves
      process.env.WHATSAPP_API_URL = 'http://127.0.0.1:9';
      const standIn = await w.t.http.post('/api/message-templates').set(admin.auth).send({ ...followUp, name: 'standin_check' });
      expect(standIn.body.status).toBe('approved');
    } finally {
      delete process.env.WHATSAPP_API_URL;
      delete process.env.WHATSAPP_ACCESS_TOKEN;
      delete process.env.WHATSAPP_PHONE_NUMBER_ID;
    }
    const [approved] = await w.t.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.id, id));
    const edit = await w.t.http.put(`/api/message-templates/${id}`).set(manager.auth).send(followUp);
    expect(edit.body.status).toBe(approved!.status);
  });
});

describe('quick replies API', () => {
  it('CRUD, 409 on a duplicate code in the same language, a code is one word', async () => {
    const res = await w.t.http.post('/api/quick-replies').set(manager.auth).send({ code: 'price', language: 'en', text: 'Hi {name}, prices start at 3,500 TWD.' });
    expect(res.status).toBe(201);
    const zh = await w.t.http.post('/api/quick-replies').set(manager.auth).send({ code: 'price', language: 'zh-Hant', text: '{name} 您好，價格從 3,500 台幣起。' });
    expect(zh.status).toBe(201);
    const dup = await w.t.http.post('/api/quick-replies').set(admin.auth).send({ code: 'price', language: 'en', text: 'again' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'quick_reply_code_taken' });
    expect(dup.body.error.message).toMatch(/body\.code: the quick reply \/price in en already exists/);
    const spaced = await w.t.http.post('/api/quick-replies').set(admin.auth).send({ code: 'two words', language: 'en', text: 'x' });
    expect(spaced.status).toBe(400);
    expect(spaced.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.code' }));
    expect((await w.t.http.post('/api/quick-replies').set(agent.auth).send({ code: 'mine', language: 'en', text: 'x' })).status).toBe(403);
    const list = await w.t.http.get('/api/quick-replies').set(agent.auth);
    expect(list.body.filter((q: { code: string }) => q.code === 'price')).toHaveLength(2);
    const changed = await w.t.http.put(`/api/quick-replies/${res.body.id}`).set(manager.auth).send({ code: 'prices', language: 'en', text: 'From 3,500 TWD.' });
    expect(changed.body).toMatchObject({ code: 'prices', text: 'From 3,500 TWD.' });
    expect((await w.t.http.delete(`/api/quick-replies/${res.body.id}`).set(manager.auth)).status).toBe(204);
    expect((await w.t.http.delete(`/api/quick-replies/${res.body.id}`).set(manager.auth)).status).toBe(404);
  });
});

describe('replies with a saved template', () => {
  it('outside the 24-hour window: free text refused, an approved saved template goes out as the template, an unapproved one is refused', async () => {
    const from = phone();
    const c = await conversationAfter(from, 'hello');
    const [saved] = await w.t.db.db.select().from(schema.messageTemplates).where(and(eq(schema.messageTemplates.name, 'follow_up'), eq(schema.messageTemplates.language, 'en')));
    w.clock.now = new Date(IN_HOURS.getTime() + 25 * 3_600_000);
    try {
      const text = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ text: 'Still interested?' });
      expect(text.status).toBe(422);
      expect(text.body.error.code).toBe('window_closed');
      expect(text.body.error.message).toMatch(/body\.templateId/);

      const ok = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ templateId: saved!.id, parameters: ['the X200'] });
      expect(ok.status).toBe(202);
      await eventually(async () => sentTo(w.wa, from).includes('template:follow_up'), 'the template at the stand-in');
      const [m] = await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.id, ok.body.id));
      expect(m!.body).toBe('Hi Ana, are you still interested in the X200?');
      expect(m!.template).toEqual({ name: 'follow_up', language: 'en', parameters: ['the X200'] });

      await w.t.db.db.update(schema.messageTemplates).set({ status: 'rejected', rejectedReason: 'Promotional content in a utility template' }).where(eq(schema.messageTemplates.id, saved!.id));
      const refused = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ templateId: saved!.id });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('template_not_approved');
      expect(refused.body.error.message).toMatch(/body\.templateId: the template "follow_up" \(en\) is rejected \(Promotional content/);
      const sms = (await w.t.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.channel, 'sms')))[0]!;
      const wrong = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ templateId: sms.id });
      expect(wrong.body.error.code).toBe('template_wrong_channel');
      const unknown = await w.t.http.post(`/api/conversations/${c.id}/reply`).set(admin.auth).send({ templateId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details[0]).toMatchObject({ path: 'body.templateId', code: 'unknown_template' });
    } finally {
      w.clock.now = IN_HOURS;
      await w.t.db.db.update(schema.messageTemplates).set({ status: 'approved', rejectedReason: null }).where(eq(schema.messageTemplates.id, saved!.id));
    }
  });

  it('an auto-reply rule naming a saved template answers with it', async () => {
    const tpl = await w.t.http.post('/api/message-templates').set(admin.auth).send({ name: 'warranty_info', channel: 'whatsapp', language: 'en', category: 'utility', body: 'Hi {name}, every model has a 2-year warranty.' });
    const bad = await w.t.http.post('/api/auto-replies').set(admin.auth).send({ name: 'Warranty', patterns: ['warranty'], position: 1, templateId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'body.templateId' });
    expect(bad.body.error.details[0]).toMatchObject({ code: 'unknown_template' });
    const email = await w.t.http.post('/api/message-templates').set(admin.auth).send({ name: 'warranty_letter', channel: 'email', language: 'en', subject: 'Warranty', body: 'Dear {name}, ...' });
    const wrong = await w.t.http.post('/api/auto-replies').set(admin.auth).send({ name: 'Warranty', patterns: ['warranty'], position: 1, templateId: email.body.id });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'template_wrong_channel' });
    expect(wrong.body.error.details[0]).toMatchObject({ path: 'body.templateId', code: 'template_wrong_channel', params: { channel: 'email' } });
    const rule = await w.t.http.post('/api/auto-replies').set(admin.auth).send({ name: 'Warranty', patterns: ['warranty'], position: 1, templateId: tpl.body.id });
    expect(rule.status).toBe(201);
    expect(rule.body.templateId).toBe(tpl.body.id);
    forgetInboxSettings(w.t.ctx);
    const from = phone();
    await conversationAfter(from, 'what about the warranty?');
    await eventually(async () => sentTo(w.wa, from).includes('template:warranty_info'), 'the saved template as the auto-reply');
    const [m] = await w.t.db.db.select().from(schema.conversationMessages).where(eq(schema.conversationMessages.ruleId, rule.body.id));
    expect(m!.body).toBe('Hi Ana, every model has a 2-year warranty.');
  });
});

describe('flows refer to saved templates', () => {
  it('the validator refuses an unknown template id on the send step, naming node and field; a saved one passes', async () => {
    const [saved] = await w.t.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.name, 'follow_up'));
    const graph = (templateId: string) => ({
      nodes: [step('start', 'trigger.manual@1', {}), step('send', 'action.send_message@1', { channel: 'whatsapp', templateId })],
      edges: [edge('start', 'next', 'send')],
    });
    const flow = await w.t.http.post('/api/flows').set(manager.auth).send({ name: 'Template follow-up', graph: graph('6d1c1d7e-0000-4000-8000-00000000abcd') });
    expect(flow.status).toBe(201);
    const res = await w.t.http.post(`/api/flows/${flow.body.id}/validate`).set(manager.auth);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ nodeId: 'send', field: 'templateId', code: 'reference.unknown_template' }));
    await w.t.http.put(`/api/flows/${flow.body.id}`).set(manager.auth).send({ graph: graph(saved!.id) });
    const ok = await w.t.http.post(`/api/flows/${flow.body.id}/validate`).set(manager.auth);
    expect(ok.body.problems.filter((p: { code: string }) => p.code.includes('template'))).toEqual([]);
  });

  it('the OpenAPI document has the template and quick-reply routes', async () => {
    const doc = (await w.t.http.get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/message-templates', '/api/message-templates/{id}', '/api/quick-replies', '/api/quick-replies/{id}']));
    expect(doc.components.schemas.MessageTemplate.properties.status.enum).toEqual(['pending', 'approved', 'rejected', 'paused', 'disabled']);
  });
});
