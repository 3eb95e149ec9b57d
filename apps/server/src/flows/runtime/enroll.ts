/**
 * Enrollment: a customer enters a flow. Idempotent twice over —
 *  1. the run row is inserted with a workflow id derived from (flow, customer, enrollment key)
 *     and `ON CONFLICT DO NOTHING` (unique workflow id, and at most one active run per customer
 *     per flow — a partial unique index), so a repeated event finds the existing run;
 *  2. the workflow starts with `workflowIdConflictPolicy: USE_EXISTING` (and, for "once" flows,
 *     `REJECT_DUPLICATE`), so a start retried after a crash attaches to the same execution.
 * Enrollment mode `once` uses the key "once": a customer can never enter twice. `again_after_days`
 * uses the caller's key (event id, sweep day) and refuses customers whose last run started less
 * than N days ago. Suppressed customers (flow_suppressions, per flow or global) never enter.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { preparedOnce, schema } from '@nudge/db';
import { executionPlanSchema, type ExecutionPlan, type FlowEvent } from '@nudge/workflow-nodes/control';
import { nowOf, type AppContext } from '../../context.js';
import { flowWorkflowId } from './shared.js';
import { startFlowRun } from './start.js';

export type FlowRunRow = typeof schema.flowRuns.$inferSelect;

export interface EnrollOptions {
  flowId: string;
  customerId: string;
  /** what makes this enrollment distinct (event id, sweep day…); ignored for "once" flows */
  enrollmentKey?: string;
  /** a test run: actions recorded, waits skipped; allowed on draft / paused flows */
  test?: boolean;
  /** test runs of an unpublished draft: the compiled plan to run (no version row) */
  plan?: ExecutionPlan;
  triggerEvent?: FlowEvent | null;
  /**
   * false: a started run's Temporal run id is NOT written here; the result says `runIdToRecord`
   * and the caller writes it in its own next statement (the webhook stores it with its answer).
   * Until then the row looks like a run whose start crashed: a retry re-attaches (USE_EXISTING).
   */
  recordRunId?: boolean;
}

export type EnrollSkipReason = 'flow_not_active' | 'no_published_version' | 'suppressed' | 'active_run' | 'too_soon' | 'customer_missing';

export interface EnrollResult {
  /** started: a new run; existing: this enrollment had happened already (same workflow id); skipped: not enrolled */
  outcome: 'started' | 'existing' | 'skipped';
  run: FlowRunRow | null;
  reason?: EnrollSkipReason;
  /** with `recordRunId: false`: the run's temporal_run_id the caller must still write */
  runIdToRecord?: string;
}

export class EnrollmentError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'EnrollmentError';
  }
}

/** What enrollment reads of the flow row. */
type FlowFacts = Pick<typeof schema.flows.$inferSelect, 'id' | 'status' | 'currentVersionId' | 'enrollment' | 'sending'>;

interface LoadedFlow {
  flow: FlowFacts;
  versionId: string | null;
  version: number;
  plan: ExecutionPlan;
}

const DAY_MS = 86_400_000;

/**
 * Published versions never change (a publish adds a row): their parsed plans are kept per process,
 * keyed by version id, so an enrollment reads only the flow row (its status and current version
 * may change). Bounded: the oldest entry goes first.
 */
const versionCache = new Map<string, { id: string; version: number; plan: ExecutionPlan }>();
const VERSION_CACHE_SIZE = 256;

async function publishedVersion(ctx: AppContext, versionId: string) {
  const cached = versionCache.get(versionId);
  if (cached) return cached;
  const [row] = await ctx.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.id, versionId));
  if (!row) return null;
  const version = { id: row.id, version: row.version, plan: executionPlanSchema.parse(row.plan) };
  if (versionCache.size >= VERSION_CACHE_SIZE) versionCache.delete(versionCache.keys().next().value!);
  versionCache.set(versionId, version);
  return version;
}

async function loadFlow(ctx: AppContext, flowId: string, test: boolean, plan?: ExecutionPlan): Promise<LoadedFlow | EnrollSkipReason> {
  const [flow] = await ctx.db.db.select().from(schema.flows).where(eq(schema.flows.id, flowId));
  if (!flow) throw new EnrollmentError(`Flow ${flowId} does not exist`, 'flow_missing');
  return withVersion(ctx, flow, test, plan);
}

/** The flow's plan to run (its published version, cached; a test run's draft plan), or why it may not run. */
async function withVersion(ctx: AppContext, flow: FlowFacts, test: boolean, plan?: ExecutionPlan): Promise<LoadedFlow | EnrollSkipReason> {
  if (!test && flow.status !== 'active') return 'flow_not_active';
  if (test && plan) return { flow, versionId: null, version: 0, plan: executionPlanSchema.parse(plan) };
  if (!flow.currentVersionId) return 'no_published_version';
  const version = await publishedVersion(ctx, flow.currentVersionId);
  if (!version) return 'no_published_version';
  return { flow, versionId: version.id, version: version.version, plan: version.plan };
}

const dayKey = (now: Date) => `day-${Math.floor(now.getTime() / DAY_MS)}`;

function keyFor(flow: LoadedFlow['flow'], given: string | undefined, now: Date): string {
  if (flow.enrollment.mode === 'once') return 'once';
  return given ?? dayKey(now);
}

/** Customers of `ids` that may not enter `flowId` now (suppressed, or too soon after their last run). */
async function blockedCustomers(ctx: AppContext, flow: LoadedFlow['flow'], ids: string[], now: Date): Promise<Map<string, EnrollSkipReason>> {
  const blocked = new Map<string, EnrollSkipReason>();
  if (ids.length === 0) return blocked;
  const s = schema.flowSuppressions;
  const suppressed = await ctx.db.db
    .select({ id: s.customerId })
    .from(s)
    .where(and(inArray(s.customerId, ids), or(isNull(s.flowId), eq(s.flowId, flow.id))));
  for (const r of suppressed) blocked.set(r.id, 'suppressed');
  if (flow.enrollment.mode === 'again_after_days') {
    const since = new Date(now.getTime() - flow.enrollment.days * DAY_MS);
    const r = schema.flowRuns;
    const recent = await ctx.db.db
      .selectDistinct({ id: r.customerId })
      .from(r)
      .where(and(eq(r.flowId, flow.id), inArray(r.customerId, ids), eq(r.isTest, false), sql`${r.startedAt} > ${since.toISOString()}::timestamptz`));
    for (const x of recent) if (!blocked.has(x.id)) blocked.set(x.id, 'too_soon');
  }
  return blocked;
}

/** Starts the run's workflow; records its Temporal run id unless `record` is false (batches record theirs in one statement). */
async function startWorkflow(ctx: AppContext, loaded: LoadedFlow, run: FlowRunRow, triggerEvent: FlowEvent | null, record = true): Promise<FlowRunRow> {
  const client = ctx.temporal?.client;
  if (!client) throw new EnrollmentError('The flow engine is not running on this server (no Temporal client)', 'engine_unavailable');
  let temporalRunId: string;
  try {
    temporalRunId = await startFlowRun(client, {
      run,
      plan: loaded.plan,
      versionId: loaded.versionId ?? '',
      flowVersion: loaded.version,
      sending: loaded.flow.sending ?? {},
      triggerEvent,
      useExisting: true,
      reusePolicy: loaded.flow.enrollment.mode === 'once' ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
    });
  } catch (err) {
    // a closed execution with this id exists ("once" flows): that enrollment happened already
    if (err instanceof WorkflowExecutionAlreadyStartedError) return run;
    throw err;
  }
  if (!record) return { ...run, temporalRunId };
  const [updated] = await ctx.db.db
    .update(schema.flowRuns)
    .set({ temporalRunId })
    .where(eq(schema.flowRuns.id, run.id))
    .returning();
  return updated ?? run;
}

/**
 * One statement: the flow row (status, current version, enrollment mode, sending), does the
 * customer exist, has this enrollment happened already (a repeated event, a second sweep: the
 * workflow id of the flow's mode, `$2` for a caller's key or `$6` for "once"), is the customer
 * suppressed or too soon after their last run (blockedCustomers' rules, N days before `$5`).
 */
const ENROLL_CHECK = `with f as (select id, status::text as status, current_version_id::text as current_version_id, enrollment::text as enrollment,
    sending::text as sending from flows where id = $3::uuid),
  w as (select case when f.enrollment::jsonb->>'mode' = 'once' then $6 else $2 end as workflow_id,
    case when $4::boolean and f.enrollment::jsonb->>'mode' = 'again_after_days'
      then $5::timestamptz - ((f.enrollment::jsonb->>'days')::float8 * 86400 * interval '1 second') end as since from f)
  select f.status, f.current_version_id, f.enrollment, f.sending,
    exists (select 1 from customers where id = $1::uuid) as customer,
    (select id::text from flow_runs where workflow_id = w.workflow_id) as existing,
    $4::boolean and exists (select 1 from flow_suppressions where customer_id = $1::uuid and (flow_id is null or flow_id = $3::uuid)) as suppressed,
    $4::boolean and w.since is not null and exists (select 1 from flow_runs where flow_id = $3::uuid and customer_id = $1::uuid
      and not is_test and started_at > w.since) as too_soon
  from f, w`;

type EnrollCheck = {
  status: string;
  current_version_id: string | null;
  enrollment: string;
  sending: string | null;
  customer: boolean;
  existing: string | null;
  suppressed: boolean;
  too_soon: boolean;
};

/** Enrolls one customer. See the file header for the guarantees. */
export async function enrollCustomer(ctx: AppContext, options: EnrollOptions): Promise<EnrollResult> {
  const test = options.test === true;
  const now = nowOf(ctx);
  // the workflow id for either enrollment mode (the statement picks the flow's)
  const testKey = `test-${randomUUID()}`;
  const keyed = test ? `flowtest:${options.flowId}:${options.customerId}:${testKey}` : flowWorkflowId(options.flowId, options.customerId, options.enrollmentKey ?? dayKey(now));
  const once = test ? keyed : flowWorkflowId(options.flowId, options.customerId, 'once');
  const [check] = await ctx.db.sql.query<EnrollCheck>(ENROLL_CHECK, [options.customerId, keyed, options.flowId, !test, now.toISOString(), once]);
  if (!check) throw new EnrollmentError(`Flow ${options.flowId} does not exist`, 'flow_missing');
  const flow: FlowFacts = {
    id: options.flowId,
    status: check.status as FlowFacts['status'],
    currentVersionId: check.current_version_id,
    enrollment: JSON.parse(check.enrollment) as FlowFacts['enrollment'],
    sending: (check.sending === null ? {} : JSON.parse(check.sending)) as FlowFacts['sending'],
  };
  const loaded = await withVersion(ctx, flow, test, options.plan);
  if (typeof loaded === 'string') return { outcome: 'skipped', run: null, reason: loaded };
  const enrollmentKey = test ? testKey : keyFor(loaded.flow, options.enrollmentKey, now);
  const workflowId = test ? keyed : flowWorkflowId(options.flowId, options.customerId, enrollmentKey);
  if (!check.customer) return { outcome: 'skipped', run: null, reason: 'customer_missing' };
  if (check.existing) {
    const [existing] = await ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.id, check.existing));
    if (existing) {
      const run = existing.temporalRunId ? existing : await startWorkflow(ctx, loaded, existing, options.triggerEvent ?? null);
      return { outcome: 'existing', run };
    }
  }
  if (check.suppressed) return { outcome: 'skipped', run: null, reason: 'suppressed' };
  if (check.too_soon) return { outcome: 'skipped', run: null, reason: 'too_soon' };
  const [inserted] = await insertRunQuery(ctx).execute({
    flowId: options.flowId,
    flowVersionId: loaded.versionId,
    customerId: options.customerId,
    workflowId,
    enrollmentKey,
    isTest: test,
    currentNodeId: loaded.plan.startNodeId,
    startedAt: now,
  });
  if (!inserted) {
    const [raced] = await ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.workflowId, workflowId));
    if (raced) return { outcome: 'existing', run: raced.temporalRunId ? raced : await startWorkflow(ctx, loaded, raced, options.triggerEvent ?? null) };
    return { outcome: 'skipped', run: await activeRunOf(ctx, options.flowId, options.customerId), reason: 'active_run' };
  }
  const record = options.recordRunId !== false;
  const run = await startWorkflow(ctx, loaded, inserted, options.triggerEvent ?? null, record);
  return { outcome: 'started', run, ...(!record && run.temporalRunId ? { runIdToRecord: run.temporalRunId } : {}) };
}

/** A new run's row (nothing when its workflow id is taken): built once per database handle. */
const insertRunQuery = (ctx: AppContext) =>
  preparedOnce(ctx.db.db, 'flows.insertRun', () => {
    const p = (name: string) => sql.placeholder(name);
    return ctx.db.db
      .insert(schema.flowRuns)
      .values({
        flowId: p('flowId'),
        flowVersionId: p('flowVersionId'),
        customerId: p('customerId'),
        workflowId: p('workflowId'),
        enrollmentKey: p('enrollmentKey'),
        isTest: p('isTest'),
        status: 'running',
        currentNodeId: p('currentNodeId'),
        startedAt: p('startedAt'),
      })
      .onConflictDoNothing()
      .returning()
      .prepare('flows_insert_run');
  });

/** The customer's running or waiting (non-test) run in a flow, if any. */
export async function activeRunOf(ctx: AppContext, flowId: string, customerId: string): Promise<FlowRunRow | null> {
  const r = schema.flowRuns;
  const [row] = await ctx.db.db
    .select()
    .from(r)
    .where(and(eq(r.flowId, flowId), eq(r.customerId, customerId), eq(r.isTest, false), inArray(r.status, ['running', 'waiting'])))
    .orderBy(desc(r.startedAt))
    .limit(1);
  return row ?? null;
}

export interface EnrollManyResult {
  started: number;
  existing: number;
  skipped: number;
  reasons: Partial<Record<EnrollSkipReason, number>>;
}

/**
 * Enrolls many customers with one enrollment key (a sweep's batch): suppressions, earlier runs
 * and active runs are filtered with a few queries per batch, run rows inserted in one statement,
 * workflows started `concurrency` at a time. Safe to repeat: a second call starts nothing new.
 */
export async function enrollMany(
  ctx: AppContext,
  options: { flowId: string; customerIds: string[]; enrollmentKey?: string; concurrency?: number; triggerEvent?: FlowEvent | null },
): Promise<EnrollManyResult> {
  const result: EnrollManyResult = { started: 0, existing: 0, skipped: 0, reasons: {} };
  const skip = (reason: EnrollSkipReason, n = 1) => {
    result.skipped += n;
    result.reasons[reason] = (result.reasons[reason] ?? 0) + n;
  };
  const ids = [...new Set(options.customerIds)];
  if (ids.length === 0) return result;
  const loaded = await loadFlow(ctx, options.flowId, false);
  if (typeof loaded === 'string') {
    skip(loaded, ids.length);
    return result;
  }
  const now = nowOf(ctx);
  const key = keyFor(loaded.flow, options.enrollmentKey, now);
  const byWorkflowId = new Map(ids.map((id) => [flowWorkflowId(options.flowId, id, key), id]));
  const r = schema.flowRuns;
  const already = await ctx.db.db.select().from(r).where(inArray(r.workflowId, [...byWorkflowId.keys()]));
  const toStart: FlowRunRow[] = [];
  const seen = new Set<string>();
  for (const row of already) {
    seen.add(row.customerId);
    result.existing += 1;
    if (!row.temporalRunId) toStart.push(row); // inserted by a sweep that crashed before starting it
  }
  const fresh = ids.filter((id) => !seen.has(id));
  const blocked = await blockedCustomers(ctx, loaded.flow, fresh, now);
  for (const reason of blocked.values()) skip(reason);
  const candidates = fresh.filter((id) => !blocked.has(id));
  if (candidates.length > 0) {
    const inserted = await ctx.db.db
      .insert(r)
      .values(
        candidates.map((customerId) => ({
          flowId: options.flowId,
          flowVersionId: loaded.versionId,
          customerId,
          workflowId: flowWorkflowId(options.flowId, customerId, key),
          enrollmentKey: key,
          status: 'running' as const,
          currentNodeId: loaded.plan.startNodeId,
          startedAt: now,
        })),
      )
      .onConflictDoNothing()
      .returning();
    result.started += inserted.length;
    skip('active_run', candidates.length - inserted.length);
    toStart.push(...inserted);
  }
  const concurrency = options.concurrency ?? 32;
  let next = 0;
  const started: { id: string; temporalRunId: string }[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, toStart.length) }, async () => {
        while (next < toStart.length) {
          const run = await startWorkflow(ctx, loaded, toStart[next++]!, options.triggerEvent ?? null, false);
          if (run.temporalRunId) started.push({ id: run.id, temporalRunId: run.temporalRunId });
        }
      }),
    );
  } finally {
    // one statement for the batch (a crash before it only means the next sweep attaches to these runs again)
    if (started.length > 0) {
      await ctx.db.sql.query(
        `update flow_runs set temporal_run_id = s.trid from unnest($1::uuid[], $2::text[]) as s(id, trid) where flow_runs.id = s.id`,
        [started.map((s) => s.id), started.map((s) => s.temporalRunId)],
      );
    }
  }
  return result;
}
