/**
 * Assignment inside the caller's transaction: routing keywords pick the team (安装/故障 →
 * technical), the team's skill and the customer's language narrow the agents, the strategy picks
 * one under their cap. One advisory lock serialises decisions so two at once cannot both take an
 * agent's last slot. When an agent frees a slot the unassigned backlog is handed out.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { isWithinHours } from './hours.js';
import { chooseAgent, type AgentCandidate, type AssignmentStrategy } from './routing.js';
import { loadInboxSettings, type DbOrTx, type Tx } from './settings.js';
import { foldForMatch } from './text.js';
import { processEnv, setting, type Env } from '../config.js';
import { publish, type InboxEvent } from './live.js';

const conv = schema.conversations;
const OPEN_STATUSES = ['open', 'pending'] as const;

export const strategyOf = (env: Env = processEnv): AssignmentStrategy => setting('NUDGE_ASSIGNMENT_STRATEGY', env);

/** The team whose routing keywords the text contains, or null. */
export function teamForText(teams: { teamId: string; routingKeywords: string[] }[], text: string): string | null {
  const folded = foldForMatch(text);
  for (const t of teams) if (t.routingKeywords.some((k) => folded.includes(foldForMatch(k)))) return t.teamId;
  return null;
}

/** Agents who could take a conversation (of one team, when given) with their current open load. */
export async function loadCandidates(db: DbOrTx, at: Date, teamId?: string | null): Promise<AgentCandidate[]> {
  const p = schema.agentProfiles;
  const u = schema.users;
  const rows = await db
    .select({
      userId: p.userId,
      teamId: u.teamId,
      skills: p.skills,
      languages: p.languages,
      maxOpen: p.maxOpen,
      available: p.available,
      workingHours: p.workingHours,
      timezone: p.timezone,
      lastAssignedAt: p.lastAssignedAt,
    })
    .from(p)
    .innerJoin(u, eq(u.id, p.userId))
    .where(and(eq(u.active, true), eq(p.supervisor, false), eq(p.available, true), teamId ? eq(u.teamId, teamId) : undefined));
  if (!rows.length) return [];
  const loads = await db
    .select({ assigneeId: conv.assigneeId, open: sql<number>`count(*)::int` })
    .from(conv)
    .where(and(inArray(conv.assigneeId, rows.map((r) => r.userId)), inArray(conv.status, [...OPEN_STATUSES])))
    .groupBy(conv.assigneeId);
  const open = new Map(loads.map((l) => [l.assigneeId, Number(l.open)]));
  return rows.map((r) => ({
    userId: r.userId,
    teamId: r.teamId,
    skills: r.skills,
    languages: r.languages,
    maxOpen: r.maxOpen,
    available: r.available,
    open: open.get(r.userId) ?? 0,
    lastAssignedAt: r.lastAssignedAt,
    onShift: r.workingHours.length === 0 || isWithinHours({ timezone: r.timezone, periods: r.workingHours }, at),
  }));
}

const lock = (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(hashtext('nudge.inbox.assign'))`);

async function give(tx: Tx, conversationId: string, userId: string, at: Date) {
  await tx.update(conv).set({ assigneeId: userId, assignedAt: at, updatedAt: at }).where(eq(conv.id, conversationId));
  await tx.update(schema.agentProfiles).set({ lastAssignedAt: at }).where(eq(schema.agentProfiles.userId, userId));
}

/** Assigns one unassigned conversation if an agent has room; returns the agent or null (stays in the backlog). */
export async function assignConversation(
  ctx: AppContext,
  tx: Tx,
  c: { id: string; teamId: string | null; language: string },
  /** default: the inbox policy's (Settings), else NUDGE_ASSIGNMENT_STRATEGY */
  strategy?: AssignmentStrategy,
): Promise<string | null> {
  await lock(tx);
  const at = nowOf(ctx);
  const settings = await loadInboxSettings(ctx, tx);
  const team = settings.teams.find((t) => t.teamId === c.teamId);
  const chosen = chooseAgent(await loadCandidates(tx, at, c.teamId), { teamId: c.teamId, skill: team?.skill ?? null, language: c.language }, strategy ?? settings.policy.strategy);
  if (!chosen) return null;
  await give(tx, c.id, chosen.userId, at);
  return chosen.userId;
}

/** Hands the oldest waiting conversations (highest priority first) to agents with free slots. */
export async function assignBacklog(ctx: AppContext, strategy?: AssignmentStrategy): Promise<number> {
  const given: InboxEvent[] = [];
  const count = await ctx.db.db.transaction(async (tx) => {
    await lock(tx);
    const at = nowOf(ctx);
    const settings = await loadInboxSettings(ctx, tx);
    const waiting = await tx
      .select({ id: conv.id, teamId: conv.teamId, language: conv.language })
      .from(conv)
      // not those the escalation ladder put in the team queue (they'd go to the next agent again): people take them
      .where(sql.raw(`assignee_id IS NULL AND needs_human AND status IN ('open', 'pending') AND escalation_step < 2`)) // conversations_backlog_idx's predicate, literally
      .orderBy(asc(conv.priority), asc(conv.lastCustomerMessageAt))
      .limit(200);
    if (!waiting.length) return 0;
    const candidates = await loadCandidates(tx, at);
    for (const w of waiting) {
      const team = settings.teams.find((t) => t.teamId === w.teamId);
      const chosen = chooseAgent(candidates, { teamId: w.teamId, skill: team?.skill ?? null, language: w.language }, strategy ?? settings.policy.strategy);
      if (!chosen) continue;
      await give(tx, w.id, chosen.userId, at);
      chosen.open += 1;
      chosen.lastAssignedAt = at;
      given.push({ type: 'assignment', conversationId: w.id, assigneeId: chosen.userId, teamId: w.teamId });
    }
    return given.length;
  });
  await publish(ctx, given);
  return count;
}
