/**
 * The inbox's durable timers that are not per-message: SLA breaches (alert once), snoozes that
 * end, conversations idle for N days resolved, the escalation ladder (escalation.ts), and the
 * unassigned backlog handed out. All state
 * is in the database, so a restart loses nothing; each step claims its rows with one UPDATE …
 * RETURNING, so two servers never alert twice. (The 10-minute follow-up is an outbox row.)
 *
 * Index-backed at any size: each step's condition repeats, as literal SQL, the predicate of its
 * partial index (conversations_sweep_*_idx, conversations_backlog_idx in the schema) — with bound
 * parameters instead (status IN ($1, $2)) a generic plan could not prove the index applies and
 * would scan every conversation. `pnpm bench inbox-list --pg` prints the sweep's plans and time over 100k.
 */
import { and, eq, lte, or, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { assignBacklog } from './assignment.js';
import { notifyUsers, supervisorsOf } from './notify.js';
import { setting } from '../config.js';
import { publish, publishNotifications } from './live.js';
import { escalateUnanswered, type EscalationResult } from './escalation.js';

const conv = schema.conversations;

export interface SweepResult {
  breached: number;
  woken: number;
  autoResolved: number;
  assigned: number;
  escalated: EscalationResult;
}

export const autoResolveDays = () => setting('NUDGE_INBOX_AUTO_RESOLVE_DAYS');

export async function sweepInbox(ctx: AppContext): Promise<SweepResult> {
  const now = nowOf(ctx);
  const breached = await ctx.db.db
    .update(conv)
    .set({ slaBreachedAt: now })
    .where(
      or(
        and(sql.raw(`sla_breached_at IS NULL AND first_responded_at IS NULL AND status IN ('open', 'pending')`), lte(conv.firstResponseDueAt, now)),
        and(sql.raw(`sla_breached_at IS NULL AND status IN ('open', 'pending')`), lte(conv.nextResponseDueAt, now)),
      ),
    )
    .returning();
  for (const c of breached) {
    const [customer] = await ctx.db.db.select({ ownerId: schema.customers.ownerId, fullName: schema.customers.fullName }).from(schema.customers).where(eq(schema.customers.id, c.customerId));
    const due = c.firstRespondedAt ? c.nextResponseDueAt : c.firstResponseDueAt;
    const notified = await notifyUsers(ctx.db.db, [c.assigneeId, customer?.ownerId, ...(await supervisorsOf(ctx.db.db, c.teamId))], {
      kind: 'sla_breach',
      conversationId: c.id,
      body: `${customer?.fullName ?? 'A customer'} (${c.priority}) has waited past the reply deadline ${due?.toISOString() ?? ''}.`,
      dedupeKey: `sla:${c.id}:${due?.toISOString() ?? ''}`,
    });
    publishNotifications(ctx, notified);
  }
  const woken = await ctx.db.db
    .update(conv)
    .set({ status: 'open', snoozedUntil: null, updatedAt: now })
    .where(and(sql.raw(`status = 'snoozed'`), lte(conv.snoozedUntil, now)))
    .returning({ id: conv.id });
  const idleSince = new Date(now.getTime() - autoResolveDays() * 86_400_000);
  const autoResolved = await ctx.db.db
    .update(conv)
    .set({ status: 'resolved', resolvedAt: now, updatedAt: now })
    .where(and(sql.raw(`status IN ('open', 'pending')`), lte(conv.lastMessageAt, idleSince)))
    .returning({ id: conv.id });
  await publish(ctx, [
    ...woken.map((c) => ({ type: 'conversation' as const, conversationId: c.id, status: 'open' })),
    ...autoResolved.map((c) => ({ type: 'conversation' as const, conversationId: c.id, status: 'resolved' })),
  ]);
  const escalated = await escalateUnanswered(ctx);
  const assigned = await assignBacklog(ctx);
  return { breached: breached.length, woken: woken.length, autoResolved: autoResolved.length, assigned, escalated };
}

export function startInboxJobs(ctx: AppContext, intervalMs = 15_000): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepInbox(ctx)
      .catch((err: unknown) => console.error('[inbox] sweep failed:', err))
      .finally(() => { running = null; });
  }, intervalMs);
  timer.unref();
  return { async stop() { clearInterval(timer); await running; } };
}
