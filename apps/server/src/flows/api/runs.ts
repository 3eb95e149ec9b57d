/**
 * The ops view of runs: lists with filters, one run with every step, per-node counts for the
 * canvas. The runtime writes flow_runs / flow_run_steps through activities; everything here is
 * plain SQL over them. Agents see the runs of the customers they may see (their own, their
 * team's), like everywhere else.
 */
import { and, asc, count, desc, eq, gte, ilike, lte, sql, type SQL } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { notFound } from '../../http/errors.js';
import { visibleTo } from '../../customers/access.js';
import { escapeLike } from './flows.js';

const r = schema.flowRuns;
const s = schema.flowRunSteps;
const f = schema.flows;
const v = schema.flowVersions;
const c = schema.customers;

export interface RunFilters {
  flowId?: string;
  status?: (typeof schema.FLOW_RUN_STATUSES)[number];
  customerId?: string;
  /** part of the customer's name */
  customer?: string;
  from?: string;
  to?: string;
  test: 'true' | 'false' | 'all';
  page: number;
  pageSize: number;
}

/** A date-only bound covers its whole day (UTC): `to=2026-06-01` includes runs of that day. */
export function bound(value: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z`);
  return new Date(value);
}

const runColumns = {
  run: r,
  flowName: f.name,
  version: v.version,
  customerName: c.fullName,
};
type RunRow = { run: typeof r.$inferSelect; flowName: string; version: number | null; customerName: string | null };

export function presentRun(row: RunRow) {
  const x = row.run;
  return {
    id: x.id,
    flowId: x.flowId,
    flowName: row.flowName,
    version: row.version,
    customerId: x.customerId,
    customerName: row.customerName,
    status: x.status,
    currentNodeId: x.currentNodeId,
    isTest: x.isTest,
    exitReason: x.exitReason,
    startedAt: x.startedAt.toISOString(),
    finishedAt: x.finishedAt?.toISOString() ?? null,
    error: x.error,
  };
}

export async function listRuns(ctx: AppContext, user: AuthUser, filters: RunFilters) {
  const conds: (SQL | undefined)[] = [visibleTo(user)];
  if (filters.flowId) conds.push(eq(r.flowId, filters.flowId));
  if (filters.status) conds.push(eq(r.status, filters.status));
  if (filters.customerId) conds.push(eq(r.customerId, filters.customerId));
  if (filters.customer) conds.push(ilike(c.fullName, `%${escapeLike(filters.customer)}%`));
  if (filters.from) conds.push(gte(r.startedAt, bound(filters.from, false)));
  if (filters.to) conds.push(lte(r.startedAt, bound(filters.to, true)));
  if (filters.test !== 'all') conds.push(eq(r.isTest, filters.test === 'true'));
  const where = and(...conds);
  const db = ctx.db.db;
  const [rows, [total]] = await Promise.all([
    db
      .select(runColumns)
      .from(r)
      .innerJoin(f, eq(f.id, r.flowId))
      .innerJoin(c, eq(c.id, r.customerId))
      .leftJoin(v, eq(v.id, r.flowVersionId))
      .where(where)
      .orderBy(desc(r.startedAt), desc(r.id))
      .limit(filters.pageSize)
      .offset((filters.page - 1) * filters.pageSize),
    db.select({ n: count() }).from(r).innerJoin(c, eq(c.id, r.customerId)).where(where),
  ]);
  return { items: rows.map(presentRun), total: total?.n ?? 0, page: filters.page, pageSize: filters.pageSize };
}

/** One run the user may see, or 404 (an agent asking for another team's run learns nothing). */
export async function loadRun(ctx: AppContext, user: AuthUser, id: string) {
  const [row] = await ctx.db.db
    .select({ ...runColumns, graph: v.graph, workflowId: r.workflowId })
    .from(r)
    .innerJoin(f, eq(f.id, r.flowId))
    .innerJoin(c, eq(c.id, r.customerId))
    .leftJoin(v, eq(v.id, r.flowVersionId))
    .where(and(eq(r.id, id), visibleTo(user)));
  if (!row) throw notFound('Run', id);
  return row;
}

export function presentStep(step: typeof s.$inferSelect) {
  return {
    id: step.id,
    nodeId: step.nodeId,
    nodeType: step.nodeKey,
    seq: step.seq,
    attempt: step.attempt,
    status: step.status,
    port: step.port,
    output: step.output ?? null,
    error: step.error,
    startedAt: step.startedAt?.toISOString() ?? null,
    finishedAt: step.finishedAt?.toISOString() ?? null,
  };
}

export async function getRun(ctx: AppContext, user: AuthUser, id: string) {
  const row = await loadRun(ctx, user, id);
  const steps = await ctx.db.db.select().from(s).where(eq(s.runId, id)).orderBy(asc(s.seq));
  return {
    ...presentRun(row),
    workflowId: row.workflowId,
    steps: steps.map(presentStep),
    graph: (row.graph as { nodes: []; edges: [] } | null) ?? null,
  };
}

/**
 * Customers at each node of a flow, for the canvas. One GROUP BY over the latest visit of each
 * (run, node): `waiting` / `running` count open runs paused or working there now (a send whose outcome
 * is unknown counts as running: the ledger is settling it); `done` counts
 * runs that went through the node (a step skipped by its own logic, e.g. no email address, went
 * through; one stopped by a cancel did not); `failed` counts runs whose last attempt there failed
 * (and were not retried past it). Test runs are left out.
 */
export async function nodeCounts(ctx: AppContext, flowId: string) {
  const result = await ctx.db.db.execute(sql`
    select latest.node_id as "nodeId",
      count(*) filter (where latest.status = 'waiting' and latest.run_status in ('running', 'waiting'))::int as waiting,
      count(*) filter (where latest.status in ('running', 'pending', 'unknown') and latest.run_status in ('running', 'waiting'))::int as running,
      count(*) filter (where latest.status = 'done' or (latest.status = 'skipped' and latest.error is null))::int as done,
      count(*) filter (where latest.status = 'failed')::int as failed
    from (
      select distinct on (st.run_id, st.node_id) st.node_id, st.status, st.error, fr.status as run_status
      from ${s} st
      join ${r} fr on fr.id = st.run_id
      where st.flow_id = ${flowId} and not fr.is_test
      order by st.run_id, st.node_id, st.seq desc, st.attempt desc
    ) latest
    group by latest.node_id`);
  const rows = ((result as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])) as {
    nodeId: string;
    waiting: number;
    running: number;
    done: number;
    failed: number;
  }[];
  const out: Record<string, { waiting: number; running: number; done: number; failed: number }> = {};
  for (const row of rows) {
    out[row.nodeId] = { waiting: Number(row.waiting), running: Number(row.running), done: Number(row.done), failed: Number(row.failed) };
  }
  return out;
}
