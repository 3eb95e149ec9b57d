/**
 * Delivery statuses from webhooks (WhatsApp `statuses`, SMS callbacks). A status only moves a
 * message forward — queued → sent → delivered → read; failed is final — so statuses that arrive
 * out of order or again never regress it. A status for a message whose send is not recorded yet
 * is kept and applied when it is.
 */
import { and, eq, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import type { DbOrTx } from './settings.js';
import { publish } from './live.js';

const cm = schema.conversationMessages;
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

const rank = (column: unknown) =>
  sql`(case ${column} when 'received' then 0 when 'queued' then 1 when 'sent' then 2 when 'delivered' then 3 when 'read' then 4 when 'failed' then 5 end)`;
const RANK: Record<DeliveryStatus, number> = { sent: 2, delivered: 3, read: 4, failed: 5 };

export interface StatusUpdate {
  channel: 'whatsapp' | 'sms' | 'email';
  providerMessageId: string;
  status: DeliveryStatus | 'deleted';
  at: Date;
  error?: string | null;
}

/** 'updated' | 'stale' (an older or equal status) | 'unknown' (kept for later) | 'ignored'. */
export async function applyDeliveryStatus(ctx: AppContext, s: StatusUpdate): Promise<'updated' | 'stale' | 'unknown' | 'ignored'> {
  if (s.status === 'deleted') return 'ignored';
  const status = s.status;
  const outcome = await ctx.db.db.transaction(async (db) => {
  await lockProviderId(db, s.channel, s.providerMessageId);
  const updated = await db
    .update(cm)
    .set({ status, statusAt: s.at, ...(status === 'failed' ? { error: s.error ?? 'failed' } : {}) })
    .where(and(eq(cm.channel, s.channel), eq(cm.providerMessageId, s.providerMessageId), sql`${rank(cm.status)} < ${RANK[status]}`, sql`${cm.status} <> 'failed'`))
    .returning({ id: cm.id, conversationId: cm.conversationId });
  if (updated.length) return updated[0]!;
  const [known] = await db.select({ id: cm.id }).from(cm).where(and(eq(cm.channel, s.channel), eq(cm.providerMessageId, s.providerMessageId))).limit(1);
  if (known) return 'stale' as const;
  await db
    .insert(schema.earlyMessageStatuses)
    .values({ channel: s.channel, providerMessageId: s.providerMessageId, status, error: s.error ?? null, at: s.at })
    .onConflictDoNothing();
  return 'unknown' as const;
  });
  if (typeof outcome === 'string') return outcome;
  await publish(ctx, [{ type: 'status', conversationId: outcome.conversationId, messageId: outcome.id, status }]);
  return 'updated';
}

/**
 * Recording a send and applying a status for the same provider id take this lock, so a status
 * that finds no message is kept before the send's record looks for kept statuses, or waits for it.
 */
export async function lockProviderId(db: DbOrTx, channel: string, providerMessageId: string) {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`status:${channel}:${providerMessageId}`}))`);
}

/** The same locks for several provider ids, in one statement (a status takes one at a time: no deadlock). */
export async function lockProviderIds(db: DbOrTx, channel: string, providerMessageIds: string[]) {
  const ids = [...new Set(providerMessageIds)].sort();
  await db.execute(sql`select ${sql.join(ids.map((id) => sql`pg_advisory_xact_lock(hashtext(${`status:${channel}:${id}`}))`), sql`, `)}`);
}

/** Statuses that came before the sends were recorded, already taken from early_message_statuses: the highest of each wins. */
export async function applyEarly(db: DbOrTx, channel: string, early: { providerMessageId: string; status: string; error: string | null; at: Date }[]): Promise<void> {
  const byId = new Map<string, (typeof early)[number]>();
  for (const e of early) {
    const had = byId.get(e.providerMessageId);
    if (!had || RANK[e.status as DeliveryStatus] > RANK[had.status as DeliveryStatus]) byId.set(e.providerMessageId, e);
  }
  for (const [providerMessageId, best] of byId) {
    await db
      .update(cm)
      .set({ status: best.status as DeliveryStatus, statusAt: best.at, ...(best.status === 'failed' ? { error: best.error ?? 'failed' } : {}) })
      .where(and(eq(cm.channel, channel), eq(cm.providerMessageId, providerMessageId), sql`${rank(cm.status)} < ${RANK[best.status as DeliveryStatus]}`));
  }
}
