/**
 * WhatsApp status webhooks settle the send ledger: a send whose outcome became unknown (the process
 * died after the Cloud API accepted it) is recorded as sent from the status that echoes its key in
 * `biz_opaque_callback_data`. PGlite, or Postgres with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendLedger, SqlIdempotencyStore, signWhatsAppPayload, whatsAppStatusWebhook, type WhatsAppStatus } from '@nudge/channels';
import { createTestApp, type TestApp } from '../http/testing.js';

const SECRET = 'status-app-secret';

const statusWebhook = (id: string, status: WhatsAppStatus, callbackData?: string) =>
  whatsAppStatusWebhook({ id, status, recipient: '886912345678', callbackData, at: 1_795_600_000_000 }, { displayPhoneNumber: '+886 2 2345 6789', phoneNumberId: 'pn-1', businessAccountId: 'waba-1' });


let t: TestApp;
beforeAll(async () => {
  process.env.WHATSAPP_APP_SECRET = SECRET;
  t = await createTestApp();
});
afterAll(async () => { await t?.close(); });

const post = (body: unknown) => {
  const raw = JSON.stringify(body);
  return t.http.post('/api/webhooks/whatsapp').set('Content-Type', 'application/json').set('X-Hub-Signature-256', signWhatsAppPayload(raw, SECRET)).send(raw);
};

describe('WhatsApp status webhooks and the send ledger', () => {
  it('records an unknown send as sent, with the provider id, from the status that echoes its key', async () => {
    const store = new SqlIdempotencyStore(t.ctx.db.sql);
    const ledger = new SendLedger(store);
    // a worker claimed the send and died after the Cloud API accepted it
    await store.claim({ key: 'whatsapp:run-9:wa:1', channel: 'whatsapp', owner: 'killed', nowMs: Date.now() - 60_000, leaseMs: 1000, settleWaitMs: 60_000 });
    expect((await ledger.get('whatsapp', 'run-9:wa:1'))!.now).toBe('unknown');

    const failed = await post(statusWebhook('wamid.X', 'failed', 'run-9:wa:1'));
    expect(failed.status).toBe(200);
    expect(failed.body.settled).toBe(0); // a failed status is no proof it went out

    const sent = await post(statusWebhook('wamid.X', 'sent', 'run-9:wa:1'));
    expect(sent.status).toBe(200);
    expect(sent.body.settled).toBe(1);
    expect(await ledger.get('whatsapp', 'run-9:wa:1')).toMatchObject({ state: 'sent', now: 'sent', providerMessageId: 'wamid.X', settledBy: 'status_webhook', claims: 1 });

    // the next attempt of the step answers the recorded send without sending
    const result = await ledger.send({ channel: 'whatsapp', send: async () => { throw new Error('must not send again'); } }, { to: '+886912345678', text: 'x', idempotencyKey: 'run-9:wa:1' });
    expect(result).toEqual({ providerMessageId: 'wamid.X' });
    // redelivered (Meta retries) or delivered/read later: nothing changes
    expect((await post(statusWebhook('wamid.X', 'delivered', 'run-9:wa:1'))).body.settled).toBe(0);
    expect((await post(statusWebhook('wamid.Y', 'sent'))).body.settled).toBe(0);
  });
});
