/**
 * The one interpreter workflow: walks a published plan for one customer (the pattern of
 * Temporal's dsl-interpreter sample). Control nodes decide inside the sandbox and wait with
 * durable timers and signals; action and condition nodes run as activities with the retry policy
 * and timeout the plan gives them. Every step's status reaches Postgres through activities.
 *
 * Runs only in the Temporal workflow sandbox: no Node built-ins, no I/O, activities imported as
 * types. Changing what this code does for histories already recorded needs `patched()`
 * (see PATCHES below) so replays of running flows stay deterministic.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { matchesFilter as eventMatches, GOAL_NODE_KEY, stepEffects, type ControlDecision, type FlowEvent, type PlanNode } from '@nudge/workflow-nodes/sandbox';
import type { FlowActivities, CustomerTiming } from './activities.js';
import {
  CURRENT_NODE_QUERY,
  CUSTOMER_EVENT_SIGNAL,
  RETRY_STEP_SIGNAL,
  type CurrentNodeState,
  type CustomerEventSignal,
  type FlowRunInput,
} from './shared.js';

// the workflows Temporal schedules start (cron-triggered flows, sweeps)
export { flowScheduleTick, flowSweep } from './schedule-workflows.js';

export const customerEvent = defineSignal<[CustomerEventSignal]>(CUSTOMER_EVENT_SIGNAL);
/** Ops: run the failed step again (the run waits for this up to FAILED_RUN_RETENTION_MS). */
export const retryFailedStep = defineSignal(RETRY_STEP_SIGNAL);
export const currentNode = defineQuery<CurrentNodeState>(CURRENT_NODE_QUERY);

export interface FlowRunResult {
  outcome: 'completed' | 'goal' | 'failed';
  /** the goal reached, or the step that failed */
  nodeId: string | null;
  steps: number;
}

/** How long a run with a failed step stays open for "retry step" before it closes as failed. */
const FAILED_RUN_RETENTION_MS = 7 * 24 * 3600_000;
/** Keep histories small: continue as new after this many events (Temporal suggests it too). */
const CONTINUE_AS_NEW_AFTER_EVENTS = 8000;
/** Quiet hours / frequency cap may hold one send back at most this many times before sending anyway. */
const MAX_SEND_HOLDS = 5;
const EVENT_BUFFER = 200;
/** At most this many steps per chain of database-only steps (then the loop checks goals and history size again). */
const MAX_CHAIN_STEPS = 32;

/**
 * Patches (see `patched()`): each id marks a change of the commands this workflow issues. A run
 * recorded before the change replays the old branch; new runs take the new one. Remove a branch
 * only when no run that started before its patch can still be open.
 *  - `local-bookkeeping` (v2): step/run bookkeeping as local activities (no server round trip per
 *    status write); v1 ran them as ordinary activities.
 *  - `local-db-steps` (v3): action and condition steps that only touch Nudge's database (tags,
 *    tasks, notes, fields, owners, conditions) run as local activities; sends, webhooks and
 *    start-flow stay ordinary activities (server-side retry state, visible as pending).
 *  - `events-from-step-start` (v4): a wait for an event also counts events that arrived while the
 *    wait step was being recorded (v3 counted only those after its decision).
 *  - `db-step-chains` (v5): consecutive database-only steps run as ONE local activity (`runSteps`,
 *    up to MAX_CHAIN_STEPS, each step still written with its own seq and status), and a chain that
 *    ends the flow marks the run completed itself (no `markRun`). A step that fails in a chain
 *    runs again on its own (v3's path: its retry policy, "retry step").
 */
export const PATCHES = {
  localBookkeeping: 'local-bookkeeping',
  localDbSteps: 'local-db-steps',
  eventsFromStepStart: 'events-from-step-start',
  dbStepChains: 'db-step-chains',
} as const;

/** Bookkeeping activities: quick, retried until they succeed. */
const bookkeepingRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const remoteBookkeeping = proxyActivities<FlowActivities>({ startToCloseTimeout: '30 seconds', retry: bookkeepingRetry });
const localBookkeeping = proxyLocalActivities<FlowActivities>({ startToCloseTimeout: '30 seconds', retry: bookkeepingRetry });


function stepActivity(node: PlanNode, local: boolean): FlowActivities['runStep'] {
  const options: ActivityOptions = {
    startToCloseTimeout: Math.max(node.timeoutMs, 1000),
    retry: {
      maximumAttempts: node.retry.maximumAttempts,
      initialInterval: Math.max(node.retry.initialIntervalMs, 1),
      backoffCoefficient: node.retry.backoffCoefficient,
      maximumInterval: '10 minutes',
    },
  };
  // Steps that talk to systems outside Nudge stay ordinary activities; database-only steps may run locally.
  if (local && stepEffects(node).effects !== 'external') return proxyLocalActivities<FlowActivities>(options).runStep;
  return proxyActivities<FlowActivities>(options).runStep;
}

/** A step that may run in a chain of database-only steps: an action or condition that talks to nothing outside Nudge and is never held back. */
const chainable = (node: PlanNode): boolean => {
  if (node.kind === 'control') return false;
  const e = stepEffects(node);
  return e.effects !== 'external' && !e.sendingWindow;
};

/**
 * The control nodes (zod schemas, luxon): loaded when a run first reaches a control step, so a run
 * of actions only does not evaluate them (the worker evaluates a workflow's modules per workflow).
 */
const controlNodes = () => import(/* webpackMode: "eager" */ '@nudge/workflow-nodes/control');

/** The run row was deleted (the customer was erased): the run ends without writing anything. */
class RunGone extends Error {}

const failureMessage = (err: unknown): string => {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
};

type Bookkeeping = typeof localBookkeeping | typeof remoteBookkeeping;
type StepRecord = Parameters<FlowActivities['recordStep']>[0];

/** One run's state: what the loop, the signal handlers and the step functions below share. */
interface RunState {
  input: FlowRunInput;
  test: boolean;
  bookkeeping: Bookkeeping;
  localSteps: boolean;
  eventsFromStepStart: boolean;
  dbChains: boolean;
  defaultTimezone: string;
  runInfo: { runId: string; flowId: string; customerId: string; isTest: boolean };
  /** inbound events: a ring of the latest, numbered by arrival */
  events: { n: number; event: FlowEvent }[];
  received: number;
  goal: { nodeId: string; name: string } | null;
  retryRequested: boolean;
  /** what the currentNode query answers */
  current: CurrentNodeState;
  visits: Record<string, number>;
  steps: number;
}

/** Where a step leads: the next node (null: the end of the flow), or the run's result. */
type StepOutcome = { next: string | null; alone?: boolean } | { end: FlowRunResult };

export async function flowRun(input: FlowRunInput): Promise<FlowRunResult> {
  const { plan, runId, customerId, flowId } = input;
  const test = input.test === true;
  const run: RunState = {
    input,
    test,
    bookkeeping: patched(PATCHES.localBookkeeping) ? localBookkeeping : remoteBookkeeping,
    localSteps: patched(PATCHES.localDbSteps),
    eventsFromStepStart: patched(PATCHES.eventsFromStepStart),
    dbChains: false,
    defaultTimezone: input.defaultTimezone ?? 'UTC',
    runInfo: { runId, flowId, customerId, isTest: test },
    events: [],
    received: 0,
    goal: null,
    retryRequested: false,
    current: { nodeId: input.resume?.nodeId ?? plan.startNodeId, status: 'running', seq: input.resume?.seq ?? 0, waitingUntilMs: null },
    visits: { ...(input.resume?.visits ?? {}) },
    steps: 0,
  };

  setHandler(customerEvent, (signal) => {
    const event: FlowEvent = {
      type: signal.type,
      customerId,
      at: Date.now(),
      data: {
        ...(signal.data ?? {}),
        ...(signal.channel !== undefined ? { channel: signal.channel } : {}),
        ...(signal.text !== undefined ? { text: signal.text } : {}),
        ...(signal.tag !== undefined ? { tag: signal.tag } : {}),
      },
    };
    run.events.push({ n: run.received++, event });
    if (run.events.length > EVENT_BUFFER) run.events.shift();
    if (!run.goal) {
      const hit = plan.goals.find((g) => eventMatches(g.filter, event));
      if (hit) run.goal = { nodeId: hit.nodeId, name: hit.name };
    }
  });
  setHandler(retryFailedStep, () => {
    run.retryRequested = true;
  });
  setHandler(currentNode, () => ({ ...run.current }));

  const state = run.current;
  try {
    let nodeId: string | null = state.nodeId;
    /** a node whose chain failed: it runs once on its own before chains resume */
    let alone: string | null = null;
    while (nodeId) {
      if (run.goal) return await leaveAtGoal(run);
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) {
        await continueAsNew<typeof flowRun>({ ...input, resume: { nodeId, seq: state.seq, visits: run.visits } });
      }
      const node: PlanNode | undefined = plan.nodes[nodeId];
      if (!node) throw ApplicationFailure.nonRetryable(`Plan of flow ${flowId} has no node ${nodeId}`, 'plan_broken');
      // the patch is asked at the first chainable step only, so runs of other shapes keep their history unmarked
      if (run.localSteps && nodeId !== alone && chainable(node) && (run.dbChains || (run.dbChains = patched(PATCHES.dbStepChains)))) {
        const outcome = await chainStep(run, nodeId);
        if ('end' in outcome) return outcome.end;
        alone = outcome.alone ? outcome.next : null;
        nodeId = outcome.next;
        continue;
      }
      alone = null;
      const visit = (run.visits[nodeId] = (run.visits[nodeId] ?? 0) + 1);
      state.nodeId = nodeId;
      state.status = 'running';
      state.waitingUntilMs = null;
      run.steps += 1;
      const eventsBefore = run.received;
      const outcome = node.kind === 'control' ? await controlStep(run, nodeId, node, eventsBefore) : await activityStep(run, nodeId, node, visit);
      if ('end' in outcome) return outcome.end;
      nodeId = outcome.next;
    }
    if (run.goal) return await leaveAtGoal(run);
    return await finish(run, 'completed', null, { exitReason: 'end' });
  } catch (err) {
    if (err instanceof RunGone) {
      state.status = 'finished';
      return { outcome: 'completed', nodeId: null, steps: run.steps };
    }
    if (isCancellation(err)) {
      state.status = 'finished';
      await CancellationScope.nonCancellable(() => run.bookkeeping.markRun({ ...run.runInfo, status: 'cancelled', exitReason: 'cancelled', error: null }));
    } else if (err instanceof ApplicationFailure) {
      // the plan cannot run (unknown step, invalid settings): the workflow fails, and so does the run row
      state.status = 'finished';
      await CancellationScope.nonCancellable(() => run.bookkeeping.markRun({ ...run.runInfo, status: 'failed', exitReason: 'failed', error: err.message }));
    }
    throw err;
  }
}

async function record(run: RunState, step: StepRecord): Promise<void> {
  // histories recorded before recordStep answered hold `undefined` here: not gone
  if ((await run.bookkeeping.recordStep(step)) === false) throw new RunGone();
}

async function finish(run: RunState, outcome: FlowRunResult['outcome'], nodeId: string | null, extra: { exitReason: string; error?: string }): Promise<FlowRunResult> {
  run.current.status = 'finished';
  run.current.nodeId = null;
  await run.bookkeeping.markRun({ ...run.runInfo, status: outcome === 'failed' ? 'failed' : 'completed', exitReason: extra.exitReason, error: extra.error ?? null });
  return { outcome, nodeId, steps: run.steps };
}

/** Reached a goal (an event matched the flow's exit criteria): record it and leave. */
async function leaveAtGoal(run: RunState): Promise<FlowRunResult> {
  const g = run.goal!;
  const seq = ++run.current.seq;
  await record(run, { ...run.runInfo, nodeId: g.nodeId, nodeKey: run.input.plan.nodes[g.nodeId]?.key ?? GOAL_NODE_KEY, seq, status: 'done', port: null, output: { goal: g.name } });
  return finish(run, 'goal', g.nodeId, { exitReason: 'goal' });
}

/** Waits until `untilMs` (workflow time) or a goal; false when the goal ended the wait. */
async function waitUntil(run: RunState, untilMs: number): Promise<boolean> {
  const ms = untilMs - Date.now();
  if (run.test || ms <= 0) return run.goal === null;
  const goalFirst = await condition(() => run.goal !== null, ms);
  return !goalFirst;
}

/**
 * Quiet hours and the frequency cap hold a send back with a durable timer (at most MAX_SEND_HOLDS
 * times). False when a goal was reached while held.
 */
async function holdForSendingWindow(run: RunState, nodeId: string, node: PlanNode): Promise<boolean> {
  const { input, runInfo } = run;
  if (!stepEffects(node).sendingWindow || run.test || !(input.sending?.quietHours || input.sending?.frequencyCap)) return true;
  for (let hold = 0; hold < MAX_SEND_HOLDS; hold++) {
    const window = await run.bookkeeping.sendWindow({ customerId: input.customerId, nowMs: Date.now(), sending: input.sending, defaultTimezone: run.defaultTimezone });
    if (window.notBeforeMs <= Date.now()) break;
    const seq = ++run.current.seq;
    run.current.status = 'waiting';
    run.current.waitingUntilMs = window.notBeforeMs;
    await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'waiting', port: null, output: { heldBy: window.reason, untilMs: window.notBeforeMs }, runStatus: 'waiting' });
    const goOn = await waitUntil(run, window.notBeforeMs);
    await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'done', port: null, output: { heldBy: window.reason, untilMs: window.notBeforeMs }, runStatus: 'running' });
    run.current.status = 'running';
    if (!goOn) return false;
  }
  return true;
}

/** An action or condition step: an activity; when it fails for good, the run stays open for "retry step". */
async function activityStep(run: RunState, nodeId: string, node: PlanNode, visit: number): Promise<StepOutcome> {
  const { input, runInfo, current: state } = run;
  if (!(await holdForSendingWindow(run, nodeId, node))) return { end: await leaveAtGoal(run) };
  const seq = ++state.seq;
  for (;;) {
    try {
      const result = await stepActivity(node, run.localSteps)({
        ...runInfo,
        flowVersion: input.flowVersion,
        nodeId,
        nodeKey: node.key,
        config: node.config,
        seq,
        visit,
        nowMs: Date.now(),
        triggerEvent: input.triggerEvent ?? null,
      });
      return { next: node.next[result.port] ?? null };
    } catch (err) {
      if (isCancellation(err)) throw err;
      // the step failed for good: record it, and hold the run open for "retry step"
      const message = failureMessage(err);
      state.status = 'failed';
      await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'failed', port: null, error: message, runStatus: 'failed', runError: `Step ${nodeId} (${node.key}) failed: ${message}` });
      run.retryRequested = false;
      const retried = run.test ? false : await condition(() => run.retryRequested, FAILED_RUN_RETENTION_MS);
      if (!retried) {
        return { end: await finish(run, 'failed', nodeId, { exitReason: 'failed', error: `Step ${nodeId} (${node.key}) failed: ${message}` }) };
      }
      state.status = 'running';
      await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'running', port: null, error: null, runStatus: 'running', runError: null });
    }
  }
}

/**
 * Consecutive database-only steps from `nodeId` as one local activity (`runSteps`). Its result
 * says which steps ran and which port each took; the run's seq, visits and step count follow.
 * A failed step (or a chain that could not run at all) comes back as `alone`: the loop runs that
 * step on its own, with the same seq and visit, so its retries and "retry step" are as before.
 */
async function chainStep(run: RunState, nodeId: string): Promise<StepOutcome> {
  const { input, runInfo, current: state } = run;
  const nodes: Record<string, { key: string; config: unknown; next: Record<string, string | null>; timeoutMs: number }> = {};
  const todo = [nodeId];
  let timeoutMs = 0;
  while (todo.length > 0 && Object.keys(nodes).length < MAX_CHAIN_STEPS) {
    const id = todo.pop()!;
    const n = input.plan.nodes[id];
    if (id in nodes || !n || !chainable(n)) continue;
    nodes[id] = { key: n.key, config: n.config, next: n.next, timeoutMs: n.timeoutMs };
    timeoutMs += Math.max(n.timeoutMs, 1000);
    for (const next of Object.values(n.next)) if (next !== null) todo.push(next);
  }
  state.nodeId = nodeId;
  state.status = 'running';
  state.waitingUntilMs = null;
  let result: Awaited<ReturnType<FlowActivities['runSteps']>>;
  try {
    result = await proxyLocalActivities<FlowActivities>({ startToCloseTimeout: timeoutMs, retry: { maximumAttempts: 1 } }).runSteps({
      ...runInfo,
      flowVersion: input.flowVersion,
      startNodeId: nodeId,
      nodes,
      seq: state.seq,
      visits: Object.fromEntries(Object.keys(nodes).map((id) => [id, run.visits[id] ?? 0])),
      maxSteps: MAX_CHAIN_STEPS,
      nowMs: Date.now(),
      triggerEvent: input.triggerEvent ?? null,
      finishRun: true,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // the chain itself failed (timed out, the worker lost it): its first step runs on its own; the
    // steps it may have done run again with the same idempotency keys
    return { next: nodeId, alone: true };
  }
  for (const step of result.done) {
    run.visits[step.nodeId] = (run.visits[step.nodeId] ?? 0) + 1;
    state.seq += 1;
    run.steps += 1;
    state.nodeId = step.nodeId;
  }
  if (result.runGone) throw new RunGone();
  if (result.finished) {
    state.status = 'finished';
    state.nodeId = null;
    return { end: { outcome: 'completed', nodeId: null, steps: run.steps } };
  }
  return result.failed ? { next: result.next, alone: true } : { next: result.next };
}

/** A control step: decided in the sandbox; waits with durable timers and signals. */
async function controlStep(run: RunState, nodeId: string, node: PlanNode, eventsBefore: number): Promise<StepOutcome> {
  const { input, runInfo, current: state, test } = run;
  const def = (await controlNodes()).controlNode(node.key);
  if (!def) throw ApplicationFailure.nonRetryable(`Step ${nodeId}: this version of Nudge has no control step "${node.key}"`, 'unknown_node');
  const parsed = def.config.safeParse(node.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ApplicationFailure.nonRetryable(`Step ${nodeId} (${node.key}) has invalid settings: ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`, 'invalid_config');
  }
  const config = parsed.data;
  const seq = ++state.seq;
  let customer: CustomerTiming | null = null;
  if (def.waits) {
    // records the step as waiting and reads the customer's timezone and preferred slots
    const timing = await run.bookkeeping.beginWait({ ...runInfo, nodeId, nodeKey: node.key, seq });
    if (timing && 'runGone' in timing) throw new RunGone();
    customer = timing;
  }
  const decision: ControlDecision = def.decide(config, {
    nowMs: Date.now(),
    runId: input.runId,
    nodeId,
    customerId: input.customerId,
    customer,
    defaultTimezone: run.defaultTimezone,
  });
  switch (decision.type) {
    case 'next':
      await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'done', port: decision.port, runStatus: 'running' });
      return { next: node.next[decision.port] ?? null };
    case 'exit':
      await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'done', port: null, ...(decision.note ? { output: { note: decision.note } } : {}) });
      return { end: await finish(run, decision.reason === 'goal' ? 'goal' : 'completed', nodeId, { exitReason: decision.reason }) };
    case 'sleep': {
      state.status = 'waiting';
      state.waitingUntilMs = decision.untilMs;
      const goOn = await waitUntil(run, decision.untilMs);
      if (!goOn) {
        await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'done', port: null, output: { interruptedBy: 'goal' } });
        return { end: await leaveAtGoal(run) };
      }
      await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'done', port: decision.port, output: { untilMs: decision.untilMs, ...(test ? { skipped: 'test run' } : {}) }, runStatus: 'running' });
      return { next: node.next[decision.port] ?? null };
    }
    case 'wait_for_event': {
      state.status = 'waiting';
      state.waitingUntilMs = decision.timeoutAtMs;
      const from = run.eventsFromStepStart ? eventsBefore : run.received;
      const matching = () => run.events.find((e) => e.n >= from && eventMatches(decision.filter, e.event)) ?? null;
      const remaining = decision.timeoutAtMs - Date.now();
      if (!test && remaining > 0) await condition(() => run.goal !== null || matching() !== null, remaining);
      const hit = matching();
      if (run.goal && !hit) {
        await record(run, { ...runInfo, nodeId, nodeKey: node.key, seq, status: 'done', port: null, output: { interruptedBy: 'goal' } });
        return { end: await leaveAtGoal(run) };
      }
      const port = hit ? decision.eventPort : decision.timeoutPort;
      await record(run, {
        ...runInfo,
        nodeId,
        nodeKey: node.key,
        seq,
        status: 'done',
        port,
        output: hit ? { event: hit.event.type, data: hit.event.data } : { timedOutAtMs: decision.timeoutAtMs, ...(test ? { skipped: 'test run' } : {}) },
        runStatus: 'running',
      });
      return { next: node.next[port] ?? null };
    }
  }
}
