/**
 * A listening app with the WhatsApp stand-in wired both ways (the stand-in posts signed Cloud
 * API webhooks to the app; the outbox sends to the stand-in through the channel_sends ledger),
 * a controllable clock, and helpers to set up teams, hours, agents and rules.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { schema } from '@nudge/db';
import { SqlIdempotencyStore, createChannels, signWhatsAppPayload, whatsAppMessageWebhook, whatsAppStatusWebhook, type Channels, type WhatsAppStatus } from '@nudge/channels';
import { startWhatsAppStandIn, type WhatsAppStandIn } from '@nudge/channels/standins';
import { createTestApp, type TestApp } from '../http/testing.js';
import { insertExampleRules, TAIPEI_WEEKDAYS } from './examples.js';
import { startOutbox, type OutboxDrainer } from './outbox.js';
import { forgetInboxSettings } from './settings.js';

export const APP_SECRET = 'inbox-test-secret';

export interface InboxWorld {
  t: TestApp;
  wa: WhatsAppStandIn;
  outbox: OutboxDrainer;
  channels: Channels;
  clock: { now: Date };
  url: string;
  teamId: string;
  /** posts a Cloud API message webhook, signed; returns the HTTP status and body */
  post(body: unknown, signature?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

let seq = 0;
export const messageWebhook = (from: string | undefined, text: string, id = `wamid.test${Date.now()}${++seq}`, name = 'Ana', userId?: string) =>
  whatsAppMessageWebhook({ from, text, id, name, userId });

/** one Cloud API payload carrying several messages (Meta may put several in one webhook) */
export function multiMessageWebhook(messages: { from: string; text: string; id: string }[]) {
  const one = messageWebhook(messages[0]!.from, messages[0]!.text, messages[0]!.id) as any;
  const value = one.entry[0].changes[0].value;
  value.contacts = messages.map((m) => ({ profile: { name: 'Ana' }, wa_id: m.from }));
  value.messages = messages.map((m, i) => ({ ...value.messages[0], from: m.from, id: m.id, text: { body: m.text }, timestamp: String(Number(value.messages[0].timestamp) + i) }));
  return one as ReturnType<typeof messageWebhook>;
}

export const statusWebhook = (id: string, status: WhatsAppStatus, recipient: string) => whatsAppStatusWebhook({ id, status, recipient });

/** Tuesday 2026-12-01 10:00 Asia/Taipei (in hours) */
export const IN_HOURS = new Date('2026-12-01T02:00:00Z');
/** Tuesday 2026-12-01 20:00 Asia/Taipei (out of hours) */
export const OUT_OF_HOURS = new Date('2026-12-01T12:00:00Z');

export async function createInboxWorld(options: { rules?: boolean; statusWebhooks?: boolean } = {}): Promise<InboxWorld> {
  process.env.WHATSAPP_APP_SECRET = APP_SECRET;
  const clock = { now: IN_HOURS };
  const t = await createTestApp({ now: () => clock.now });
  const server: Server = await new Promise((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const wa = await startWhatsAppStandIn({ appSecret: APP_SECRET, webhookUrl: `${url}/api/webhooks/whatsapp`, statusWebhooks: options.statusWebhooks ?? true });
  const channels = createChannels(
    { whatsapp: { baseUrl: wa.url, phoneNumberId: wa.phoneNumberId, accessToken: wa.accessToken } },
    { store: new SqlIdempotencyStore(t.db.sql) },
  );
  const outbox = startOutbox(t.ctx, { channels, pollMs: 200 });
  const teamId = await t.team('Sales');
  await t.db.db.insert(schema.teamInboxSettings).values({ teamId, timezone: 'Asia/Taipei', periods: TAIPEI_WEEKDAYS, isDefault: true });
  if (options.rules !== false) await insertExampleRules(t.db.db);
  forgetInboxSettings(t.ctx);
  return {
    t, wa, outbox, channels, clock, url, teamId,
    async post(body, signature) {
      const raw = JSON.stringify(body);
      const res = await fetch(`${url}/api/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? signWhatsAppPayload(raw, APP_SECRET) },
        body: raw,
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async close() {
      await outbox.stop();
      await wa.close();
      await channels.close();
      await new Promise((r) => server.close(r));
      await t.close();
    },
  };
}

export async function addAgent(w: InboxWorld, opts: { teamId?: string | null; skills?: string[]; languages?: string[]; maxOpen?: number; supervisor?: boolean; workingHours?: schema.WeeklyPeriods; available?: boolean; name?: string } = {}) {
  const u = await w.t.user('agent', { teamId: opts.teamId === undefined ? w.teamId : opts.teamId, rights: ['contact.unmask'], ...(opts.name ? { name: opts.name } : {}) });
  await w.t.db.db.insert(schema.agentProfiles).values({
    userId: u.id,
    skills: opts.skills ?? [],
    languages: opts.languages ?? ['en', 'zh-Hant', 'zh-Hans', 'es'],
    maxOpen: opts.maxOpen ?? 6,
    supervisor: opts.supervisor ?? false,
    workingHours: opts.workingHours ?? [],
    timezone: 'Asia/Taipei',
    available: opts.available ?? true,
  });
  return u;
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The text bodies the stand-in received for a recipient. */
export const sentTo = (wa: WhatsAppStandIn, waId: string) =>
  wa.messages.filter((m) => (m.request.to ?? m.request.recipient ?? '').replace(/^\+/, '') === waId).map((m) => (m.request.type === 'text' ? m.request.text.body : `template:${m.request.template.name}`));
