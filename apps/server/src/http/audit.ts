import { schema, type DbHandle } from '@nudge/db';
import type { AuthUser } from './auth.js';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  fields?: string[];
  details?: Record<string, unknown>;
}

type Executor = Pick<DbHandle['db'], 'insert'>;

/** Appends to audit_log (inside the caller's transaction when given one). */
export async function writeAudit(db: Executor, actor: Pick<AuthUser, 'id' | 'email'> | null, entries: AuditEntry | AuditEntry[]) {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await db.insert(schema.auditLog).values(list.map((e) => auditValues(actor, e)));
}

/** The audit_log row of one entry (for callers that write it inside another statement, e.g. a CTE). */
export const auditValues = (actor: Pick<AuthUser, 'id' | 'email'> | null, e: AuditEntry) => ({
  actorId: actor?.id ?? null,
  actorEmail: actor?.email ?? null,
  action: e.action,
  entityType: e.entityType,
  entityId: e.entityId ?? null,
  fields: e.fields ?? null,
  details: e.details ?? null,
});
