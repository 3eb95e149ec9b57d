import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen, readBody, waitUntil } from './standins/http.js';
import type { WhatsAppStandIn } from './standins/index.js';
import { startWhatsAppStandIn } from './standins/index.js';
import {
  answerWebhookVerification,
  createWhatsAppAdapter,
  parseWhatsAppWebhook,
  signWhatsAppPayload,
  verifyWhatsAppSignature,
  whatsappRequestFor,
  whatsappSendRequestSchema,
} from './whatsapp.js';
import { whatsAppMessageWebhook } from './whatsapp-webhooks.js';

describe('WhatsApp Cloud API adapter against the stand-in', () => {
  let wa: WhatsAppStandIn;
  let receiver: Server;
  const received: { body: string; signature: string | undefined }[] = [];

  beforeAll(async () => {
    // plays the Nudge server's webhook endpoint
    receiver = createServer(async (req, res) => {
      received.push({ body: await readBody(req), signature: req.headers['x-hub-signature-256'] as string | undefined });
      res.writeHead(200).end('EVENT_RECEIVED');
    });
    const port = await listen(receiver, 0, '127.0.0.1');
    wa = await startWhatsAppStandIn({ webhookUrl: `http://127.0.0.1:${port}/api/webhooks/whatsapp` });
  });
  afterAll(async () => {
    await wa.close();
    await closeServer(receiver);
  });

  const adapter = () => createWhatsAppAdapter({ baseUrl: wa.url, phoneNumberId: wa.phoneNumberId, accessToken: wa.accessToken });

  it('sends a text message in the Cloud API shape and gets a wamid', async () => {
    const result = await adapter().send({ to: '+886 912-345-678', text: '您好，張大明', idempotencyKey: 'k1' });
    expect(result.providerMessageId).toMatch(/^wamid\./);
    const sent = wa.messages.at(-1)!;
    expect(sent.request).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      biz_opaque_callback_data: 'k1', // the idempotency key, echoed by every status webhook
      to: '+886912345678',
      type: 'text',
      text: { body: '您好，張大明', preview_url: false },
    });
    expect(sent.id).toBe(result.providerMessageId);
  });

  it('sends an approved template with body parameters', async () => {
    await adapter().send({ to: '34600111222', text: '', template: { name: 'follow_up', language: 'es', parameters: ['María', 'Carlos'] }, idempotencyKey: 'k2' });
    expect(wa.messages.at(-1)!.request).toMatchObject({
      type: 'template',
      template: { name: 'follow_up', language: { code: 'es' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'María' }, { type: 'text', text: 'Carlos' }] }] },
    });
  });

  it('posts signed sent / delivered status webhooks that parse back', async () => {
    const { providerMessageId } = await adapter().send({ to: '15551234567', text: 'status please', idempotencyKey: 'k3' });
    await waitUntil(() => received.filter((r) => r.body.includes(providerMessageId)).length === 2, 'two status webhooks');
    const statuses = received
      .filter((r) => r.body.includes(providerMessageId))
      .map((r) => {
        expect(verifyWhatsAppSignature(r.body, r.signature, wa.appSecret)).toBe(true);
        return parseWhatsAppWebhook(JSON.parse(r.body)).statuses[0]!;
      });
    expect(statuses.every((s) => s.callbackData === 'k3')).toBe(true);
    expect(statuses.map((s) => [s.status, s.providerMessageId, s.recipient])).toEqual([
      ['sent', providerMessageId, '15551234567'],
      ['delivered', providerMessageId, '15551234567'],
    ]);
  });

  it('posts an inbound message webhook on demand', async () => {
    const delivery = await wa.sendInbound({ from: '+886912345678', text: '價格多少？', name: '張大明', replyTo: 'wamid.abc' });
    expect(delivery.status).toBe(200);
    // status webhooks of earlier sends may still be arriving: pick the inbound one
    const last = received.find((r) => r.body.includes('價格多少'))!;
    expect(verifyWhatsAppSignature(last.body, last.signature, wa.appSecret)).toBe(true);
    expect(verifyWhatsAppSignature(last.body, last.signature, 'another-secret')).toBe(false);
    const { messages, statuses } = parseWhatsAppWebhook(JSON.parse(last.body));
    expect(statuses).toEqual([]);
    expect(messages).toEqual([
      expect.objectContaining({ from: '886912345678', profileName: '張大明', type: 'text', text: '價格多少？', replyTo: 'wamid.abc', phoneNumberId: wa.phoneNumberId }),
    ]);
  });

  it('posts read and failed statuses on demand', async () => {
    const { providerMessageId } = await adapter().send({ to: '15557654321', text: 'read me', idempotencyKey: 'k8' });
    const read = await wa.sendStatus(providerMessageId, 'read');
    expect(parseWhatsAppWebhook(read.payload).statuses).toEqual([expect.objectContaining({ providerMessageId, status: 'read', recipient: '15557654321', error: null })]);
    const failed = await wa.sendStatus(providerMessageId, 'failed');
    expect(parseWhatsAppWebhook(failed.payload).statuses[0]!.error).toBe('131026 Message undeliverable');
    await expect(wa.sendStatus('wamid.unknown', 'read')).rejects.toThrow(/never accepted/);
  });

  it('says which failures are worth retrying', async () => {
    wa.failNext(429, { code: 130429, message: 'Rate limit hit' });
    await expect(adapter().send({ to: '15551234567', text: 'x', idempotencyKey: 'k4' })).rejects.toMatchObject({ retryable: true, code: 'whatsapp_130429', status: 429 });
    wa.failNext(400, { code: 131026, message: 'Message undeliverable' });
    await expect(adapter().send({ to: '15551234567', text: 'x', idempotencyKey: 'k5' })).rejects.toMatchObject({ retryable: false, code: 'whatsapp_131026' });
    const wrongToken = createWhatsAppAdapter({ baseUrl: wa.url, phoneNumberId: wa.phoneNumberId, accessToken: 'nope' });
    await expect(wrongToken.send({ to: '15551234567', text: 'x', idempotencyKey: 'k6' })).rejects.toMatchObject({ retryable: false, code: 'whatsapp_190', status: 401 });
  });

  it('refuses a recipient that is not a phone number before calling the API', async () => {
    const before = wa.messages.length;
    await expect(adapter().send({ to: 'someone@example.com', text: 'x', idempotencyKey: 'k7' })).rejects.toMatchObject({ code: 'invalid_request', retryable: false });
    expect(wa.messages.length).toBe(before);
  });

  it('answers the webhook verification handshake only with the right token', () => {
    const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' };
    expect(answerWebhookVerification(query, 'tok')).toBe('1158201444');
    expect(answerWebhookVerification(query, 'other')).toBeNull();
  });

  it('sends to a business-scoped user id (BSUID) as `recipient`, to a number as `to`; never both', async () => {
    const sent = await adapter().send({ to: 'TW.123456789', text: 'hello hidden number', idempotencyKey: 'k-bsuid' });
    const req = wa.messages.find((m) => m.id === sent.providerMessageId)!.request;
    expect(req).toMatchObject({ recipient: 'TW.123456789', type: 'text' });
    expect(req.to).toBeUndefined();
    expect(whatsappRequestFor({ to: '+886 912 345 678', text: 'x', idempotencyKey: 'k' })).toMatchObject({ to: '+886912345678' });
    expect(whatsappRequestFor({ to: '+886 912 345 678', text: 'x', idempotencyKey: 'k' })).not.toHaveProperty('recipient');
    const both = whatsappSendRequestSchema.safeParse({ messaging_product: 'whatsapp', to: '886912345678', recipient: 'TW.123456789', type: 'text', text: { body: 'x' } });
    expect(both.success).toBe(false);
    const neither = whatsappSendRequestSchema.safeParse({ messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } });
    expect(neither.success).toBe(false);
  });

  it('reads the business-scoped user id (BSUID), also when Meta withholds the phone number', () => {
    const both = parseWhatsAppWebhook(whatsAppMessageWebhook({ from: '886912345678', userId: 'TW.123456789', text: 'hi', id: 'wamid.a', name: '張大明' }));
    expect(both.messages[0]).toMatchObject({ from: '886912345678', userId: 'TW.123456789', profileName: '張大明', text: 'hi' });
    const hidden = whatsAppMessageWebhook({ userId: 'TW.123456789', text: 'again', id: 'wamid.b' }) as any;
    hidden.entry[0].changes[0].value.contacts[0].profile = { username: 'daming' };
    expect(parseWhatsAppWebhook(hidden).messages[0]).toMatchObject({ from: null, userId: 'TW.123456789', profileName: 'daming' });
    delete hidden.entry[0].changes[0].value.messages[0].from_user_id;
    delete hidden.entry[0].changes[0].value.contacts;
    expect(() => parseWhatsAppWebhook(hidden)).toThrow(/from/);
  });

  it("gives a sender the profile name of their own contact only: one contact in a change does not name another number's or user id's sender", () => {
    const body = whatsAppMessageWebhook({ from: '886912345678', text: 'hi', id: 'wamid.own', name: '張大明' }) as any;
    const value = body.entry[0].changes[0].value;
    // a second message in the same change, from another number, and Meta's contacts list naming only the first sender
    value.messages.push({ ...value.messages[0], id: 'wamid.other', from: '34612345678', text: { body: 'hola' } });
    value.messages.push({ ...value.messages[0], id: 'wamid.bsuid', from: undefined, from_user_id: 'ES.999', text: { body: 'oculto' } });
    const parsed = parseWhatsAppWebhook(body).messages;
    expect(parsed.find((m) => m.providerMessageId === 'wamid.own')).toMatchObject({ from: '886912345678', profileName: '張大明' });
    expect(parsed.find((m) => m.providerMessageId === 'wamid.other')).toMatchObject({ from: '34612345678', profileName: null });
    // a message with a user id only: the one contact names a number, matched by another message: not theirs
    expect(parsed.find((m) => m.providerMessageId === 'wamid.bsuid')).toMatchObject({ from: null, userId: 'ES.999', profileName: null });
    // one message and one contact that names nothing that differs: paired
    const alone = whatsAppMessageWebhook({ userId: 'TW.123456789', text: 'again', id: 'wamid.c', name: 'Daming' }) as any;
    delete alone.entry[0].changes[0].value.contacts[0].user_id;
    expect(parseWhatsAppWebhook(alone).messages[0]).toMatchObject({ userId: 'TW.123456789', profileName: 'Daming' });
    alone.entry[0].changes[0].value.contacts[0].user_id = 'TW.other';
    expect(parseWhatsAppWebhook(alone).messages[0]).toMatchObject({ userId: 'TW.123456789', profileName: null });
  });

  it('refuses a webhook body of another shape', () => {
    expect(() => parseWhatsAppWebhook({ object: 'page', entry: [] })).toThrow();
    expect(signWhatsAppPayload('{}', 's')).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('WhatsApp templates for Meta', () => {
  it('numbers every variable where it stands, with an example each, and maps our languages to Meta locales', async () => {
    const { whatsAppTemplateRequest, whatsappTemplateCreateSchema } = await import('./whatsapp-templates.js');
    const req = whatsAppTemplateRequest({ name: 'visit', language: 'zh-Hans', category: 'utility', body: '{name}，{{1}} 见，{owner} 会联系您。' });
    expect(req).toEqual({
      name: 'visit', language: 'zh_CN', category: 'UTILITY',
      components: [{ type: 'BODY', text: '{{1}}，{{2}} 见，{{3}} 会联系您。', example: { body_text: [['Ana', 'example 1', 'Ben']] } }],
    });
    expect(whatsappTemplateCreateSchema.safeParse(req).success).toBe(true);
    // and a template message is sent in the locale it was submitted in
    const { whatsappRequestFor } = await import('./whatsapp.js');
    const sent = whatsappRequestFor({ to: '+886912000001', text: '', idempotencyKey: 'k', template: { name: 'visit', language: 'zh-Hant', parameters: [] } } as never);
    expect(sent.type === 'template' && sent.template.language.code).toBe('zh_TW');
    const plain = whatsAppTemplateRequest({ name: 'hi', language: 'es', category: 'marketing', body: 'Hola' });
    expect(plain.components).toEqual([{ type: 'BODY', text: 'Hola' }]);
    // parameters without examples are refused, as Meta does
    expect(whatsappTemplateCreateSchema.safeParse({ ...req, components: [{ type: 'BODY', text: 'Hi {{1}}' }] }).success).toBe(false);
  });

  it('parses the review webhook; NONE is no reason; a broken one names the field', async () => {
    const { whatsAppTemplateStatusWebhook } = await import('./whatsapp-templates.js');
    const approved = parseWhatsAppWebhook(whatsAppTemplateStatusWebhook({ businessAccountId: '42', templateId: '777', name: 'visit', language: 'zh_CN', event: 'APPROVED' }));
    expect(approved.templateStatuses).toEqual([{ businessAccountId: '42', templateId: '777', name: 'visit', language: 'zh_CN', event: 'APPROVED', reason: null }]);
    expect(approved.messages).toEqual([]);
    const rejected = parseWhatsAppWebhook(whatsAppTemplateStatusWebhook({ templateId: '778', name: 'sale', language: 'en', event: 'REJECTED', reason: 'INCORRECT_CATEGORY' }));
    expect(rejected.templateStatuses[0]!.reason).toBe('INCORRECT_CATEGORY');
    const broken = whatsAppTemplateStatusWebhook({ templateId: '1', name: 'x', language: 'en', event: 'APPROVED' }) as any;
    delete broken.entry[0].changes[0].value.message_template_name;
    expect(() => parseWhatsAppWebhook(broken)).toThrow(/message_template_name/);
    // a field Nudge does not use is accepted and ignored
    expect(parseWhatsAppWebhook({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'account_update', value: { event: 'VERIFIED' } }] }] })).toEqual({ messages: [], statuses: [], templateStatuses: [] });
  });
});
