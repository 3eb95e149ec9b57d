/** GET /api/audit — who saw or changed what (admins and managers). */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';

const AuditQuery = z.object({
  entityType: z.string().max(64).optional(),
  entityId: z.string().max(200).optional(),
  actorId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  before: z.coerce.number().int().positive().optional().describe('Return entries with id < before (paging: nextBefore)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const AuditEntry = z
  .object({
    id: z.number(),
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    fields: z.array(z.string()).nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export function createAuditRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/audit', 'Audit');
  route({
    method: 'get',
    path: '/',
    summary: 'The audit log, newest first',
    action: 'audit.read',
    query: AuditQuery,
    response: z.object({ items: z.array(AuditEntry), nextBefore: z.number().nullable() }),
    handler: async ({ query }) => {
      const a = schema.auditLog;
      const conds: (SQL | undefined)[] = [
        query.entityType ? eq(a.entityType, query.entityType) : undefined,
        query.entityId ? eq(a.entityId, query.entityId) : undefined,
        query.actorId ? eq(a.actorId, query.actorId) : undefined,
        query.action ? eq(a.action, query.action) : undefined,
        query.before ? lt(a.id, query.before) : undefined,
      ];
      const rows = await ctx.db.db.select().from(a).where(and(...conds)).orderBy(desc(a.id)).limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      return {
        items: page.map((r) => ({ ...r, at: r.at.toISOString() })),
        nextBefore: rows.length > query.limit ? page.at(-1)!.id : null,
      };
    },
  });
  return router;
}
