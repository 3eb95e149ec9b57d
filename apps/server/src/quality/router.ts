import { and, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '@nudge/db';
import { nowOf, type AppContext } from '../context.js';
import { writeAudit } from '../http/audit.js';
import { createApiRouter } from '../http/route.js';
import { seesContacts, visibleTo } from '../customers/access.js';
import { qualityReport, STALE_DAYS, STALE_WIN_PROBABILITY } from './service.js';

export function createQualityRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/quality', 'Data quality');

  route({
    method: 'get',
    path: '/report',
    summary: 'Data-quality report: completeness vs 95 %, overdue follow-ups, stale records, duplicate candidates',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      duplicateScan: z.coerce
        .number()
        .int()
        .min(2)
        .max(200_000)
        .optional()
        .describe('How many of the most recent customers the duplicate finder compares (default 20,000)'),
    }),
    handler: async ({ query, user }) =>
      qualityReport(ctx.db, {
        now: nowOf(ctx),
        scope: visibleTo(user),
        limit: query.limit,
        maskContacts: !seesContacts(user),
        duplicateScan: query.duplicateScan,
      }),
  });

  route({
    method: 'post',
    path: '/stale/archive',
    summary: 'Archive stale records proposed by the report (only those still stale are archived)',
    action: 'quality.archiveStale',
    body: z.object({ ids: z.array(z.uuid()).min(1).max(10_000) }),
    response: z.object({ archived: z.number() }),
    handler: async ({ body, user }) => {
      const now = nowOf(ctx);
      const staleBefore = new Date(now.getTime() - STALE_DAYS * 86_400_000).toISOString();
      const c = schema.customers;
      const rows = await ctx.db.db
        .update(c)
        .set({ archivedAt: now, updatedAt: now })
        .where(
          and(
            inArray(c.id, body.ids),
            isNull(c.archivedAt),
            sql`coalesce(${c.lastInteractionAt}, ${c.createdAt}) < ${staleBefore}::timestamptz`,
            sql`coalesce(${c.winProbability}, 0) < ${STALE_WIN_PROBABILITY}`,
          ),
        )
        .returning({ id: c.id });
      await writeAudit(ctx.db.db, user, rows.map((r) => ({ action: 'customer.archive', entityType: 'customer', entityId: r.id, details: { reason: 'stale' } })));
      return { archived: rows.length };
    },
  });

  return router;
}
