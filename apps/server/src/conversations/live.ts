/**
 * Live inbox updates: an in-process pub/sub per database, fed after commit by the places that
 * change conversations (inbound.ts, outbox.ts, status.ts, service.ts, assignment.ts, jobs.ts,
 * escalation.ts) and read by GET /api/inbox/events (server-sent events).
 *
 * Events carry ids and states only — never a name, phone, e-mail or message text — so the client
 * refetches what changed through the ordinary (masked, visibility-checked) API, and a masked
 * user's stream has nothing to mask. Each event is delivered only to subscribers who may see the
 * conversation under the list API's rule (`canSeeConversation`: agents their own and the
 * unassigned; other roles all), decided when the event is published against the conversation's
 * current assignee; an assignment event also reaches the previous assignee (it leaves their list).
 * Notification events reach only the notified user.
 *
 * Several processes on one PostgreSQL database: every event is also sent with `NOTIFY nudge_inbox`
 * (the id-only event JSON, far under PostgreSQL's 8000-byte payload limit) and every hub with
 * subscribers `LISTEN`s and feeds them, deciding visibility itself against the current assignee.
 * A hub ignores its own notifications (each carries the hub's origin id): a local event reaches
 * local subscribers once, directly. PGlite is one process: the hub stays in-process. The client
 * keeps a slow polling fallback, so an event missed across a reconnect is picked up anyway.
 */
import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import type { Request, Response } from 'express';
import { authenticate, type AuthUser } from '../http/auth.js';

export type InboxEvent =
  | { type: 'message'; conversationId: string; messageId: string; direction: 'in' | 'out' | 'note' }
  | { type: 'status'; conversationId: string; messageId: string; status: string }
  | { type: 'assignment'; conversationId: string; assigneeId: string | null; teamId: string | null }
  | { type: 'conversation'; conversationId: string; status: string }
  | { type: 'notification'; notificationId: string; kind: string; conversationId: string | null };

export interface Subscriber {
  user: Pick<AuthUser, 'id' | 'role'>;
  send(event: InboxEvent): void;
}

/** The PostgreSQL channel the hubs of all processes on one database share. */
export const INBOX_CHANNEL = 'nudge_inbox';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD = 7900;

/** What goes over NOTIFY: the hub it came from, and a conversation event (with extra recipients) or a user's notification. */
type Wire = { o: string; e: InboxEvent; a?: string[]; u?: string };

export class InboxHub {
  private readonly subscribers = new Set<Subscriber>();
  /** how often an open stream gets a comment line (keeps proxies from closing it, finds dead peers) */
  heartbeatMs = 20_000;
  /** this hub's id on the wire: its own notifications come back to it and are skipped */
  readonly origin = randomUUID();
  private listening: Promise<void> | null = null;

  constructor(private readonly ctx: AppContext) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** Other processes' events on PostgreSQL: resolved once LISTEN is in place (at once on PGlite). */
  ready(): Promise<void> {
    return this.listening ?? Promise.resolve();
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    this.listen();
    return () => void this.subscribers.delete(s);
  }

  /** LISTEN from the first subscriber on (a process without open streams has nobody to feed). */
  private listen() {
    const listen = this.ctx.db.listen;
    if (this.listening || !listen) return;
    this.listening = listen(INBOX_CHANNEL, (payload) => void this.received(payload)).then(
      () => undefined,
      (err: unknown) => {
        this.listening = null; // the next subscriber tries again
        console.error('[inbox] LISTEN failed; events of other processes reach this one by polling only:', err);
      },
    );
  }

  private async received(payload: string) {
    try {
      const w = JSON.parse(payload) as Wire;
      if (w.o === this.origin || !this.subscribers.size) return;
      if (w.e.type === 'notification') {
        if (w.u) this.deliver(w.e, (s) => s.user.id === w.u);
      } else await this.deliverAbout([{ event: w.e, extra: w.a ?? [] }]);
    } catch (err) {
      console.error('[inbox] live event from another process not delivered:', err);
    }
  }

  /** NOTIFY the other processes (PostgreSQL only): one notification per event, in one statement. */
  private async broadcast(wires: Wire[]) {
    if (!this.ctx.db.listen || !wires.length) return;
    const payloads = wires.map((w) => JSON.stringify(w)).filter((p) => {
      if (Buffer.byteLength(p) < MAX_PAYLOAD) return true;
      console.error(`[inbox] live event too large for NOTIFY (${Buffer.byteLength(p)} bytes): other processes poll for it`);
      return false;
    });
    if (payloads.length) await this.ctx.db.sql.query('select pg_notify($1, p) from unnest($2::text[]) as p', [INBOX_CHANNEL, payloads]);
  }

  private deliver(event: InboxEvent, may: (s: Subscriber) => boolean) {
    for (const s of [...this.subscribers]) {
      if (!may(s)) continue;
      try {
        s.send(event);
      } catch (err) {
        console.error('[inbox] live event not delivered:', err);
      }
    }
  }

  /** publishes waiting for the next turn of the event loop (see `publish`) */
  private pending: { events: InboxEvent[]; extra: string[]; done: { resolve: () => void; reject: (err: unknown) => void } }[] = [];

  /**
   * Events about conversations: visibility decided on the conversations' current assignees. The
   * publishes of one turn of the event loop (a group commit's messages) go together: one NOTIFY
   * statement and one assignee lookup for all of them, each event still with its own extra
   * recipients, in the order published. Resolves once they are delivered.
   */
  publish(events: InboxEvent[], alsoTo: (string | null | undefined)[] = []): Promise<void> {
    if (!events.length) return Promise.resolve();
    const extra = [...new Set(alsoTo.filter((x): x is string => !!x))];
    return new Promise<void>((resolve, reject) => {
      if (!this.pending.length) setImmediate(() => void this.flush());
      this.pending.push({ events, extra, done: { resolve, reject } });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const wires = batch.flatMap((b) => b.events.filter((e) => e.type !== 'notification').map((e) => ({ o: this.origin, e, ...(b.extra.length ? { a: b.extra } : {}) })));
      await Promise.all([this.broadcast(wires), this.deliverAbout(batch.flatMap((b) => b.events.map((event) => ({ event, extra: b.extra }))))]);
      for (const b of batch) b.done.resolve();
    } catch (err) {
      for (const b of batch) b.done.reject(err);
    }
  }

  private async deliverAbout(items: { event: InboxEvent; extra: string[] }[]): Promise<void> {
    if (!this.subscribers.size) return;
    const ids = [...new Set(items.flatMap(({ event: e }) => (e.type === 'notification' || !e.conversationId ? [] : [e.conversationId])))];
    const rows = ids.length
      ? await this.ctx.db.db.select({ id: schema.conversations.id, assigneeId: schema.conversations.assigneeId }).from(schema.conversations).where(inArray(schema.conversations.id, ids))
      : [];
    const assignee = new Map(rows.map((r) => [r.id, r.assigneeId]));
    for (const { event: e, extra } of items) {
      if (e.type === 'notification') continue;
      if (!assignee.has(e.conversationId)) continue; // gone
      const a = assignee.get(e.conversationId) ?? null;
      this.deliver(e, (s) => s.user.role !== 'agent' || a === null || a === s.user.id || extra.includes(s.user.id));
    }
  }

  /** A notification: only its user. */
  notify(userId: string, event: Extract<InboxEvent, { type: 'notification' }>): void {
    this.deliver(event, (s) => s.user.id === userId);
    this.broadcast([{ o: this.origin, e: event, u: userId }]).catch((err: unknown) => console.error('[inbox] live notification not sent to other processes:', err));
  }
}

const hubs = new WeakMap<object, InboxHub>();

/** The hub of this database (one per process and database). */
export function liveHub(ctx: AppContext): InboxHub {
  let hub = hubs.get(ctx.db);
  if (!hub) {
    hub = new InboxHub(ctx);
    hubs.set(ctx.db, hub);
  }
  return hub;
}

/** Publishes after a commit; never fails the caller (a lost event is picked up by the client's polling). */
export function publish(ctx: AppContext, events: InboxEvent[], alsoTo: (string | null | undefined)[] = []): Promise<void> {
  return liveHub(ctx)
    .publish(events, alsoTo)
    .catch((err: unknown) => console.error('[inbox] live events not published:', err));
}

export interface Notified {
  id: string;
  userId: string;
  kind: string;
  conversationId: string | null;
}

/** Tells the notified users' open apps (after the notifications' commit). */
export function publishNotifications(ctx: AppContext, rows: Notified[]): void {
  const hub = liveHub(ctx);
  for (const r of rows) hub.notify(r.userId, { type: 'notification', notificationId: r.id, kind: r.kind, conversationId: r.conversationId });
}

/** The conversation's current assignee and team, for an assignment event. */
export async function assignmentEvent(ctx: AppContext, conversationId: string): Promise<InboxEvent | null> {
  const [c] = await ctx.db.db.select({ assigneeId: schema.conversations.assigneeId, teamId: schema.conversations.teamId }).from(schema.conversations).where(eq(schema.conversations.id, conversationId));
  return c ? { type: 'assignment', conversationId, assigneeId: c.assigneeId, teamId: c.teamId } : null;
}

/**
 * GET /api/inbox/events: one server-sent-events stream. Authenticated like every API call, by the
 * `Authorization: Bearer` header — the editor reads it with fetch() streaming, not EventSource,
 * so the session token never goes into a URL (where it would land in proxy and access logs and
 * the browser history) and no second, short-lived kind of token is needed. The session is checked
 * again on every heartbeat: a signed-out or disabled user's stream ends.
 */
export function openEventStream(ctx: AppContext, user: AuthUser, req: Request, res: Response): void {
  const hub = liveHub(ctx);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let closed = false;
  const write = (text: string) => {
    if (!closed) res.write(text);
  };
  write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ type: 'ready', userId: user.id })}\n\n`);
  const unsubscribe = hub.subscribe({ user, send: (e) => write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`) });
  const heartbeat = setInterval(() => {
    write(': ping\n\n');
    authenticate(ctx, req).then(
      (u) => {
        if (u.id !== user.id) close();
      },
      () => close(),
    );
  }, hub.heartbeatMs);
  heartbeat.unref();
  function close() {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  }
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);
}
