import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { signWhatsAppPayload, whatsAppMessageWebhook } from '@nudge/channels';
import { createTestApp, type TestApp } from '../http/testing.js';

const SECRET = 'test-app-secret';
const routed: { customerId: string; channel: string; text: string; messageId?: string }[] = [];

const BUSINESS = { displayPhoneNumber: '+886 2 2345 6789', phoneNumberId: 'pn-1', businessAccountId: 'waba-1' };
const cloudApiWebhook = (from: string, text: string, id: string, name = '張大明', userId?: string) =>
  whatsAppMessageWebhook({ from, text, id, name, userId, at: 1_795_600_000_000 }, BUSINESS);

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

  it('matches a WhatsApp user by the business-scoped user id too: hiding the number keeps their history', async () => {
    const bsuid = 'TW.1502576394655843';
    const first = await post(cloudApiWebhook('886922333444', '你好', 'wamid.bsuid-1', '陳美玲', bsuid));
    const customerId = first.body.results[0].customerId;
    expect(first.body.results[0].created).toBe(true);
    // the user adopts a username: Meta now sends only the BSUID, no phone (`from` / `wa_id` omitted)
    const hidden = whatsAppMessageWebhook({ userId: bsuid, text: '還在嗎?', id: 'wamid.bsuid-2', name: 'meiling' }, BUSINESS);
    expect(JSON.stringify(hidden)).not.toContain('886922333444');
    const second = await post(hidden);
    expect(second.status).toBe(200);
    expect(second.body.results[0]).toMatchObject({ customerId, created: false });
    const entries = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, customerId));
    expect(entries.filter((i) => i.kind === 'message_in').map((i) => i.body).sort()).toEqual(['你好', '還在嗎?'].sort());
    const [c] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, customerId));
    expect(c).toMatchObject({ phone: '+886922333444', fullName: '陳美玲' });
  });

  it('a first contact known only by a BSUID becomes a customer without a phone; five concurrent deliveries make one', async () => {
    const body = whatsAppMessageWebhook({ userId: 'TW.88877766655', text: 'price?', id: 'wamid.bsuid-3', name: 'quietuser' }, BUSINESS);
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const ids = new Set(answers.map((a) => a.body.results[0].customerId));
    expect(ids.size).toBe(1);
    const [c] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, [...ids][0]!));
    expect(c).toMatchObject({ fullName: 'quietuser', phone: null, whatsappId: null, source: 'whatsapp' });
    const again = await post(whatsAppMessageWebhook({ userId: 'TW.88877766655', text: 'hello?', id: 'wamid.bsuid-4' }, BUSINESS));
    expect(again.body.results[0]).toMatchObject({ customerId: c!.id, created: false });
  });

  it('refuses a message with neither a phone nor a BSUID, naming the field', async () => {
    const body = whatsAppMessageWebhook({ userId: 'x', text: 'hi', id: 'wamid.bsuid-5' }, BUSINESS) as any;
    delete body.entry[0].changes[0].value.messages[0].from_user_id;
    delete body.entry[0].changes[0].value.contacts;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/from/);
  });

  it('keeps a sender whose wa_id our phone metadata does not know by their WhatsApp id (no phone), with the other messages of the payload', async () => {
    const body = whatsAppMessageWebhook({ from: '886912345001', text: 'ok', id: 'wamid.badphone-1' }, BUSINESS) as any;
    const value = body.entry[0].changes[0].value;
    value.messages.push({ ...value.messages[0], from: '88691400002', id: 'wamid.badphone-2' }); // +886 with too few digits for libphonenumber
    value.contacts.push({ profile: { name: 'Nuevo cliente' }, wa_id: '88691400002' });
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body.received).toBe(2);
    const [first, second] = res.body.results;
    const [c] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, second.customerId));
    expect(c).toMatchObject({ fullName: 'Nuevo cliente', whatsappId: '88691400002', phone: null, source: 'whatsapp' });
    expect(first.customerId).not.toBe(second.customerId);
    const stored = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, second.customerId));
    expect(stored.map((i) => i.body)).toEqual(['ok']);
    // the same wa_id again is the same customer
    const again = await post(whatsAppMessageWebhook({ from: '88691400002', text: 'again', id: 'wamid.badphone-3' }, BUSINESS));
    expect(again.body.results[0]).toMatchObject({ customerId: second.customerId, created: false });
  });

  it("a payload of two senders whose contacts name only one: the other is not given that one's name", async () => {
    const body = whatsAppMessageWebhook({ from: '886912345101', text: 'hola', id: 'wamid.twosenders-1', name: 'Carmen Ruiz' }, BUSINESS) as any;
    const value = body.entry[0].changes[0].value;
    value.messages.push({ ...value.messages[0], from: '886912345102', id: 'wamid.twosenders-2', text: { body: 'price?' } }); // no contact entry of their own
    const res = await post(body);
    expect(res.status).toBe(200);
    const [first, second] = res.body.results;
    const names = await Promise.all([first, second].map(async (r: { customerId: string }) => (await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, r.customerId)))[0]!));
    expect(names[0]).toMatchObject({ fullName: 'Carmen Ruiz', phone: '+886912345101' });
    expect(names[1]!.phone).toBe('+886912345102');
    expect(names[1]!.fullName).not.toBe('Carmen Ruiz');
  });

  it('refuses a payload whose sender is no WhatsApp id at all with 400 naming the message, and stores none of its messages', async () => {
    const before = await t.db.db.select().from(schema.interactions);
    const body = whatsAppMessageWebhook({ from: '886912345001', text: 'ok', id: 'wamid.badphone-4' }, BUSINESS) as any;
    const value = body.entry[0].changes[0].value;
    value.messages.push({ ...value.messages[0], from: '8869x1400002', id: 'wamid.badphone-5' });
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', details: [{ path: 'messages[1].from', code: 'invalid_phone' }] });
    expect(res.body.error.message).toMatch(/^messages\[1\]\.from: "8869x1400002" is not a phone number with a country code/);
    expect(await t.db.db.select().from(schema.interactions)).toHaveLength(before.length);
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

describe('the same delivery several times at once', () => {
  it('five concurrent deliveries of one message from a known customer: one timeline entry, one flow signal', async () => {
    const admin = await t.user('admin');
    const created = await t.http.post('/api/customers').set(admin.auth).send({ fullName: '林小美', phone: '0933-444-555' });
    const body = cloudApiWebhook('886933444555', '在嗎?', 'wamid.concurrent-1', '林小美');
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const results = answers.map((a) => a.body.results[0]);
    expect(new Set(results.map((r) => r.customerId))).toEqual(new Set([created.body.id]));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const entries = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, created.body.id));
    expect(entries.filter((i) => i.kind === 'message_in')).toHaveLength(1);
    expect(routed.filter((m) => m.messageId === 'wamid.concurrent-1')).toHaveLength(1);
  });

  it('five concurrent deliveries from an unknown number: one customer, one timeline entry', async () => {
    const body = cloudApiWebhook('886955666777', '想了解方案', 'wamid.concurrent-2', '新客人');
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const results = answers.map((a) => a.body.results[0]);
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const customers = await t.db.db.select().from(schema.customers).where(eq(schema.customers.whatsappId, '886955666777'));
    expect(customers).toHaveLength(1);
    const entries = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, customers[0]!.id));
    expect(entries.filter((i) => i.kind === 'message_in')).toHaveLength(1);
  });

  it('five different messages at once from one unknown number (WhatsApp and SMS): still one customer, five entries', async () => {
    const answers = await Promise.all([
      ...[1, 2, 3].map((n) => post(cloudApiWebhook('886977888999', `msg ${n}`, `wamid.concurrent-3-${n}`))),
      ...[4, 5].map((n) => t.http.post('/api/webhooks/sms').set('Authorization', 'Bearer sms-token').send({ from: '+886977888999', text: `sms ${n}`, id: `sms-c-${n}` })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const customers = await t.db.db.select().from(schema.customers).where(eq(schema.customers.phone, '+886977888999'));
    expect(customers).toHaveLength(1);
    const entries = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, customers[0]!.id));
    expect(entries.filter((i) => i.kind === 'message_in')).toHaveLength(5);
  });
});

describe('access rules when a customer is found by a contact value', () => {
  it("an agent cannot log a message onto another agent's customer (nothing written, no reply counted)", async () => {
    const admin = await t.user('admin');
    const owner = await t.user('agent');
    const other = await t.user('agent');
    const created = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Owned', email: 'owned@example.com', ownerId: owner.id });
    expect(created.status).toBe(201);
    const signalsBefore = routed.length;
    const denied = await t.http.post('/api/inbound/messages').set(other.auth).send({ channel: 'email', from: 'OWNED@example.com', text: 'I am in' });
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).not.toContain(created.body.id);
    expect(routed.length).toBe(signalsBefore);
    const entries = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, created.body.id));
    expect(entries.filter((i) => i.kind === 'message_in')).toHaveLength(0);
    expect(await t.db.db.select().from(schema.customers).where(eq(schema.customers.email, 'owned@example.com'))).toHaveLength(1);
    // the owner may, and so may a manager
    const ok = await t.http.post('/api/inbound/messages').set(owner.auth).send({ channel: 'email', from: 'owned@example.com', text: 'Reply' });
    expect(ok.status).toBe(200);
    expect(ok.body.customerId).toBe(created.body.id);
    // once the identity is known (after the first message) the rule still holds
    const again = await t.http.post('/api/inbound/messages').set(other.auth).send({ channel: 'email', from: 'owned@example.com', text: 'again' });
    expect(again.status).toBe(403);
  });

  it('a customer an agent creates by logging a first message is theirs', async () => {
    const agent = await t.user('agent');
    const res = await t.http.post('/api/inbound/messages').set(agent.auth).send({ channel: 'sms', from: '+886911222333', text: 'new here' });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(true);
    const seen = await t.http.get(`/api/customers/${res.body.customerId}`).set(agent.auth);
    expect(seen.status).toBe(200);
  });
});
