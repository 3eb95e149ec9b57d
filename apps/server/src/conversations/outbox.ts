/**
 * The outbox drainer: sends what inbound.ts (and agents' replies) queued, exactly once.
 *
 * Why an outbox and not a Temporal workflow per message: the decision to answer is written in the
 * same transaction as the inbound message (no dual write between the database and a workflow
 * service that a crash could split), it costs one row instead of a workflow start and history
 * (the reply is due within seconds: p99 ≤ 50 ms), and it works the same with temporal-lite, a
 * Temporal cluster or none (API-only tests). The 10-minute follow-up is the same row with a later
 * `due_at`, so it survives a restart too and is cancelled by an agent's reply.
 *
 * Exactly once: rows are claimed with a lease (FOR UPDATE SKIP LOCKED; a crashed claimer's lease
 * expires — on PostgreSQL at once: see `LEASE_LOCK`), and every send goes through the channel_sends ledger with the row's key
 * (`inbox:<inbound message id>:<rule>`), so a send that reached the provider before a crash is
 * not repeated when the row is drained again: the ledger returns the recorded provider id.
 */
import { randomInt } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { ChannelSendError, type ChannelBatch, type Channels, type ChannelName } from '@nudge/channels';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { applyEarly, lockProviderIds } from './status.js';
import { setting } from '../config.js';
import { publish } from './live.js';

const ob = schema.conversationOutbox;
const cm = schema.conversationMessages;
const conv = schema.conversations;

export interface OutboxOptions {
  channels: Channels;
  /** how long a claim holds before another drainer may take the row (default 30 s) */
  leaseMs?: number;
  /** how often due rows (timers, retries) are looked for (default 1 s) */
  pollMs?: number;
  batch?: number;
}

/** Where a conversation's replies go: the customer's addresses (inbound.ts has them at hand). */
export interface Contact { customerId: string; phone: string | null; whatsappId: string | null; email: string | null; contactUserId: string | null }

export interface OutboxDrainer {
  /** how long a claim holds (inbound.ts leases the rows it hands over for this long) */
  readonly leaseMs: number;
  /** PostgreSQL: this drainer's id in `locked_by`, whose session lock says it is alive; null on PGlite / until the lock is held */
  readonly owner: number | null;
  /** drain now (after a commit that queued something) */
  kick(): void;
  /**
   * Rows just committed and leased to this drainer (one conversation's, in order): sent at once,
   * without a claim or a poll. A crash before they are recorded leaves them to the poll after the lease.
   */
  handOff(rows: Row[], contact: Contact): void;
  /** drain until nothing is due; resolves with the number of rows handled */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

const drainers = new WeakMap<object, OutboxDrainer>();

/**
 * PostgreSQL: a drainer holds the session advisory lock (LEASE_LOCK, owner) for as long as it
 * runs, and writes `owner` into `locked_by` with every lease it takes. A lease whose owner holds
 * no such lock any more belongs to a process that died (the server ended its session when the
 * socket closed: SIGKILL, OOM, a lost machine), so the rows are claimed at once rather than after
 * the lease. Taking a row from a drainer wrongly believed dead (its lock connection dropped for a
 * moment) costs no second message: every send goes through the channel_sends ledger with the
 * row's key. PGlite has one process per data folder: its leases are released at start instead.
 */
export const LEASE_LOCK = 0x4e554447; // "NUDG"

/** Tells the drainer of this database that rows were queued (no-op without a running drainer). */
export function kickOutbox(ctx: AppContext): void {
  drainers.get(ctx.db)?.kick();
}

export const outboxDrainerOf = (ctx: AppContext) => drainers.get(ctx.db);

type Row = typeof ob.$inferSelect;
type Sent = { row: Row; messageId: string; providerMessageId: string; contact: Contact };

/** WhatsApp: the number, else the business-scoped user id (a user who hides their number; sent as `recipient`). */
function recipientOf(channel: string, c: { phone: string | null; whatsappId: string | null; email: string | null; contactUserId: string | null }): string | null {
  if (channel === 'whatsapp') return c.whatsappId ?? c.phone ?? c.contactUserId;
  if (channel === 'sms') return c.phone;
  return c.email;
}

export function startOutbox(ctx: AppContext, options: OutboxOptions): OutboxDrainer {
  const leaseMs = options.leaseMs ?? setting('NUDGE_INBOX_LEASE_MS');
  const batch = options.batch ?? 20;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;
  let owner: number | null = null;
  let unlock: (() => Promise<void>) | null = null;

  /** One statement (no transaction around it): the due rows nobody holds, leased to this drainer. */
  async function claim(): Promise<Row[]> {
    const now = nowOf(ctx);
    const leaseEnd = new Date(now.getTime() + leaseMs);
    const free = owner === null
      ? sql`(${ob.lockedUntil} is null or ${ob.lockedUntil} < ${now.toISOString()}::timestamptz)`
      : sql`(${ob.lockedUntil} is null or ${ob.lockedUntil} < ${now.toISOString()}::timestamptz or (${ob.lockedBy} is not null and ${ob.lockedBy} <> ${owner}
          and not exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.database = (select oid from pg_database where datname = current_database())
            and l.classid = ${LEASE_LOCK}::int::oid and l.objid = ${ob.lockedBy}::oid and l.objsubid = 2)))`;
    const due = ctx.db.db
      .select({ id: ob.id })
      .from(ob)
      .where(and(eq(ob.state, 'pending'), sql`${ob.dueAt} <= ${now.toISOString()}::timestamptz`, free))
      .orderBy(ob.dueAt)
      .limit(batch)
      .for('update', { skipLocked: true });
    return ctx.db.db
      .update(ob)
      .set({ lockedUntil: leaseEnd, lockedBy: owner, attempts: sql`${ob.attempts} + 1` })
      .where(inArray(ob.id, due))
      .returning();
  }

  /** A follow-up goes out only if the auto-reply is still unread and nobody (agent or customer) wrote since. */
  async function followUpStillWanted(row: Row): Promise<boolean> {
    const [c] = await ctx.db.db.select().from(conv).where(eq(conv.id, row.conversationId));
    if (!c || c.status === 'resolved') return false;
    if (c.lastAgentMessageAt && c.lastAgentMessageAt > row.createdAt) return false;
    if (c.lastCustomerMessageAt && c.lastCustomerMessageAt > row.createdAt) return false;
    const inboundId = row.key.split(':')[0]!;
    const [reply] = await ctx.db.db
      .select({ status: cm.status })
      .from(ob)
      .innerJoin(cm, eq(cm.id, ob.messageId))
      .where(and(sql`${ob.key} like ${inboundId + ':%'}`, eq(ob.purpose, 'auto_reply')))
      .orderBy(desc(ob.createdAt))
      .limit(1);
    return !reply || reply.status !== 'read';
  }

  const contactOf = async (conversationId: string): Promise<Contact | undefined> => {
    const [c] = await ctx.db.db
      .select({ customerId: conv.customerId, phone: schema.customers.phone, whatsappId: schema.customers.whatsappId, email: schema.customers.email, contactUserId: conv.contactUserId })
      .from(conv)
      .innerJoin(schema.customers, eq(schema.customers.id, conv.customerId))
      .where(eq(conv.id, conversationId));
    return c;
  };

  /**
   * One conversation's rows, in order: each sent through the ledger, then all that went out
   * recorded in one transaction — or, given `collect`, left there for the caller to record with
   * other conversations' (the hand-off of a group commit's messages). `via`: the ledger claims
   * taken for all of them at once (`Channels.batch`).
   */
  async function handleGroup(rows: Row[], known?: Contact, collect?: Sent[], via?: ChannelBatch): Promise<boolean> {
    let c = known;
    const sent: Sent[] = [];
    let stopped = false;
    try {
      for (const row of rows) {
        try {
          if (row.purpose === 'follow_up' && !(await followUpStillWanted(row))) {
            await ctx.db.db.update(ob).set({ state: 'cancelled', lockedUntil: null }).where(eq(ob.id, row.id));
            continue;
          }
          c ??= await contactOf(row.conversationId);
          if (!c) {
            await ctx.db.db.update(ob).set({ state: 'cancelled', lastError: 'conversation gone' }).where(eq(ob.id, row.id));
            continue;
          }
          // the message row exists before the send, so the inbox shows it queued (inbound.ts and agents' replies make it at once)
          let messageId = row.messageId;
          if (!messageId) {
            const [m] = await ctx.db.db
              .insert(cm)
              .values({ conversationId: row.conversationId, customerId: c.customerId, direction: 'out', channel: row.channel, body: row.text, template: row.template, status: 'queued', origin: row.purpose, ruleId: row.ruleId, statusAt: nowOf(ctx) })
              .returning({ id: cm.id });
            messageId = m!.id;
            await ctx.db.db.update(ob).set({ messageId }).where(eq(ob.id, row.id));
            await publish(ctx, [{ type: 'message', conversationId: row.conversationId, messageId, direction: 'out' }]);
          }
          const to = recipientOf(row.channel, c);
          if (!to) {
            await fail(row, messageId, `The customer has no ${row.channel} address to answer on.`);
            continue;
          }
          try {
            const message = { to, text: row.text, ...(row.template ? { template: row.template } : {}), idempotencyKey: `inbox:${row.key}` };
            const out = await (via ? via.send(row.channel as ChannelName, message) : options.channels.send(row.channel as ChannelName, message));
            sent.push({ row, messageId, providerMessageId: out.providerMessageId, contact: c });
          } catch (err) {
            const e = err as Error;
            if (err instanceof ChannelSendError && err.retryable && row.attempts < 8) {
              const backoff = Math.min(60_000, 1000 * 2 ** row.attempts);
              await ctx.db.db.update(ob).set({ lockedUntil: new Date(nowOf(ctx).getTime() + backoff), lastError: e.message }).where(eq(ob.id, row.id));
              stopped = true;
              break; // the later rows wait for it: they go out in order
            }
            await fail(row, messageId, e.message);
          }
        } catch (err) {
          console.error(`[inbox] outbox row ${row.key} failed:`, err);
        }
      }
    } finally {
      if (collect) collect.push(...sent);
      else if (sent.length) await recordAll(sent);
    }
    return stopped;
  }

  /**
   * What went out, in one transaction of three statements: the provider ids' status locks (see
   * status.ts), then one statement — rows sent (only those still pending: another drainer may have
   * recorded one), messages sent with the provider id, the conversation's last message, the
   * customer's timeline and last contact, statuses that came before the send taken — and, rarely,
   * those statuses applied.
   */
  async function recordAll(sent: Sent[]): Promise<void> {
    for (const channel of new Set(sent.map((s) => s.row.channel))) {
      await record(sent.filter((s) => s.row.channel === channel)).catch((err: unknown) => console.error('[inbox] outbox sends not recorded (the ledger has them; the rows go again after their lease):', err));
    }
  }

  /** one channel's sends, of one or several conversations */
  async function record(sent: Sent[]): Promise<void> {
    const at = nowOf(ctx);
    const atIso = at.toISOString();
    const channel = sent[0]!.row.channel;
    const ids = sent.map((s) => s.row.id);
    const recorded = await ctx.db.db.transaction(async (tx) => {
      await lockProviderIds(tx, channel, sent.map((s) => s.providerMessageId));
      const pm = sql.join(sent.map((s) => sql`(${s.messageId}::uuid, ${s.providerMessageId}::text, ${s.contact.customerId}::uuid)`), sql`, `);
      const result = await tx.execute(sql`
        with pm(message_id, provider_message_id, customer_id) as (values ${pm}),
        done as (
          update conversation_outbox set state = 'sent', locked_until = null, last_error = null
          where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)}) and state = 'pending'
          returning id, message_id, conversation_id, purpose, rule_id, channel, text, template),
        m as (
          update conversation_messages set provider_message_id = pm.provider_message_id, status = 'sent', status_at = ${atIso}::timestamptz
          from pm join done on done.message_id = pm.message_id
          where conversation_messages.id = pm.message_id),
        cv as (update conversations set last_message_at = ${atIso}::timestamptz, updated_at = ${atIso}::timestamptz where id in (select conversation_id from done)),
        tl as (
          insert into interactions (customer_id, kind, channel, body, payload, occurred_at)
          select pm.customer_id, 'message_out', d.channel, coalesce(nullif(d.text, ''), '[template ' || coalesce(d.template->>'name', '') || ']'),
            jsonb_build_object('providerMessageId', pm.provider_message_id, 'conversationId', d.conversation_id, 'origin', d.purpose)
              || case when d.rule_id is null then '{}'::jsonb else jsonb_build_object('ruleId', d.rule_id) end,
            ${atIso}::timestamptz
          from done d join pm on pm.message_id = d.message_id
          returning customer_id),
        cu as (
          update customers set last_interaction_at = greatest(last_interaction_at, ${atIso}::timestamptz), first_contact_at = least(first_contact_at, ${atIso}::timestamptz),
            last_follow_up_at = greatest(last_follow_up_at, ${atIso}::timestamptz)
          where id in (select customer_id from tl)),
        early as (
          delete from early_message_statuses where channel = ${channel} and provider_message_id in (select provider_message_id from pm)
          returning provider_message_id, status, error, at)
        select 'done' as what, message_id::text as a, null::text as b, null::text as e, null::timestamptz as at from done
        union all select 'early', provider_message_id, status::text, error, at from early`);
      const rows = ((result as { rows?: unknown[] }).rows ?? result) as { what: string; a: string; b: string | null; e: string | null; at: unknown }[];
      const early = rows.filter((r) => r.what === 'early');
      if (early.length) await applyEarly(tx, channel, early.map((r) => ({ providerMessageId: r.a, status: r.b!, error: r.e, at: new Date(r.at as string) })));
      return new Set(rows.filter((r) => r.what === 'done').map((r) => r.a));
    });
    const events = sent.filter((s) => recorded.has(s.messageId)).map((s) => ({ type: 'status' as const, conversationId: s.row.conversationId, messageId: s.messageId, status: 'sent' }));
    if (events.length) await publish(ctx, events);
  }

  async function fail(row: Row, messageId: string, error: string) {
    await ctx.db.db.transaction(async (tx) => {
      await tx.update(ob).set({ state: 'failed', lockedUntil: null, lastError: error }).where(eq(ob.id, row.id));
      await tx.update(cm).set({ status: 'failed', error, statusAt: nowOf(ctx) }).where(eq(cm.id, messageId));
    });
    await publish(ctx, [{ type: 'status', conversationId: row.conversationId, messageId, status: 'failed' }]);
  }

  /** The ledger claims of these rows' sends, in one statement (follow-ups are often cancelled: claimed when sent). */
  async function claimAll(rows: Row[]): Promise<ChannelBatch | undefined> {
    const entries = rows.filter((r) => r.purpose !== 'follow_up').map((r) => ({ channel: r.channel as ChannelName, idempotencyKey: `inbox:${r.key}` }));
    if (!entries.length || !options.channels.batch) return undefined;
    try {
      return await options.channels.batch(entries);
    } catch (err) {
      console.error('[inbox] ledger claims not taken together (each send claims its own):', err);
      return undefined;
    }
  }

  /**
   * The ledger records of a batch's sends in one statement (and its unused claims released). If
   * that fails the messages did go out all the same: they are recorded with the provider's ids
   * (the ledger's claims stay unsettled until their status webhooks settle them), not sent again.
   */
  async function finishAll(via: ChannelBatch | undefined, sent: Sent[]): Promise<void> {
    if (!via) return;
    try {
      const done = await via.finish();
      for (const s of sent) {
        const recorded = done.recorded(s.row.channel as ChannelName, `inbox:${s.row.key}`);
        if (recorded) s.providerMessageId = recorded.providerMessageId;
      }
    } catch (err) {
      console.error('[inbox] ledger records of sends not written (settled by their status webhooks):', err);
    }
  }

  /**
   * Each conversation's rows in order (the welcome before the answer); on PostgreSQL conversations
   * in parallel. PGlite is one connection: its rows go one by one (a query from a parallel row
   * could run inside another row's open transaction).
   */
  async function drainOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const rows = await claim();
      if (!rows.length) return handled;
      const byConversation = new Map<string, Row[]>();
      for (const row of rows) byConversation.set(row.conversationId, [...(byConversation.get(row.conversationId) ?? []), row]);
      const runList = async (list: Row[]) => void (await handleGroup(list.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())));
      if (ctx.db.driver === 'postgres') await Promise.all([...byConversation.values()].map(runList));
      else for (const list of byConversation.values()) await runList(list);
      handled += rows.length;
    }
  }

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drainOnce();
      } while (again && !stopped);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) void drain().catch((err: unknown) => console.error('[inbox] outbox drain failed:', err));
  }, options.pollMs ?? 1000);
  timer.unref();

  // handed-over rows: on PostgreSQL each conversation's at once; on PGlite (one connection) one
  // after another, as the poll does
  // The hand-offs of one turn of the event loop (a group commit's messages) go together: each
  // conversation's rows sent in order, then what went out recorded in one transaction for all.
  const inFlight = new Set<Promise<void>>();
  let chain: Promise<void> = Promise.resolve();
  let handed: { rows: Row[]; contact: Contact }[] = [];
  const flushHanded = () => {
    if (!handed.length) return;
    // one group per conversation, its messages' rows in the order they were handed over (two
    // messages of one customer in a group commit: the welcome before the answer, never in parallel)
    const byConversation = new Map<string, { rows: Row[]; contact: Contact }>();
    for (const g of handed) {
      const key = g.rows[0]!.conversationId;
      const had = byConversation.get(key);
      if (had) had.rows.push(...g.rows);
      else byConversation.set(key, { rows: [...g.rows], contact: g.contact });
    }
    const groups = [...byConversation.values()];
    handed = [];
    const run = async () => {
      const sent: Sent[] = [];
      // in waves: the first reply of every conversation, then the second of each, … — a wave's
      // ledger claims in one statement, its records in one more (not one each), and a reply is
      // claimed only just before it is sent (a crash leaves no claim of a reply never handed over)
      const left = groups.map((g) => ({ g, rows: [...g.rows], stopped: false }));
      for (;;) {
        const wave = left.filter((l) => !l.stopped && l.rows.length).map((l) => ({ l, row: l.rows.shift()! }));
        if (!wave.length) break;
        const via = await claimAll(wave.map((w) => w.row));
        const one = async (w: (typeof wave)[number]) => {
          w.l.stopped = await handleGroup([w.row], w.l.g.contact, sent, via).catch((err: unknown) => {
            console.error('[inbox] outbox hand-off failed:', err);
            return true;
          });
        };
        if (ctx.db.driver === 'postgres') await Promise.all(wave.map(one));
        else for (const w of wave) await one(w);
        await finishAll(via, sent);
      }
      if (sent.length) await recordAll(sent);
    };
    const p = ctx.db.driver === 'postgres' ? run() : (chain = chain.then(run));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const drainer: OutboxDrainer = {
    leaseMs,
    get owner() {
      return owner;
    },
    handOff(rows, contact) {
      if (stopped || !rows.length) return;
      if (!handed.length) setImmediate(flushHanded);
      handed.push({ rows, contact });
    },
    kick() {
      if (!stopped) void drain().catch((err: unknown) => console.error('[inbox] outbox drain failed:', err));
    },
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      drainers.delete(ctx.db);
      flushHanded(); // handed over but not yet started: sent now rather than after their lease
      await running?.catch(() => {});
      await Promise.all([...inFlight]);
      await unlock?.().catch(() => {});
      unlock = null;
    },
  };
  drainers.set(ctx.db, drainer);
  // rows left by a previous process (crash between commit and send). On PGlite one process owns
  // the data folder, so a lease still running now was taken by a process that died (SIGKILL after
  // the commit, before the send): released, its replies go at once rather than after the lease
  // (the send ledger still decides whether a send that may have gone out goes again). On
  // PostgreSQL another live process may hold it: a lease whose owner's session lock is gone is
  // claimed at once (LEASE_LOCK), one whose owner lives runs out.
  if (ctx.db.driver === 'pglite') {
    void ctx.db.db
      .update(ob)
      .set({ lockedUntil: null })
      .where(and(eq(ob.state, 'pending'), isNotNull(ob.lockedUntil)))
      .catch((err: unknown) => console.error('[inbox] leases of a previous process not released (they run out):', err))
      .then(() => drainer.kick());
  } else if (ctx.db.sessionLock) {
    const lockFor = ctx.db.sessionLock.bind(ctx.db);
    void (async () => {
      for (let attempt = 0; attempt < 3 && !stopped; attempt++) {
        const id = 1 + randomInt(0x7ffffffe);
        const release = await lockFor(LEASE_LOCK, id);
        if (!release) continue; // another drainer drew the same id
        if (stopped) return void (await release());
        unlock = release;
        owner = id;
        return;
      }
    })()
      .catch((err: unknown) => console.error('[inbox] outbox session lock not taken (a crash then leaves its leases to run out):', err))
      .then(() => drainer.kick());
  } else drainer.kick();
  return drainer;
}

/** Rows still waiting (for tests and the health page). */
export async function pendingOutbox(ctx: AppContext) {
  return ctx.db.db.select().from(ob).where(and(eq(ob.state, 'pending'), gt(ob.dueAt, new Date(0))));
}
