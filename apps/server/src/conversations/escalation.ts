/**
 * The escalation ladder (SPEC D): when the assignee doesn't answer within N minutes (the inbox
 * policy's `escalateAfterMinutes`, default 15), the conversation moves on, one step each N
 * minutes while the customer still waits:
 *
 *   1. the next agent of the team who is on shift, present and under their cap (notified);
 *      no such agent → straight to step 2
 *   2. the team queue: unassigned in its team, shown under "Unassigned" / "Team"; the backlog
 *      hand-out leaves it there for a person to take (it would only give it to the next agent again)
 *   3. the supervisors of the team are notified, once
 *
 * "Waiting" starts at the first customer message after the last agent message, or when the
 * current assignee got the conversation, or at the last step — whichever is latest. An agent's
 * reply (service.ts) sets the step back to 0 and stops the ladder; so does a manual assignment.
 *
 * Durable: the step and its time are columns of the conversation (`escalation_step`,
 * `escalated_at`), and the ladder is run by the inbox sweep (jobs.ts, every 15 s), so a restart
 * loses nothing and a step is taken at most 15 s late. Each step is claimed by an UPDATE guarded
 * on the step it moves from (and the assignee it saw), so two servers or two sweeps can't take
 * the same step twice, and the supervisor's notification has a dedupe key per episode.
 */
import { and, asc, eq, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { loadCandidates } from './assignment.js';
import { publish, publishNotifications, type InboxEvent, type Notified } from './live.js';
import { notifySupervisors, notifyUsers } from './notify.js';
import { chooseAgent } from './routing.js';
import { loadInboxSettings } from './settings.js';

const conv = schema.conversations;

export const ESCALATION = { none: 0, nextAgent: 1, teamQueue: 2, supervisor: 3 } as const;

export interface EscalationResult {
  nextAgent: number;
  teamQueue: number;
  supervisor: number;
}

const latest = (...ds: (Date | null | undefined)[]) => Math.max(...ds.map((d) => (d ? d.getTime() : 0)));

export async function escalateUnanswered(ctx: AppContext): Promise<EscalationResult> {
  const now = nowOf(ctx);
  const settings = await loadInboxSettings(ctx);
  const afterMs = settings.policy.escalateAfterMinutes * 60_000;
  const result: EscalationResult = { nextAgent: 0, teamQueue: 0, supervisor: 0 };
  const cutoff = new Date(now.getTime() - afterMs);
  // Conversations whose customer waits for a person and whose wait is due, in ONE statement: the
  // partial index conversations_sweep_escalation_idx gives the waiting ones (its predicate repeated
  // literally), cheap column tests drop those whose assignment or last step is too recent, and the
  // wait's start (the first customer message after the last agent message) is read per remaining
  // row from conversation_messages_conversation_idx — not a query per conversation, and none that is
  // not due yet takes a place under the LIMIT (which could starve the due ones behind 500 fresh ones).
  const candidates = ctx.db.db
    .select({
      id: conv.id,
      assigneeId: conv.assigneeId,
      teamId: conv.teamId,
      language: conv.language,
      step: conv.escalationStep,
      assignedAt: conv.assignedAt,
      escalatedAt: conv.escalatedAt,
      customerId: conv.customerId,
      lastCustomerMessageAt: conv.lastCustomerMessageAt,
      // written out qualified: drizzle renders columns unqualified here, and "id" would be the message's
      waitingSince: sql<string | Date | null>`(${sql.raw(`select min(m.created_at) from conversation_messages m where m.conversation_id = conversations.id and m.direction = 'in' and (conversations.last_agent_message_at is null or m.created_at > conversations.last_agent_message_at)`)})`.as('waiting_since'),
    })
    .from(conv)
    .where(
      and(
        sql.raw(`status IN ('open', 'pending') AND escalation_step < 3 AND last_customer_message_at IS NOT NULL AND (last_agent_message_at IS NULL OR last_agent_message_at < last_customer_message_at)`),
        or(isNotNull(conv.assigneeId), eq(conv.escalationStep, ESCALATION.teamQueue)),
        or(isNull(conv.lastAgentMessageAt), lt(conv.lastAgentMessageAt, cutoff)),
        or(isNull(conv.assigneeId), isNull(conv.assignedAt), lte(conv.assignedAt, cutoff)),
        or(isNull(conv.escalatedAt), lte(conv.escalatedAt, cutoff)),
      ),
    )
    .as('candidates');
  const waiting = await ctx.db.db
    .select()
    .from(candidates)
    .where(sql`${candidates.waitingSince} <= ${cutoff.toISOString()}::timestamptz`)
    .orderBy(asc(candidates.lastCustomerMessageAt))
    .limit(500);
  for (const w of waiting) {
    const waitingSince = w.waitingSince ? new Date(w.waitingSince) : null; // a string or a Date, by driver
    const since = latest(waitingSince, w.assigneeId ? w.assignedAt : null, w.escalatedAt);
    if (!waitingSince || since + afterMs > now.getTime()) continue;
    const events: InboxEvent[] = [];
    const notified: Notified[] = [];
    const took = await ctx.db.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('nudge.inbox.assign'))`);
      const guard = and(eq(conv.id, w.id), eq(conv.escalationStep, w.step), w.assigneeId ? eq(conv.assigneeId, w.assigneeId) : isNull(conv.assigneeId));
      const [customer] = await tx.select({ fullName: schema.customers.fullName }).from(schema.customers).where(eq(schema.customers.id, w.customerId));
      const who = customer?.fullName ?? 'A customer';
      const minutes = settings.policy.escalateAfterMinutes;
      if (w.step === ESCALATION.none && w.assigneeId) {
        const team = settings.teams.find((t) => t.teamId === w.teamId);
        const others = (await loadCandidates(tx, now, w.teamId)).filter((a) => a.userId !== w.assigneeId);
        const next = chooseAgent(others, { teamId: w.teamId, skill: team?.skill ?? null, language: w.language }, settings.policy.strategy);
        if (next) {
          const moved = await tx.update(conv).set({ assigneeId: next.userId, assignedAt: now, escalationStep: ESCALATION.nextAgent, escalatedAt: now, updatedAt: now }).where(guard).returning({ id: conv.id });
          if (!moved.length) return null;
          await tx.update(schema.agentProfiles).set({ lastAssignedAt: now }).where(eq(schema.agentProfiles.userId, next.userId));
          notified.push(...(await notifyUsers(tx, [next.userId], { kind: 'escalation', conversationId: w.id, body: `${who} waited ${minutes} min without an answer: the conversation is yours now.`, dedupeKey: `escalation:${w.id}:agent:${now.toISOString()}` })));
          events.push({ type: 'assignment', conversationId: w.id, assigneeId: next.userId, teamId: w.teamId });
          return 'nextAgent' as const;
        }
      }
      if (w.step === ESCALATION.none || w.step === ESCALATION.nextAgent) {
        const moved = await tx.update(conv).set({ assigneeId: null, assignedAt: null, escalationStep: ESCALATION.teamQueue, escalatedAt: now, updatedAt: now }).where(guard).returning({ id: conv.id });
        if (!moved.length) return null;
        events.push({ type: 'assignment', conversationId: w.id, assigneeId: null, teamId: w.teamId });
        return 'teamQueue' as const;
      }
      // in the team queue (or taken from it without an answer) for N more minutes: the supervisors, once
      const moved = await tx.update(conv).set({ escalationStep: ESCALATION.supervisor, escalatedAt: now, updatedAt: now }).where(guard).returning({ id: conv.id });
      if (!moved.length) return null;
      notified.push(...(await notifySupervisors(tx, w.teamId, {
        kind: 'escalation',
        conversationId: w.id,
        body: `${who} has waited without an answer: nobody took the conversation from the team queue within ${minutes} min.`,
        dedupeKey: `escalation:${w.id}:supervisor:${waitingSince.toISOString()}`,
      })));
      return 'supervisor' as const;
    });
    if (!took) continue;
    result[took] += 1;
    await publish(ctx, events, [w.assigneeId]);
    publishNotifications(ctx, notified);
  }
  return result;
}
