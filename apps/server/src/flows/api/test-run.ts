/**
 * Test run: the current draft, on one real customer, with time skipped and every action recorded
 * instead of performed. The draft is compiled first (an invalid draft is refused with its
 * problems, as publishing is).
 *
 * With the durable engine running (ctx.temporal), the test is a real run of the interpreter
 * workflow flagged `test` (enrollCustomer({ test, plan })): the very code production runs take,
 * listed among the flow's runs with "test" set. Without an engine (API-only servers and tests)
 * it falls back to `simulatePlan`, the interpreter's reference semantics, over the same
 * database-backed node context wrapped to record writes.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { compileGraph, FlowValidationError, simulatePlan, type ExecutionPlan, type FlowEvent } from '@nudge/workflow-nodes';
import { nowOf, type AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { writeAudit } from '../../http/audit.js';
import { conflict, HttpError, notFound } from '../../http/errors.js';
import { canSee } from '../../customers/access.js';
import { enrollCustomer, EnrollmentError } from '../runtime/enroll.js';
import { createDbNodeContext, recordingContext, type RecordedAction } from '../runtime/node-context.js';
import { invalidFlow, loadFlow, validationOptions } from './flows.js';
import { setting } from '../../config.js';

export interface TestRunStep {
  nodeId: string;
  key: string;
  status: string;
  port: string | null;
  at: string;
  output?: unknown;
  error?: string;
}

export interface TestRunResult {
  /** completed | goal | failed | timed_out (the engine had not finished within the time limit) */
  outcome: string;
  /** why the run failed or stopped, when no step says it */
  error?: string;
  /** the run row of a real test run (null for a simulation) */
  runId: string | null;
  path: TestRunStep[];
  actions: RecordedAction[];
}

/** How long a request waits for a real test run to finish (waits are skipped, so this is generous). */
const TEST_RUN_TIMEOUT_MS = 60_000;

export async function testRunFlow(
  ctx: AppContext,
  user: AuthUser,
  flowId: string,
  customerId: string,
  sample?: { type: FlowEvent['type']; data: Record<string, unknown> },
): Promise<TestRunResult> {
  const flow = await loadFlow(ctx.db.db, flowId);
  if (flow.status === 'archived') throw conflict(`The flow "${flow.name}" is archived; test runs need a flow you can still change.`);
  const [customer] = await ctx.db.db
    .select({ id: schema.customers.id, ownerId: schema.customers.ownerId, teamId: schema.customers.teamId })
    .from(schema.customers)
    .where(eq(schema.customers.id, customerId));
  if (!customer || !canSee(user, customer)) throw notFound('Customer', customerId);

  let plan: ExecutionPlan;
  try {
    plan = compileGraph(flow.draftGraph, await validationOptions(ctx.db.db));
  } catch (err) {
    if (err instanceof FlowValidationError) throw invalidFlow(flow.name, err.problems, 'test-run');
    throw err;
  }
  const trigger: TestRunStep = { nodeId: plan.trigger.nodeId, key: plan.trigger.key, status: 'done', port: 'next', at: nowOf(ctx).toISOString() };
  const event: FlowEvent | null = sample ? { type: sample.type, customerId, at: nowOf(ctx).getTime(), data: sample.data } : null;
  const result = ctx.temporal ? await realTestRun(ctx, flowId, customerId, plan, event) : await simulatedTestRun(ctx, flowId, customerId, plan, event);
  await writeAudit(ctx.db.db, user, {
    action: 'flow.test_run',
    entityType: 'flow',
    entityId: flowId,
    details: { customerId, runId: result.runId, outcome: result.outcome },
  });
  return { ...result, path: [{ ...trigger, at: result.path[0]?.at ?? trigger.at }, ...result.path] };
}

async function realTestRun(ctx: AppContext, flowId: string, customerId: string, plan: ExecutionPlan, event: FlowEvent | null): Promise<TestRunResult> {
  let enrolled;
  try {
    enrolled = await enrollCustomer(ctx, { flowId, customerId, test: true, plan, triggerEvent: event });
  } catch (err) {
    if (err instanceof EnrollmentError) throw new HttpError(503, err.code, `The test run could not start: ${err.message}.`);
    throw err;
  }
  const run = enrolled.run;
  if (!run) throw conflict(`The test run did not start (${enrolled.reason ?? 'unknown reason'}).`);
  const handle = ctx.temporal!.client.workflow.getHandle(run.workflowId);
  let outcome: string;
  let error: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const finished = await Promise.race([
      handle.result().then((r: { outcome?: string } | undefined) => r?.outcome ?? 'completed'),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), TEST_RUN_TIMEOUT_MS))),
    ]);
    if (finished) outcome = finished;
    else {
      // a step kept retrying (a webhook that times out …): stop the test instead of leaving it behind
      outcome = 'timed_out';
      error = `The test run did not finish within ${TEST_RUN_TIMEOUT_MS / 1000} s and was cancelled; the path shows how far it got.`;
      await handle.cancel().catch(() => undefined);
    }
  } catch (err) {
    outcome = 'failed';
    const e = err as { cause?: { message?: string }; message?: string };
    error = e.cause?.message ?? e.message ?? String(err);
  } finally {
    clearTimeout(timer);
  }
  const steps = await ctx.db.db
    .select()
    .from(schema.flowRunSteps)
    .where(eq(schema.flowRunSteps.runId, run.id))
    .orderBy(asc(schema.flowRunSteps.seq));
  const actions: RecordedAction[] = [];
  const path: TestRunStep[] = steps.map((s) => {
    const { recorded, ...output } = (s.output ?? {}) as { recorded?: RecordedAction[] } & Record<string, unknown>;
    for (const a of recorded ?? []) actions.push({ ...a, nodeId: s.nodeId });
    return {
      nodeId: s.nodeId,
      key: s.nodeKey,
      status: s.status,
      port: s.port,
      at: s.startedAt.toISOString(),
      ...(Object.keys(output).length ? { output } : {}),
      ...(s.error ? { error: s.error } : {}),
    };
  });
  return { outcome, runId: run.id, path, actions, ...(error ? { error } : {}) };
}

async function simulatedTestRun(ctx: AppContext, flowId: string, customerId: string, plan: ExecutionPlan, event: FlowEvent | null): Promise<TestRunResult> {
  const startMs = nowOf(ctx).getTime();
  let clock = startMs;
  const runId = `test-${randomUUID()}`;
  const run = {
    runId,
    flowId,
    flowVersion: 0,
    nodeId: plan.startNodeId ?? plan.trigger.nodeId,
    customerId,
    attempt: 1,
    idempotencyKey: `${runId}:start`,
    testMode: true,
    triggerEvent: event,
  };
  // every write is recorded, tagged with the step that made it (simulatePlan sets run.nodeId)
  const actions: RecordedAction[] = [];
  const sink = { push: (a: RecordedAction) => actions.push({ ...a, nodeId: run.nodeId }) } as unknown as RecordedAction[];
  const real = createDbNodeContext({ app: ctx }, run, startMs);
  // simulatePlan moves the clock; nodes read it through ctx.now()
  const nodeCtx = { ...recordingContext(real, sink), run, now: () => clock };
  const sim = await simulatePlan(plan, {
    ctx: nodeCtx,
    setNow: (ms) => {
      clock = ms;
    },
    startMs,
    runId,
    defaultTimezone: setting('NUDGE_DEFAULT_TIMEZONE'),
  });
  const path: TestRunStep[] = sim.steps.map((s) => ({
    nodeId: s.nodeId,
    key: s.key,
    status: s.status === 'waited' ? 'done' : s.status,
    port: s.port,
    at: new Date(s.startedAt).toISOString(),
    ...(s.output || s.status === 'waited' ? { output: { ...(s.output ?? {}), ...(s.status === 'waited' ? { skipped: 'test run' } : {}) } } : {}),
    ...(s.error ? { error: s.error } : {}),
  }));
  return { outcome: sim.outcome, runId: null, path, actions };
}

