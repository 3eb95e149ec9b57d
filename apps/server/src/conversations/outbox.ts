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
 * expires), and every send goes through the channel_sends ledger with the row's key
 * (`inbox:<inbound message id>:<rule>`), so a send that reached the provider before a crash is
 * not repeated when the row is drained again: the ledger returns the recorded provider id.
 */
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { ChannelSendError, type Channels, type ChannelName } from '@nudge/channels';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { addToTimeline } from './inbound.js';
import { applyEarlyStatuses } from './status.js';
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

export interface OutboxDrainer {
  /** drain now (after a commit that queued something) */
  kick(): void;
  /** drain until nothing is due; resolves with the number of rows handled */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

const drainers = new WeakMap<object, OutboxDrainer>();

/** Tells the drainer of this database that rows were queued (no-op without a running drainer). */
export function kickOutbox(ctx: AppContext): void {
  drainers.get(ctx.db)?.kick();
}

export const outboxDrainerOf = (ctx: AppContext) => drainers.get(ctx.db);

type Row = typeof ob.$inferSelect;

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

  async function claim(): Promise<Row[]> {
    const now = nowOf(ctx);
    const leaseEnd = new Date(now.getTime() + leaseMs);
    return ctx.db.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: ob.id })
        .from(ob)
        .where(and(eq(ob.state, 'pending'), sql`${ob.dueAt} <= ${now.toISOString()}::timestamptz`, sql`(${ob.lockedUntil} is null or ${ob.lockedUntil} < ${now.toISOString()}::timestamptz)`))
        .orderBy(ob.dueAt)
        .limit(batch)
        .for('update', { skipLocked: true });
      if (!due.length) return [];
      return tx
        .update(ob)
        .set({ lockedUntil: leaseEnd, attempts: sql`${ob.attempts} + 1` })
        .where(sql`${ob.id} in (${sql.join(due.map((d) => sql`${d.id}`), sql`, `)})`)
        .returning();
    });
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

  async function handle(row: Row): Promise<void> {
    if (row.purpose === 'follow_up' && !(await followUpStillWanted(row))) {
      await ctx.db.db.update(ob).set({ state: 'cancelled', lockedUntil: null }).where(eq(ob.id, row.id));
      return;
    }
    const [c] = await ctx.db.db
      .select({ customerId: conv.customerId, phone: schema.customers.phone, whatsappId: schema.customers.whatsappId, email: schema.customers.email, contactUserId: conv.contactUserId })
      .from(conv)
      .innerJoin(schema.customers, eq(schema.customers.id, conv.customerId))
      .where(eq(conv.id, row.conversationId));
    if (!c) {
      await ctx.db.db.update(ob).set({ state: 'cancelled', lastError: 'conversation gone' }).where(eq(ob.id, row.id));
      return;
    }
    // the message row exists before the send, so the inbox shows it queued (agents' replies make it at once)
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
    if (!to) return fail(row, messageId, `The customer has no ${row.channel} address to answer on.`);
    let providerMessageId: string;
    try {
      const sent = await options.channels.send(row.channel as ChannelName, {
        to,
        text: row.text,
        ...(row.template ? { template: row.template } : {}),
        idempotencyKey: `inbox:${row.key}`,
      });
      providerMessageId = sent.providerMessageId;
    } catch (err) {
      const e = err as Error;
      if (err instanceof ChannelSendError && err.retryable && row.attempts < 8) {
        const backoff = Math.min(60_000, 1000 * 2 ** row.attempts);
        await ctx.db.db.update(ob).set({ lockedUntil: new Date(nowOf(ctx).getTime() + backoff), lastError: e.message }).where(eq(ob.id, row.id));
        return;
      }
      return fail(row, messageId, e.message);
    }
    const at = nowOf(ctx);
    const recorded = await ctx.db.db.transaction(async (tx) => {
      const done = await tx.update(ob).set({ state: 'sent', lockedUntil: null, lastError: null }).where(and(eq(ob.id, row.id), eq(ob.state, 'pending'))).returning({ id: ob.id });
      if (!done.length) return false; // another drainer recorded it (the ledger gave both the same provider id)
      await tx.update(cm).set({ providerMessageId, status: 'sent', statusAt: at }).where(eq(cm.id, messageId));
      await tx.update(conv).set({ lastMessageAt: at, updatedAt: at, ...(row.purpose === 'agent' ? {} : {}) }).where(eq(conv.id, row.conversationId));
      await applyEarlyStatuses(tx, row.channel, providerMessageId);
      await addToTimeline(ctx, tx, c.customerId, null, {
        kind: 'message_out',
        channel: row.channel,
        body: row.text || `[template ${row.template?.name}]`,
        payload: { providerMessageId, conversationId: row.conversationId, origin: row.purpose, ...(row.ruleId ? { ruleId: row.ruleId } : {}) },
        at,
      });
      return true;
    });
    if (recorded) await publish(ctx, [{ type: 'status', conversationId: row.conversationId, messageId, status: 'sent' }]);
  }

  async function fail(row: Row, messageId: string, error: string) {
    await ctx.db.db.transaction(async (tx) => {
      await tx.update(ob).set({ state: 'failed', lockedUntil: null, lastError: error }).where(eq(ob.id, row.id));
      await tx.update(cm).set({ status: 'failed', error, statusAt: nowOf(ctx) }).where(eq(cm.id, messageId));
    });
    await publish(ctx, [{ type: 'status', conversationId: row.conversationId, messageId, status: 'failed' }]);
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
      const runList = async (list: Row[]) => {
        for (const row of list.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())) {
          try {
            await handle(row);
          } catch (err) {
            console.error(`[inbox] outbox row ${row.key} failed:`, err);
          }
        }
      };
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

  const drainer: OutboxDrainer = {
    kick() {
      if (!stopped) void drain().catch((err: unknown) => console.error('[inbox] outbox drain failed:', err));
    },
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      drainers.delete(ctx.db);
      await running?.catch(() => {});
    },
  };
  drainers.set(ctx.db, drainer);
  drainer.kick(); // rows left by a previous process (crash between commit and send)
  return drainer;
}

/** Rows still waiting (for tests and the health page). */
export async function pendingOutbox(ctx: AppContext) {
  return ctx.db.db.select().from(ob).where(and(eq(ob.state, 'pending'), gt(ob.dueAt, new Date(0))));
}
