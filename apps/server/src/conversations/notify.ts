/** Notifications for people, once per dedupe key (a breach alerts once however often the sweep runs). */
import { and, eq, inArray } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { DbOrTx } from './settings.js';
import type { Notified } from './live.js';

export interface Notice {
  kind: 'sla_breach' | 'high_value' | 'handoff' | 'mention' | 'escalation';
  conversationId: string | null;
  body: string;
  dedupeKey: string;
}

/** The notifications created (none for a dedupe key already notified); publish them after the commit (live.ts). */
export async function notifyUsers(db: DbOrTx, userIds: (string | null | undefined)[], notice: Notice): Promise<Notified[]> {
  const ids = [...new Set(userIds.filter((x): x is string => !!x))];
  if (!ids.length) return [];
  const rows = await db
    .insert(schema.inboxNotifications)
    .values(ids.map((userId) => ({ userId, ...notice })))
    .onConflictDoNothing({ target: [schema.inboxNotifications.userId, schema.inboxNotifications.dedupeKey] })
    .returning({ id: schema.inboxNotifications.id, userId: schema.inboxNotifications.userId, kind: schema.inboxNotifications.kind, conversationId: schema.inboxNotifications.conversationId });
  return rows;
}

/** Supervisors: agents flagged `supervisor` (of the team, when it has any), else managers and admins. */
export async function supervisorsOf(db: DbOrTx, teamId: string | null): Promise<string[]> {
  const p = schema.agentProfiles;
  const u = schema.users;
  const flagged = await db
    .select({ id: u.id, teamId: u.teamId })
    .from(p)
    .innerJoin(u, eq(u.id, p.userId))
    .where(and(eq(p.supervisor, true), eq(u.active, true)));
  const ofTeam = flagged.filter((s) => teamId && s.teamId === teamId);
  if (ofTeam.length) return ofTeam.map((s) => s.id);
  if (flagged.length) return flagged.map((s) => s.id);
  const managers = await db.select({ id: u.id }).from(u).where(and(inArray(u.role, ['manager', 'admin']), eq(u.active, true)));
  return managers.map((m) => m.id);
}

export async function notifySupervisors(db: DbOrTx, teamId: string | null, notice: Notice): Promise<Notified[]> {
  return notifyUsers(db, await supervisorsOf(db, teamId), notice);
}
