/**
 * A flow's results (SPEC F "reports per flow and per step"), over runs started in a period:
 *   reach      — runs and distinct customers;
 *   response   — runs whose customer wrote to us (an inbound message on the timeline) while the
 *                run was open;
 *   conversion — runs that left at a goal;
 * and per step: runs that reached it, went through it, were skipped or failed there, and, for
 * waits, took the "replied" branch. Test runs are left out. CSAT is not collected yet, so it is
 * not reported.
 */
import { sql } from 'drizzle-orm';
import { rowsOf } from '@nudge/db';
import { nowOf, type AppContext } from '../../context.js';

export async function flowReport(ctx: AppContext, flowId: string, range: { from?: Date; to?: Date }) {
  const now = nowOf(ctx).toISOString();
  const from = range.from?.toISOString() ?? null;
  const to = range.to?.toISOString() ?? null;
  const inRange = sql`fr.flow_id = ${flowId} and not fr.is_test
    and (${from}::timestamptz is null or fr.started_at >= ${from}::timestamptz)
    and (${to}::timestamptz is null or fr.started_at <= ${to}::timestamptz)`;
  const [totals] = rowsOf<Record<string, number>>(
    await ctx.db.db.execute(sql`
      select count(*)::int as runs,
        count(distinct fr.customer_id)::int as customers,
        count(*) filter (where fr.status = 'running')::int as running,
        count(*) filter (where fr.status = 'waiting')::int as waiting,
        count(*) filter (where fr.status = 'completed')::int as completed,
        count(*) filter (where fr.status = 'failed')::int as failed,
        count(*) filter (where fr.status = 'cancelled')::int as cancelled,
        count(*) filter (where fr.exit_reason = 'goal')::int as conversions,
        count(*) filter (where exists (
          select 1 from interactions i
          where i.customer_id = fr.customer_id and i.kind = 'message_in'
            and i.occurred_at >= fr.started_at and i.occurred_at <= coalesce(fr.finished_at, ${now}::timestamptz)))::int as responded
      from flow_runs fr where ${inRange}`),
  );
  const steps = rowsOf<{ nodeId: string; reached: number; done: number; skipped: number; failed: number; replied: number }>(
    await ctx.db.db.execute(sql`
      select st.node_id as "nodeId",
        count(distinct st.run_id)::int as reached,
        count(distinct st.run_id) filter (where st.status = 'done')::int as done,
        count(distinct st.run_id) filter (where st.status = 'skipped' and st.error is null)::int as skipped,
        count(distinct st.run_id) filter (where st.status = 'failed')::int as failed,
        count(distinct st.run_id) filter (where st.port = 'replied')::int as replied
      from flow_run_steps st join flow_runs fr on fr.id = st.run_id
      where st.flow_id = ${flowId} and ${inRange}
      group by st.node_id`),
  );
  const n = (k: string) => Number(totals?.[k] ?? 0);
  const runs = n('runs');
  const rate = (x: number) => (runs ? Math.round((x / runs) * 1000) / 10 : null);
  return {
    from: from,
    to: to,
    runs,
    customers: n('customers'),
    byStatus: { running: n('running'), waiting: n('waiting'), completed: n('completed'), failed: n('failed'), cancelled: n('cancelled') },
    responded: n('responded'),
    responseRate: rate(n('responded')),
    conversions: n('conversions'),
    conversionRate: rate(n('conversions')),
    steps: Object.fromEntries(
      steps.map((s) => [
        s.nodeId,
        { reached: Number(s.reached), done: Number(s.done), skipped: Number(s.skipped), failed: Number(s.failed), replied: Number(s.replied) },
      ]),
    ),
  };
}
