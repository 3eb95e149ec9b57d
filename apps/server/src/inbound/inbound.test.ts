import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { signWhatsAppPayload } from '@nudge/channels';
import { createTestApp, type TestApp } from '../http/testing.js';

const SECRET = 'test-app-secret';
const routed: { customerId: string; channel: string; text: string; messageId?: string }[] = [];

function cloudApiWebhook(from: string, text: string, id: string, name = '張大明') {
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: 'waba-1',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '+886 2 2345 6789', phone_number_id: 'pn-1' },
          contacts: [{ profile: { name }, wa_id: from }],
          messages: [{ from, id, timestamp: '1795600000', type: 'text', text: { body: text } }],
        },
      }],
    }],
  };
}

let t: TestApp;
beforeAll(async () => {
  process.env.WHATSAPP_APP_SECRET = SECRET;
  process.env.SMS_WEBHOOK_TOKEN = 'sms-token';
  process.env.WHATSAPP_VERIFY_TOKEN = 'verify-me';
  t = await createTestApp({ flows: { routeInboundMessage: async (m) => { routed.push(m); return { started: 0, signalled: 1 }; } } });
});
afterAll(async () => { await t?.close(); });

async function post(body: unknown, signature?: string) {
  const raw = JSON.stringify(body);
  return t.http.post('/api/webhooks/whatsapp').set('Content-Type', 'application/json')
    .set('X-Hub-Signature-256', signature ?? signWhatsAppPayload(raw, SECRET)).send(raw);
}

describe('WhatsApp webhook', () => {
  it('matches the sender by phone, writes the message on the timeline and tells the flows, once', async () => {
    const admin = await t.user('admin');
    const created = await t.http.post('/api/customers').set(admin.auth).send({ fullName: '張大明', phone: '0912-345-678' });
    expect(created.status).toBe(201);
    const res = await post(cloudApiWebhook('886912345678', '價格多少?', 'wamid.1'));
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ customerId: created.body.id, created: false, duplicate: false, flows: { signalled: 1 } });
    expect(routed.at(-1)).toEqual({ customerId: created.body.id, channel: 'whatsapp', text: '價格多少?', messageId: 'wamid.1' });
    const again = await post(cloudApiWebhook('886912345678', '價格多少?', 'wamid.1'));
    expect(again.body.results[0].duplicate).toBe(true);
    const timeline = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, created.body.id));
    expect(timeline.filter((i) => i.kind === 'message_in').map((i) => i.body)).toEqual(['價格多少?']);
    expect(routed.filter((m) => m.messageId === 'wamid.1')).toHaveLength(1);
  });

  it('creates the customer on first contact, named from the WhatsApp profile', async () => {
    const res = await post(cloudApiWebhook('34612345678', 'Hola, ¿precio?', 'wamid.2', 'Ana García'));
    expect(res.body.results[0].created).toBe(true);
    const [c] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, res.body.results[0].customerId));
    expect(c).toMatchObject({ fullName: 'Ana García', phone: '+34612345678', whatsappId: '34612345678', source: 'whatsapp' });
  });

  it('refuses a bad signature or a foreign body, and changes nothing', async () => {
    const before = await t.db.db.select().from(schema.interactions);
    const bad = await post(cloudApiWebhook('886912345678', 'forged', 'wamid.3'), 'sha256=00');
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toMatch(/X-Hub-Signature-256/);
    const foreign = await post({ object: 'page', entry: [] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('invalid_webhook');
    expect(await t.db.db.select().from(schema.interactions)).toHaveLength(before.length);
  });

  it('answers the verification handshake only with the right token', async () => {
    const ok = await t.http.get('/api/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '42' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('42');
    const no = await t.http.get('/api/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '42' });
    expect(no.status).toBe(403);
  });
});

describe('SMS webhook and logged messages', () => {
  it('takes an SMS with the bearer token, refuses it without', async () => {
    const no = await t.http.post('/api/webhooks/sms').send({ from: '+886912000111', text: 'hi' });
    expect(no.status).toBe(401);
    const badPhone = await t.http.post('/api/webhooks/sms').set('Authorization', 'Bearer sms-token').send({ from: 'abc', text: 'hi' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.message).toMatch(/from: "abc" is not a phone number/);
    const ok = await t.http.post('/api/webhooks/sms').set('Authorization', 'Bearer sms-token').send({ from: '+886 912 000 111', text: '1', id: 'sms-1' });
    expect(ok.status).toBe(200);
    expect(ok.body.created).toBe(true);
  });

  it('lets an agent log an e-mail reply; a viewer may not', async () => {
    const agent = await t.user('agent');
    const viewer = await t.user('viewer');
    const denied = await t.http.post('/api/inbound/messages').set(viewer.auth).send({ channel: 'email', from: 'x@example.com', text: 'ok' });
    expect(denied.status).toBe(403);
    const res = await t.http.post('/api/inbound/messages').set(agent.auth).send({ channel: 'email', from: 'Ana <ANA@Example.com>', text: 'Sounds good' });
    expect(res.status).toBe(200);
    const [c] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, res.body.customerId));
    expect(c!.email).toBe('ana@example.com');
    expect(routed.at(-1)).toMatchObject({ channel: 'email', text: 'Sounds good' });
  });
});
