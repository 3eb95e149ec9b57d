/**
 * Live inbox updates (GET /api/inbox/events): a customer's message through the signed webhook
 * reaches the stream of an agent who may see the conversation and not of one who may not;
 * delivery ticks and assignments arrive; streams are authenticated, send heartbeats, end with the
 * session, and leave no subscriber behind (100 opened and closed → 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { eq } from 'drizzle-orm';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDb, schema } from '@nudge/db';
import { createApp } from '../app.js';
import type { AppContext } from '../context.js';
import { liveHub, type InboxEvent } from './live.js';
import { addAgent, createInboxWorld, eventually, messageWebhook, type InboxWorld } from './test-support.js';

interface Stream {
  events: (InboxEvent | { type: 'ready'; userId: string })[];
  raw: () => string;
  ended: () => boolean;
  close(): void;
}

/** Reads the stream with fetch (as the editor does), parsing `event:` / `data:` blocks. */
async function openStream(w: Pick<InboxWorld, 'url'>, token: string | null): Promise<Stream & { status: number }> {
  const ac = new AbortController();
  const res = await fetch(`${w.url}/api/inbox/events`, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: ac.signal });
  const events: Stream['events'] = [];
  let raw = '';
  let ended = false;
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const text = decoder.decode(value, { stream: true });
          raw += text;
          buffer += text;
          let i: number;
          while ((i = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) events.push(JSON.parse(data.slice(6)));
          }
        }
      } catch {
        /* aborted */
      }
      ended = true;
    })();
  } else ended = true;
  return { status: res.status, events, raw: () => raw, ended: () => ended, close: () => ac.abort() };
}

let n = 0;
const phone = () => `88691400${String(++n).padStart(4, '0')}`;
const about = (s: Stream, conversationId: string) => s.events.filter((e) => 'conversationId' in e && e.conversationId === conversationId);

async function conversationOf(w: InboxWorld, waId: string) {
  const [c] = await w.t.db.db.select({ id: schema.conversations.id, assigneeId: schema.conversations.assigneeId }).from(schema.conversations)
    .innerJoin(schema.customers, eq(schema.customers.id, schema.conversations.customerId))
    .where(eq(schema.customers.whatsappId, waId));
  return c;
}

describe('live inbox events', () => {
  let w: InboxWorld;
  let alice: Awaited<ReturnType<typeof addAgent>>;
  let bob: Awaited<ReturnType<typeof w.t.user>>;
  let manager: Awaited<ReturnType<typeof w.t.user>>;
  beforeAll(async () => {
    w = await createInboxWorld();
    alice = await addAgent(w, { maxOpen: 50, name: 'Alice' });
    bob = await w.t.user('agent', { teamId: w.teamId, name: 'Bob' }); // no routing profile: never assigned; no contact.unmask: masked
    manager = await w.t.user('manager');
  });
  afterAll(async () => { await w?.close(); });

  it('refuses a stream without a valid session', async () => {
    expect((await openStream(w, null)).status).toBe(401);
    expect((await openStream(w, 'not-a-session')).status).toBe(401);
  });

  it("a webhook message reaches the assignee's and the manager's streams, not another agent's; ticks and assignment too", async () => {
    const [a, b, m] = await Promise.all([openStream(w, alice.token), openStream(w, bob.token), openStream(w, manager.token)]);
    await eventually(async () => a.events.length && b.events.length && m.events.length, 'ready events');
    expect(a.events[0]).toMatchObject({ type: 'ready', userId: alice.id });
    const from = phone();
    const res = await w.post(messageWebhook(from, 'human agent please'));
    expect(res.status).toBe(200);
    const c = (await eventually(() => conversationOf(w, from), 'the conversation'))!;
    expect(c.assigneeId).toBe(alice.id);
    await eventually(async () => about(a, c.id).some((e) => e.type === 'message' && e.direction === 'in'), "alice's message event", 3000);
    expect(about(a, c.id)).toContainEqual({ type: 'assignment', conversationId: c.id, assigneeId: alice.id, teamId: w.teamId });
    // the auto-replies (welcome, hand-off notice): their rows, then their ticks as the stand-in reports them
    await eventually(async () => about(a, c.id).some((e) => e.type === 'message' && e.direction === 'out'), 'an outgoing message event');
    await eventually(async () => about(a, c.id).some((e) => e.type === 'status' && e.status === 'sent'), 'a sent tick');
    await eventually(async () => about(a, c.id).some((e) => e.type === 'status' && (e.status === 'delivered' || e.status === 'read')), 'a delivered tick');
    await eventually(async () => about(m, c.id).some((e) => e.type === 'message' && e.direction === 'in'), "the manager's message event");
    // bob may not see alice's conversation (list API: agents see their own and the unassigned)
    expect(about(b, c.id)).toEqual([]);
    const list = await w.t.http.get('/api/conversations?view=all').set(bob.auth);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);

    // an unassigned conversation (the bot answers it) reaches bob — masked, with no contact in the bytes
    const other = phone();
    await w.post(messageWebhook(other, 'price?'));
    const u = (await eventually(() => conversationOf(w, other), 'the second conversation'))!;
    expect(u.assigneeId).toBeNull();
    await eventually(async () => about(b, u.id).some((e) => e.type === 'message' && e.direction === 'in'), "bob's event for the unassigned conversation", 3000);
    expect(b.raw()).not.toContain(other);
    expect(b.raw()).not.toContain(from);

    // a transfer from alice to bob reaches both; a note with an @mention notifies bob only
    await w.t.http.post(`/api/conversations/${c.id}/assign`).set(manager.auth).send({ assigneeId: bob.id }).expect(200);
    await eventually(async () => about(b, c.id).some((e) => e.type === 'assignment' && e.assigneeId === bob.id), 'bob told of the transfer');
    await eventually(async () => about(a, c.id).some((e) => e.type === 'assignment' && e.assigneeId === bob.id), 'alice told it left her');
    await w.t.http.post(`/api/conversations/${c.id}/notes`).set(manager.auth).send({ text: '@Bob please call', mentions: [bob.id] }).expect(201);
    await eventually(async () => b.events.some((e) => e.type === 'notification' && e.kind === 'mention' && e.conversationId === c.id), "bob's notification");
    expect(a.events.some((e) => e.type === 'notification')).toBe(false);
    for (const s of [a, b, m]) s.close();
    await eventually(async () => liveHub(w.t.ctx).size === 0, 'the streams unsubscribed');
  });

  it('100 streams opened and closed leave 0 subscribers', async () => {
    expect(liveHub(w.t.ctx).size).toBe(0);
    const streams = await Promise.all(Array.from({ length: 100 }, () => openStream(w, alice.token)));
    await eventually(async () => streams.every((s) => s.events.length > 0), 'every ready event');
    expect(liveHub(w.t.ctx).size).toBe(100);
    for (const s of streams) s.close();
    await eventually(async () => liveHub(w.t.ctx).size === 0, 'all 100 unsubscribed', 5000);
  });

  it('sends heartbeats and ends when the session ends', async () => {
    const hub = liveHub(w.t.ctx);
    hub.heartbeatMs = 50;
    const carol = await w.t.user('agent');
    const s = await openStream(w, carol.token);
    try {
      await eventually(async () => s.raw().includes(': ping'), 'a heartbeat', 3000);
      expect(s.ended()).toBe(false);
      await w.t.http.post('/api/auth/logout').set(carol.auth);
      await eventually(async () => s.ended(), 'the stream closed after sign-out', 3000);
      await eventually(async () => hub.size === 0, 'unsubscribed');
    } finally {
      hub.heartbeatMs = 20_000;
      s.close();
    }
  });
});

describe('live events across server processes (PostgreSQL LISTEN/NOTIFY)', () => {
  let w: InboxWorld;
  let manager: Awaited<ReturnType<typeof w.t.user>>;
  beforeAll(async () => {
    w = await createInboxWorld();
    manager = await w.t.user('manager');
  });
  afterAll(async () => { await w?.close(); });

  it('an event published locally reaches a local subscriber exactly once', async () => {
    const s = await openStream(w, manager.token);
    try {
      await eventually(async () => s.events.length > 0, 'ready');
      await liveHub(w.t.ctx).ready();
      const from = phone();
      await w.post(messageWebhook(from, 'hello there'));
      const c = (await eventually(() => conversationOf(w, from), 'the conversation'))!;
      await eventually(async () => about(s, c.id).some((e) => e.type === 'message' && e.direction === 'in'), 'the message event', 3000);
      await w.t.http.post(`/api/conversations/${c.id}/notes`).set(manager.auth).send({ text: 'a note' }).expect(201);
      await eventually(async () => about(s, c.id).some((e) => e.type === 'message' && e.direction === 'note'), 'the note event', 3000);
      await new Promise((r) => setTimeout(r, 500)); // time for a NOTIFY echo to arrive, were it delivered
      expect(about(s, c.id).filter((e) => e.type === 'message' && e.direction === 'in')).toHaveLength(1);
      expect(about(s, c.id).filter((e) => e.type === 'message' && e.direction === 'note')).toHaveLength(1);
    } finally {
      s.close();
    }
  });

  it('two app instances on one database see each other\'s events (PGlite: one process, the hub stays in-process)', async () => {
    if (w.t.db.driver === 'pglite') {
      // one process owns a PGlite database: there is no second instance to hear from, and no LISTEN
      expect(w.t.db.listen).toBeUndefined();
      await expect(liveHub(w.t.ctx).ready()).resolves.toBeUndefined();
      return;
    }
    // a second server process, as far as the database can tell: its own connections, its own hub
    const db2 = await createDb({ url: w.t.db.url });
    const ctx2: AppContext = { db: db2, now: () => w.clock.now };
    const server: Server = await new Promise((resolve) => {
      const s = createApp(ctx2).listen(0, '127.0.0.1', () => resolve(s));
    });
    const other = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    const here = await openStream(w, manager.token);
    const there = await openStream(other, manager.token);
    try {
      await eventually(async () => here.events.length > 0 && there.events.length > 0, 'both ready');
      await Promise.all([liveHub(w.t.ctx).ready(), liveHub(ctx2).ready()]);
      expect(liveHub(ctx2).origin).not.toBe(liveHub(w.t.ctx).origin);

      // a customer writes to instance 1 → instance 2's subscriber hears it
      const from = phone();
      await w.post(messageWebhook(from, 'is anyone there?'));
      const c = (await eventually(() => conversationOf(w, from), 'the conversation'))!;
      await eventually(async () => about(there, c.id).some((e) => e.type === 'message' && e.direction === 'in'), "instance 2's message event", 5000);
      // an agent notes on instance 2 → instance 1's subscriber hears it
      await request(other.url).post(`/api/conversations/${c.id}/notes`).set(manager.auth).send({ text: 'from the other process' }).expect(201);
      await eventually(async () => about(here, c.id).some((e) => e.type === 'message' && e.direction === 'note'), "instance 1's note event", 5000);
      // a notification (an @mention on instance 2) reaches only its user on instance 1
      const agent = await w.t.user('agent', { name: 'Mia' });
      const mia = await openStream(w, agent.token);
      await eventually(async () => mia.events.length > 0, 'mia ready');
      await request(other.url).post(`/api/conversations/${c.id}/notes`).set(manager.auth).send({ text: '@Mia look', mentions: [agent.id] }).expect(201);
      await eventually(async () => mia.events.some((e) => e.type === 'notification' && e.kind === 'mention'), "mia's notification from instance 2", 5000);
      expect(here.events.some((e) => e.type === 'notification')).toBe(false);
      mia.close();

      await new Promise((r) => setTimeout(r, 500));
      // each event once on each side: the local one directly, the other's through NOTIFY, never both
      for (const s of [here, there]) {
        expect(about(s, c.id).filter((e) => e.type === 'message' && e.direction === 'in')).toHaveLength(1);
        expect(about(s, c.id).filter((e) => e.type === 'message' && e.direction === 'note')).toHaveLength(2);
      }
    } finally {
      here.close();
      there.close();
      await new Promise((r) => server.close(r));
      await db2.close();
    }
  });
});
