/** Starting a flow by hand for selected customers. */
import { randomUUID } from 'node:crypto';
import { and, inArray, type SQL } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { writeAudit } from '../../http/audit.js';
import { badRequest, conflict, HttpError } from '../../http/errors.js';
import { visibleTo } from '../../customers/access.js';
import { enrollMany } from '../runtime/enroll.js';
import { loadFlow } from './flows.js';

/**
 * Starts an active flow for hand-picked customers (the manual trigger, or ops pushing customers
 * into any flow). One enrollment key per request, so the flow's own rules decide: a "once" flow
 * never starts twice, "again after N days" refuses customers who ran too recently.
 */
export async function enrollSelected(ctx: AppContext, user: AuthUser, flowId: string, customerIds: string[]) {
  const flow = await loadFlow(ctx.db.db, flowId);
  if (flow.status !== 'active') {
    throw conflict(`The flow "${flow.name}" is ${flow.status}: only an active flow takes customers${flow.status === 'draft' ? ' (publish it first)' : flow.status === 'paused' ? ' (resume it first)' : ''}.`, { status: flow.status });
  }
  const ids = [...new Set(customerIds)];
  const conds: (SQL | undefined)[] = [inArray(schema.customers.id, ids), visibleTo(user)];
  const found = new Set((await ctx.db.db.select({ id: schema.customers.id }).from(schema.customers).where(and(...conds))).map((c) => c.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw badRequest('unknown_customers', `No customer you may see has the id ${missing.slice(0, 5).join(', ')}; nobody was enrolled.`, { missing });
  if (!ctx.temporal) throw new HttpError(503, 'engine_unavailable', 'The flow engine (Temporal) is not running on this server, so no run can start. Start the server with its engine (pnpm start).');
  const result = await enrollMany(ctx, { flowId, customerIds: ids, enrollmentKey: `manual-${randomUUID()}` });
  await writeAudit(ctx.db.db, user, { action: 'flow.enroll', entityType: 'flow', entityId: flowId, details: { customers: ids.length, started: result.started, skipped: result.skipped } });
  return { started: result.started, existing: result.existing, skipped: result.skipped, reasons: Object.fromEntries(Object.entries(result.reasons).filter(([, n]) => n > 0)) as Record<string, number> };
}
