/**
 * Failure alerts and the caller's notifications.
 *
 * There is no inbox table: like the notify_user node (flows/runtime/node-context.ts), a
 * notification is a `system` entry on the customer's timeline addressed to a user
 * (`payload.userId`), so the customer's history shows it too. A failed run alerts the flow's
 * owner (or every active admin when the flow has no active owner) once per run.
 *
 * `raiseFailureAlerts` is one idempotent INSERT … SELECT under an advisory lock: it runs before
 * every notification read (so an alert is never missed), and `startFailureAlerts` runs it on a
 * timer for servers that want the timeline entries written as runs fail.
 */
import { sql } from 'drizzle-orm';
import { rowsOf } from '@nudge/db';
import { nowOf, type AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';

const ALERT_LOCK = 727_001;

/** Writes the missing alerts of failed runs; returns how many were written. */
export async function raiseFailureAlerts(ctx: AppContext): Promise<number> {
  return ctx.db.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ALERT_LOCK})`);
    const result = await tx.execute(sql`
      insert into interactions (customer_id, kind, body, payload, occurred_at)
      select fr.customer_id, 'system',
        'Flow "' || f.name || '" failed for ' || c.full_name ||
          coalesce(' at step ' || fr.current_node_id, '') || coalesce(': ' || fr.error, ''),
        jsonb_build_object(
          'event', 'flow_run_failed',
          'userId', u.id,
          'title', 'Flow "' || f.name || '" failed',
          'flowId', f.id,
          'flowName', f.name,
          'runId', fr.id,
          'nodeId', fr.current_node_id,
          'error', fr.error),
        fr.updated_at
      from flow_runs fr
      join flows f on f.id = fr.flow_id
      join customers c on c.id = fr.customer_id
      join users u on u.active and (
        u.id = f.owner_id
        or (u.role = 'admin' and not exists (select 1 from users o where o.id = f.owner_id and o.active)))
      where fr.status = 'failed' and not fr.is_test
        and not exists (
          select 1 from interactions i
          where i.customer_id = fr.customer_id and i.kind = 'system'
            and i.payload->>'event' = 'flow_run_failed' and i.payload->>'runId' = fr.id::text)
      returning id`);
    return rowsOf(result).length;
  });
}

/** Runs `raiseFailureAlerts` every `intervalMs` (default 15 s); returns a stop function. */
export function startFailureAlerts(ctx: AppContext, intervalMs = 15_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    raiseFailureAlerts(ctx)
      .catch((err: unknown) => console.error('[flows] failure alerts:', err))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export interface NotificationQuery {
  unread?: 'true' | 'false';
  page: number;
  pageSize: number;
}

export async function listNotifications(ctx: AppContext, user: AuthUser, query: NotificationQuery) {
  await raiseFailureAlerts(ctx);
  const unreadOnly = query.unread === 'true' ? sql`and i.payload->>'readAt' is null` : query.unread === 'false' ? sql`and i.payload->>'readAt' is not null` : sql``;
  const rows = rowsOf<{
    id: string;
    event: string;
    title: string | null;
    body: string | null;
    customerId: string;
    customerName: string;
    flowId: string | null;
    runId: string | null;
    nodeId: string | null;
    readAt: string | null;
    createdAt: Date | string;
  }>(
    await ctx.db.db.execute(sql`
      select i.id, i.payload->>'event' as event, i.payload->>'title' as title, i.body,
        i.customer_id as "customerId", c.full_name as "customerName",
        i.payload->>'flowId' as "flowId", i.payload->>'runId' as "runId", i.payload->>'nodeId' as "nodeId",
        i.payload->>'readAt' as "readAt", i.occurred_at as "createdAt"
      from interactions i join customers c on c.id = i.customer_id
      where i.kind = 'system' and i.payload->>'userId' = ${user.id} ${unreadOnly}
      order by i.occurred_at desc, i.id desc
      limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`),
  );
  const [counts] = rowsOf<{ total: number; unread: number }>(
    await ctx.db.db.execute(sql`
      select count(*)::int as total, (count(*) filter (where payload->>'readAt' is null))::int as unread
      from interactions where kind = 'system' and payload->>'userId' = ${user.id}`),
  );
  return {
    items: rows.map((n) => ({
      id: n.id,
      event: n.event,
      title: n.title ?? n.event,
      body: n.body,
      customerId: n.customerId,
      customerName: n.customerName,
      flowId: n.flowId,
      runId: n.runId,
      nodeId: n.nodeId,
      read: n.readAt !== null,
      createdAt: new Date(n.createdAt).toISOString(),
    })),
    total: Number(counts?.total ?? 0),
    unread: Number(counts?.unread ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** Marks the caller's notifications read (some by id, or all); returns how many changed. */
export async function markNotificationsRead(ctx: AppContext, user: AuthUser, body: { ids?: string[]; all?: true }): Promise<number> {
  const at = nowOf(ctx).toISOString();
  const which = body.all ? sql`` : sql`and i.id in (${sql.join((body.ids ?? []).map((id) => sql`${id}::uuid`), sql`, `)})`;
  const result = await ctx.db.db.execute(sql`
    update interactions i set payload = i.payload || jsonb_build_object('readAt', ${at}::text)
    where i.kind = 'system' and i.payload->>'userId' = ${user.id} and i.payload->>'readAt' is null ${which}
    returning i.id`);
  return rowsOf(result).length;
}
