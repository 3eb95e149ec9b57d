/**
 * Operating runs: cancel one, retry its failed step.
 *
 * Cancel asks Temporal to cancel the workflow (the interpreter then records the run as
 * cancelled) and records it here at once, so the ops view never shows a cancelled run as
 * running. Retry has two paths:
 *   - the run is still open: a step that failed for good holds the run open (up to 7 days) waiting
 *     for the `retryFailedStep` signal; the signal runs that step's activity again;
 *   - the run has closed (held too long, or the worker was restarted on a newer build): a new
 *     execution of the same workflow id starts on the run's own version, resuming at the failed
 *     node; the run row becomes open again and new steps follow the old ones.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { WorkflowNotFoundError } from '@temporalio/client';
import { schema } from '@nudge/db';
import { executionPlanSchema } from '@nudge/workflow-nodes/control';
import { nowOf, type AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { writeAudit } from '../../http/audit.js';
import { conflict, HttpError, notFound } from '../../http/errors.js';
import { RETRY_STEP_SIGNAL } from '../runtime/shared.js';
import { startFlowRun } from '../runtime/start.js';
import { loadRun } from './runs.js';

const r = schema.flowRuns;
const s = schema.flowRunSteps;

/** A unique-index violation (23505) of `constraint`, as either driver reports it (possibly wrapped by drizzle). */
function violates(err: unknown, constraint: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: string; constraint?: string; constraint_name?: string; message?: string };
    if (x.code === '23505' && (x.constraint === constraint || x.constraint_name === constraint || x.message?.includes(constraint))) return true;
  }
  return false;
}

function engine(ctx: AppContext) {
  if (!ctx.temporal) {
    throw new HttpError(503, 'engine_unavailable', 'The flow engine (Temporal) is not running on this server, so runs cannot be operated right now. Start the server with its engine (pnpm start).');
  }
  return ctx.temporal.client;
}

export async function cancelRun(ctx: AppContext, user: AuthUser, runId: string) {
  const { run } = await loadRun(ctx, user, runId);
  if (run.finishedAt || run.status === 'completed' || run.status === 'cancelled') {
    throw conflict(`Run ${runId} has ended already (${run.status}); there is nothing to cancel.`, { status: run.status });
  }
  const client = engine(ctx);
  try {
    await client.workflow.getHandle(run.workflowId).cancel();
  } catch (err) {
    // the execution is gone (closed, or lost with a wiped engine): the row is all that is left to fix
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const now = nowOf(ctx);
  await ctx.db.db.transaction(async (tx) => {
    await tx
      .update(r)
      .set({ status: 'cancelled', exitReason: 'cancelled', finishedAt: now, updatedAt: now, currentNodeId: null })
      .where(and(eq(r.id, runId), isNull(r.finishedAt)));
    // steps left open by the cancellation end as skipped, with who stopped them
    await tx
      .update(s)
      .set({ status: 'skipped', error: `Run cancelled by ${user.name}`, finishedAt: now })
      .where(and(eq(s.runId, runId), sql`${s.status} in ('pending', 'running', 'waiting')`));
    await writeAudit(tx, user, { action: 'flow_run.cancel', entityType: 'flow_run', entityId: runId, details: { flowId: run.flowId, customerId: run.customerId, was: run.status } });
  });
}

export async function retryStep(ctx: AppContext, user: AuthUser, runId: string, stepId: string) {
  const { run } = await loadRun(ctx, user, runId);
  const [step] = await ctx.db.db.select().from(s).where(and(eq(s.id, stepId), eq(s.runId, runId)));
  if (!step) throw notFound('Step', `${stepId} of run ${runId}`);
  if (step.status !== 'failed') {
    throw conflict(`Step ${step.nodeId} of run ${runId} is ${step.status}, not failed: only a failed step can be retried.`, { status: step.status });
  }
  const [last] = await ctx.db.db.select({ seq: s.seq }).from(s).where(eq(s.runId, runId)).orderBy(desc(s.seq)).limit(1);
  if (last && last.seq !== step.seq) {
    throw conflict(`Step ${step.nodeId} is not where run ${runId} stopped: the run went on after it, so it cannot be retried.`);
  }
  if (run.status !== 'failed') {
    throw conflict(`Run ${runId} is ${run.status}; only a failed run can retry its failed step.`, { status: run.status });
  }
  if (run.isTest) throw conflict('Test runs are not retried: fix the flow and start a new test run.');
  const client = engine(ctx);

  if (!run.finishedAt) {
    // the run is open and waiting for the signal. The row is reopened first (the workflow's own
    // bookkeeping never moves a failed run back), so ops see it running again, not failed.
    const reopen = async () => {
      try {
        await ctx.db.db
          .update(r)
          .set({ status: 'running', error: null, currentNodeId: step.nodeId, updatedAt: nowOf(ctx) })
          .where(and(eq(r.id, run.id), eq(r.status, 'failed'), isNull(r.finishedAt)));
      } catch (err) {
        if (violates(err, 'flow_runs_one_active_uq')) {
          throw conflict('The customer has another open run of this flow now; cancel it first, or let it finish, to retry this one.');
        }
        throw err;
      }
    };
    const putBack = () =>
      ctx.db.db
        .update(r)
        .set({ status: run.status, error: run.error, currentNodeId: run.currentNodeId, updatedAt: nowOf(ctx) })
        .where(and(eq(r.id, run.id), eq(r.status, 'running'), isNull(r.finishedAt)));
    await reopen();
    try {
      await client.workflow.getHandle(run.workflowId).signal(RETRY_STEP_SIGNAL);
      await writeAudit(ctx.db.db, user, { action: 'flow_run.retry_step', entityType: 'flow_run', entityId: runId, details: { stepId, nodeId: step.nodeId, mode: 'signal' } });
      return { mode: 'signal' as const };
    } catch (err) {
      await putBack();
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // the execution closed meanwhile: resume it as below
    }
  }
  return resumeClosedRun(ctx, user, run, step);
}

async function resumeClosedRun(
  ctx: AppContext,
  user: AuthUser,
  run: typeof r.$inferSelect,
  step: typeof s.$inferSelect,
): Promise<{ mode: 'resumed' }> {
  if (!run.flowVersionId) throw conflict('This run has no published version to resume on.');
  const [version] = await ctx.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.id, run.flowVersionId));
  const [flow] = await ctx.db.db.select().from(schema.flows).where(eq(schema.flows.id, run.flowId));
  if (!version || !flow) throw conflict('The version this run started on no longer exists, so it cannot be resumed.');
  const plan = executionPlanSchema.parse(version.plan);
  if (!plan.nodes[step.nodeId]) throw conflict(`Node ${step.nodeId} is not in version ${version.version} of the flow.`);
  const now = nowOf(ctx);
  // reopen the row first: the partial unique index refuses it when the customer has another open run in this flow
  let reopened;
  try {
    [reopened] = await ctx.db.db
      .update(r)
      .set({ status: 'running', finishedAt: null, exitReason: null, error: null, currentNodeId: step.nodeId, updatedAt: now })
      .where(and(eq(r.id, run.id), eq(r.status, 'failed')))
      .returning();
  } catch (err) {
    if (violates(err, 'flow_runs_one_active_uq')) {
      throw conflict('The customer has another open run of this flow now; cancel it first, or let it finish, to retry this one.');
    }
    throw err;
  }
  if (!reopened) throw conflict(`Run ${run.id} changed meanwhile; reload it and try again.`);
  const [maxSeq] = await ctx.db.db.select({ seq: s.seq }).from(s).where(eq(s.runId, run.id)).orderBy(desc(s.seq)).limit(1);
  try {
    const temporalRunId = await startFlowRun(engine(ctx), {
      run: { ...run, isTest: false },
      plan,
      versionId: version.id,
      flowVersion: version.version,
      sending: flow.sending ?? {},
      triggerEvent: null,
      resume: { nodeId: step.nodeId, seq: maxSeq?.seq ?? step.seq, visits: {} },
      reusePolicy: 'ALLOW_DUPLICATE',
      memo: { resumedFrom: step.id },
    });
    await ctx.db.db.update(r).set({ temporalRunId }).where(eq(r.id, run.id));
  } catch (err) {
    // put the row back as it was: nothing runs
    await ctx.db.db
      .update(r)
      .set({ status: run.status, finishedAt: run.finishedAt, exitReason: run.exitReason, error: run.error, currentNodeId: run.currentNodeId, updatedAt: nowOf(ctx) })
      .where(eq(r.id, run.id));
    throw err;
  }
  await writeAudit(ctx.db.db, user, { action: 'flow_run.retry_step', entityType: 'flow_run', entityId: run.id, details: { stepId: step.id, nodeId: step.nodeId, mode: 'resumed' } });
  return { mode: 'resumed' };
}
