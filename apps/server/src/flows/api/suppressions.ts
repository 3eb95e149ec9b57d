/**
 * Suppression lists: customers who must not enter one flow (flowId) or any flow (flowId null).
 * Enrollment (flows/runtime/enroll.ts) checks them; suppressing a customer does not stop a run
 * already in flight (cancel it for that).
 */
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { writeAudit } from '../../http/audit.js';
import { badRequest, notFound } from '../../http/errors.js';

const sup = schema.flowSuppressions;
const scope = (flowId: string | null) => (flowId ? eq(sup.flowId, flowId) : isNull(sup.flowId));

export async function listSuppressions(ctx: AppContext, flowId: string | null) {
  const rows = await ctx.db.db
    .select({ s: sup, customerName: schema.customers.fullName })
    .from(sup)
    .innerJoin(schema.customers, eq(schema.customers.id, sup.customerId))
    .where(scope(flowId))
    .orderBy(desc(sup.createdAt));
  return rows.map((r) => ({
    customerId: r.s.customerId,
    customerName: r.customerName,
    reason: r.s.reason,
    createdBy: r.s.createdBy,
    createdAt: r.s.createdAt.toISOString(),
  }));
}

export async function addSuppressions(ctx: AppContext, user: AuthUser, flowId: string | null, customerIds: string[], reason?: string) {
  const ids = [...new Set(customerIds)];
  const found = await ctx.db.db.select({ id: schema.customers.id }).from(schema.customers).where(inArray(schema.customers.id, ids));
  const known = new Set(found.map((c) => c.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) {
    throw badRequest('unknown_customers', `No customer has the id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}; nothing was suppressed.`, { missing });
  }
  return ctx.db.db.transaction(async (tx) => {
    const added = await tx
      .insert(sup)
      .values(ids.map((customerId) => ({ flowId, customerId, reason: reason || null, createdBy: user.id })))
      .onConflictDoNothing()
      .returning({ customerId: sup.customerId });
    if (added.length) {
      await writeAudit(tx, user, {
        action: 'flow.suppress',
        entityType: flowId ? 'flow' : 'flows',
        entityId: flowId,
        details: { customerIds: added.map((a) => a.customerId), reason: reason ?? null },
      });
    }
    return { added: added.length, already: ids.length - added.length };
  });
}

export async function removeSuppression(ctx: AppContext, user: AuthUser, flowId: string | null, customerId: string) {
  const removed = await ctx.db.db.delete(sup).where(and(scope(flowId), eq(sup.customerId, customerId))).returning({ id: sup.id });
  if (!removed.length) throw notFound('Suppression of customer', customerId);
  await writeAudit(ctx.db.db, user, { action: 'flow.unsuppress', entityType: flowId ? 'flow' : 'flows', entityId: flowId, details: { customerId } });
}
