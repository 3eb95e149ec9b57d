/**
 * The activities of the interpreter workflow, built from their dependencies
 * (`createFlowActivities(deps)`, as Temporal's samples do):
 *   runStep     — one action/condition node through @nudge/workflow-nodes' runActivityNode, with
 *                 its step row written before and after (so ops see "running, attempt 3: reason");
 *   beginWait   — a wait node starts: step + run marked waiting; answers the customer's timezone;
 *   recordStep  — any other step status change (control steps, failures, retries);
 *   markRun     — the run's final status;
 *   sendWindow  — the first instant a message may go out (flow quiet hours, frequency cap).
 * Step rows are keyed by (run, seq): every write is an upsert, so retries and replays are harmless.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, gt, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { Channels, SendWaiting } from '@nudge/channels';
import {
  customerZone,
  frequencyCapAllows,
  NonRetryableNodeError,
  quietHoursEnd,
  runActivityNode,
  type CustomerSnapshot,
  type FlowEvent,
  type StepResult,
} from '@nudge/workflow-nodes';
import type { AppContext } from '../../context.js';
import { ChainCustomer, createDbNodeContext, loadCustomerSnapshot, recordingContext, type RecordedAction } from './node-context.js';
import { stepIdempotencyKey, type SendingSettings } from './shared.js';
import { createStepWriter } from './step-writer.js';

export interface FlowActivityDeps {
  app: AppContext;
  channels?: Channels;
  allowPrivateWebhooks?: boolean;
  startFlow?: (flowId: string, customerId: string, enrollmentKey: string) => Promise<{ runId: string | null }>;
}

interface RunRef {
  runId: string;
  flowId: string;
  customerId: string;
  isTest: boolean;
}

export interface RunStepInput extends RunRef {
  flowVersion: number;
  nodeId: string;
  nodeKey: string;
  config: unknown;
  seq: number;
  /** 1 for the first time the run reaches this node, 2 … in loops */
  visit: number;
  /** the workflow's clock when it scheduled the step */
  nowMs: number;
  triggerEvent: FlowEvent | null;
}

/** A node of a chain of database-only steps (what `runSteps` needs of its plan node). */
export interface ChainNode {
  key: string;
  config: unknown;
  next: Record<string, string | null>;
  timeoutMs: number;
}

export interface RunStepsInput extends RunRef {
  flowVersion: number;
  startNodeId: string;
  /** the chain's nodes: the run goes on through the chain while its next node is one of these */
  nodes: Record<string, ChainNode>;
  /** the seq before the chain's first step */
  seq: number;
  /** the run's visits so far of the chain's nodes */
  visits: Record<string, number>;
  maxSteps: number;
  nowMs: number;
  triggerEvent: FlowEvent | null;
  /** a chain that ends the flow also marks the run completed */
  finishRun: boolean;
}

export interface RunStepsResult {
  /** the steps that ran, in order (each seq is the one before + 1) */
  done: { nodeId: string; port: string }[];
  /** where the run goes on: the failed step, the first node past the chain, or null (the end) */
  next: string | null;
  /** the step at `next` failed (its row says so); the workflow runs it again on its own */
  failed: { message: string } | null;
  /** the run row was marked completed (the chain reached the end and `finishRun` was set) */
  finished: boolean;
  /** the run row is gone (the customer was erased): the run ends without writing anything */
  runGone?: boolean;
}

export type StepStatus = (typeof schema.FLOW_STEP_STATUSES)[number];
export type RunStatus = (typeof schema.FLOW_RUN_STATUSES)[number];

export interface RecordStepInput extends RunRef {
  nodeId: string;
  nodeKey: string;
  seq: number;
  status: StepStatus;
  port: string | null;
  output?: Record<string, unknown>;
  error?: string | null;
  /** also move the run to this status (and to this node) */
  runStatus?: RunStatus;
  runError?: string | null;
  /** with a terminal runStatus: the run ends with this exit reason (markRun in the same statement) */
  runExitReason?: string;
}

export interface MarkRunInput extends RunRef {
  status: RunStatus;
  exitReason: string;
  error: string | null;
}

export type CustomerTiming = Pick<CustomerSnapshot, 'timezone' | 'preferredContactSlots'>;

const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** What the run view shows of a send the ledger is settling. */
const sendView = (w: SendWaiting) => ({
  state: w.state,
  channel: w.channel,
  unknownSince: w.sinceMs === null ? null : new Date(w.sinceMs).toISOString(),
  resendAt: w.resendAtMs === null ? null : new Date(w.resendAtMs).toISOString(),
});
/** A step still busy after this long is shown as running in the ops view. */
const RUNNING_VISIBLE_AFTER_MS = 1000;

export function createFlowActivities(deps: FlowActivityDeps) {
  const { db } = deps.app.db;
  const sqlClient = deps.app.db.sql;
  const runs = schema.flowRuns;

  const steps = createStepWriter(sqlClient);

  /**
   * Writes the step row (keyed by run + seq) and, with `runStatus`, moves the run to this node in
   * the same statement, batched with the other runs' step writes (step-writer.ts: one statement per
   * batch, resolved once committed). `keepExisting`: only insert, never overwrite a row written
   * meanwhile (the rare "still running after a second" write; not batched).
   */
  async function upsertStep(input: RecordStepInput & { attempt?: number; finished: boolean }, options: { keepExisting?: boolean } = {}): Promise<boolean> {
    const now = new Date().toISOString();
    if (!options.keepExisting) {
      return steps.write({
        runId: input.runId, flowId: input.flowId, nodeId: input.nodeId, nodeKey: input.nodeKey, seq: input.seq, status: input.status, port: input.port,
        output: input.output ?? null, error: input.error ?? null, attempt: input.attempt ?? null, finishedAt: input.finished ? now : null, at: now,
        runStatus: input.runStatus ?? null, ...(input.runStatus && input.runError !== undefined ? { runError: input.runError } : {}),
        ...(input.runStatus && input.runExitReason ? { runExitReason: input.runExitReason } : {}),
      });
    }
    const rows = await sqlClient.query<{ present: boolean }>(
      `with step as (insert into flow_run_steps (run_id, flow_id, node_id, node_key, seq, status, port, output, error, attempt, finished_at)
        select $1::uuid, $2::uuid, $3, $4, $5::int, $6::flow_step_status, $7, $8::jsonb, $9, coalesce($10::int, 1), $11::timestamptz
        where exists (select 1 from flow_runs where id = $1::uuid)
        on conflict (run_id, seq) do nothing returning 1)
      select exists (select 1 from flow_runs where id = $1::uuid) as present`,
      [input.runId, input.flowId, input.nodeId, input.nodeKey, input.seq, input.status, input.port, input.output === undefined ? null : JSON.stringify(input.output), input.error ?? null, input.attempt ?? null, input.finished ? now : null],
    );
    return rows[0]?.present === true;
  }

  async function moveRun(runId: string, status: RunStatus | undefined, nodeId: string | null, error?: string | null) {
    if (!status) return;
    await db
      .update(runs)
      .set({ status, currentNodeId: nodeId, updatedAt: new Date(), ...(error !== undefined ? { error } : {}) })
      // a run that already ended (cancelled by ops while a step finished) stays ended
      .where(and(eq(runs.id, runId), sql`${runs.status} not in ('completed', 'failed', 'cancelled')`));
  }

  /**
   * One action/condition step: its row is written once when done (or at once as running when it
   * is a retry or still busy after a second); throws when the step fails (row: error, run running).
   */
  async function executeStep(
    input: RunStepInput,
    attempt: number,
    budgetMs: number,
    endsRun?: (port: string) => boolean,
    /** a chain's steps share one read of the customer (node-context.ts ChainCustomer) */
    chain?: ChainCustomer,
  ): Promise<{ result: StepResult; present: boolean; endedRun: boolean }> {
    const base = { ...input, status: 'running' as const, port: null, attempt, finished: false };
    // Fast steps write their row once, when done. A step still busy after a second (a slow
    // webhook, a retry) is shown as running; a retry writes its row at once.
    let early: Promise<void> | null = null;
    const showRunning = () => {
      early = Promise.all([upsertStep(base, { keepExisting: true }), moveRun(input.runId, 'running', input.nodeId)]).then(() => {});
    };
    const timer = attempt > 1 ? (showRunning(), null) : setTimeout(showRunning, RUNNING_VISIBLE_AFTER_MS);
    const settle = async () => {
      if (timer) clearTimeout(timer);
      if (early) await (early as Promise<void>).catch(() => {});
    };
    const idempotencyKey = stepIdempotencyKey(input.runId, input.nodeId, input.visit);
    const run = {
      runId: input.runId,
      flowId: input.flowId,
      flowVersion: input.flowVersion,
      nodeId: input.nodeId,
      customerId: input.customerId,
      attempt,
      idempotencyKey,
      testMode: input.isTest,
      triggerEvent: input.triggerEvent,
    };
    // A send may wait on the ledger (another attempt's live lease, or an outcome unknown after a
    // crash) for most of this attempt's time; while it is unknown, ops see the step as unknown.
    const real = createDbNodeContext(deps, run, input.nowMs, {
      maxWaitMs: Math.max(1000, budgetMs - Math.min(10_000, budgetMs / 4)),
      onWaiting: async (w) => {
        if (w.state !== 'unknown') return;
        await settle();
        await upsertStep({ ...base, status: 'unknown', output: { send: sendView(w) }, error: null, finished: false, runStatus: 'running' });
      },
    }, chain);
    const recorded: RecordedAction[] = [];
    const ctx = input.isTest ? recordingContext(real, recorded) : real;
    try {
      const result = await runActivityNode(input.nodeKey, input.config, ctx);
      const output = input.isTest ? { ...(result.output ?? {}), recorded } : result.output;
      await settle();
      // the chain's last step of the flow also closes the run, in the same statement (no markRun)
      const endedRun = endsRun?.(result.port) === true;
      const present = await upsertStep({
        ...base, status: result.status ?? 'done', port: result.port, ...(output ? { output } : {}), finished: true,
        ...(endedRun ? { runStatus: 'completed' as const, runError: null, runExitReason: 'end' } : { runStatus: 'running' as const }),
      });
      return { result, present, endedRun };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await settle();
      const unknown = (err as { code?: string }).code === 'send_outcome_unknown';
      await upsertStep({ ...base, ...(unknown ? { status: 'unknown' as const } : {}), error: message, runStatus: 'running' });
      if (err instanceof NonRetryableNodeError) throw ApplicationFailure.nonRetryable(message, err.code);
      throw err;
    }
  }

  async function markRunRow(input: MarkRunInput): Promise<void> {
    const terminal = TERMINAL.includes(input.status);
    await db
      .update(runs)
      .set({
        status: input.status,
        exitReason: input.exitReason,
        error: input.error,
        updatedAt: new Date(),
        ...(terminal ? { finishedAt: new Date(), currentNodeId: null } : {}),
      })
      .where(eq(runs.id, input.runId));
  }

  return {
    async runStep(input: RunStepInput): Promise<StepResult> {
      const info = Context.current().info;
      return (await executeStep(input, info.attempt, info.startToCloseTimeoutMs > 0 ? info.startToCloseTimeoutMs : 60_000)).result;
    },

    /**
     * A chain of consecutive database-only steps as one (local) activity: runs `chain.startNodeId`
     * and follows its ports while the next node is in `chain.nodes`, up to `chain.maxSteps`, each
     * step with its own seq, visit and step row (exactly as `runStep` writes it). Stops at the
     * first step that fails and answers it (the workflow runs that step again on its own, with its
     * retry policy and the failed-step handling). With `finishRun`, a chain that reaches the end of
     * the flow also marks the run completed (no separate `markRun`).
     */
    async runSteps(input: RunStepsInput): Promise<RunStepsResult> {
      const info = Context.current().info;
      const started = Date.now();
      const done: RunStepsResult['done'] = [];
      const visits: Record<string, number> = {};
      let nodeId: string | null = input.startNodeId;
      let seq = input.seq;
      const chain = new ChainCustomer(input.customerId);
      while (nodeId !== null && nodeId in input.nodes && done.length < input.maxSteps) {
        const node: ChainNode = input.nodes[nodeId]!;
        const visit = (visits[nodeId] = (visits[nodeId] ?? input.visits[nodeId] ?? 0) + 1);
        seq += 1;
        const step: RunStepInput = {
          runId: input.runId, flowId: input.flowId, customerId: input.customerId, isTest: input.isTest, flowVersion: input.flowVersion,
          nodeId, nodeKey: node.key, config: node.config, seq, visit, nowMs: input.nowMs + (Date.now() - started), triggerEvent: input.triggerEvent,
        };
        try {
          const endsRun = input.finishRun ? (port: string) => (node.next[port] ?? null) === null : undefined;
          const { result, present, endedRun } = await executeStep(step, info.attempt, Math.max(node.timeoutMs, 1000), endsRun, chain);
          if (endedRun && present) {
            done.push({ nodeId, port: result.port });
            return { done, next: null, failed: null, finished: true };
          }
          done.push({ nodeId, port: result.port });
          if (!present) return { done, next: null, failed: null, finished: false, runGone: true };
          nodeId = node.next[result.port] ?? null;
        } catch (err) {
          return { done, next: nodeId, failed: { message: err instanceof Error ? err.message : String(err) }, finished: false };
        }
      }
      if (nodeId === null && input.finishRun) {
        await markRunRow({ runId: input.runId, flowId: input.flowId, customerId: input.customerId, isTest: input.isTest, status: 'completed', exitReason: 'end', error: null });
        return { done, next: null, failed: null, finished: true };
      }
      return { done, next: nodeId, failed: null, finished: false };
    },

    /** Answers the customer's timing, or `{ runGone: true }` when the run row was deleted (customer erased). */
    async beginWait(input: RunRef & { nodeId: string; nodeKey: string; seq: number }): Promise<CustomerTiming | { runGone: true } | null> {
      if (!(await upsertStep({ ...input, status: 'waiting', port: null, finished: false, runStatus: 'waiting' }))) return { runGone: true };
      const customer = await loadCustomerSnapshot(deps.app, input.customerId, Date.now());
      return customer ? { timezone: customer.timezone ?? null, preferredContactSlots: customer.preferredContactSlots } : null;
    },

    /** false when the run row was deleted (customer erased): the workflow then ends quietly. */
    async recordStep(input: RecordStepInput): Promise<boolean> {
      const finished = input.status === 'done' || input.status === 'failed' || input.status === 'skipped';
      return upsertStep({ ...input, finished });
    },

    async markRun(input: MarkRunInput): Promise<void> {
      await markRunRow(input);
    },

    /** Quiet hours (customer's zone) and the frequency cap (sends to this customer from any flow). */
    async sendWindow(input: { customerId: string; nowMs: number; sending: SendingSettings | undefined; defaultTimezone: string }): Promise<{ notBeforeMs: number; reason: string | null }> {
      let notBefore = input.nowMs;
      let reason: string | null = null;
      const cap = input.sending?.frequencyCap;
      if (cap) {
        const since = new Date(input.nowMs - cap.perHours * 3_600_000);
        const sent = await db
          .select({ at: schema.interactions.occurredAt })
          .from(schema.interactions)
          .where(and(eq(schema.interactions.customerId, input.customerId), eq(schema.interactions.kind, 'message_out'), gt(schema.interactions.occurredAt, since)));
        const allowed = frequencyCapAllows(sent.map((s) => s.at.getTime()), cap, input.nowMs);
        if (allowed > notBefore) {
          notBefore = allowed;
          reason = 'frequency_cap';
        }
      }
      const quiet = input.sending?.quietHours;
      if (quiet) {
        const [row] = await db.select({ tz: schema.customers.timezone }).from(schema.customers).where(eq(schema.customers.id, input.customerId));
        const zone = customerZone(row?.tz, input.defaultTimezone);
        const end = quietHoursEnd(notBefore, zone, quiet);
        if (end > notBefore) {
          notBefore = end;
          reason = 'quiet_hours';
        }
      }
      return { notBeforeMs: notBefore, reason };
    },
  };
}

export type FlowActivities = ReturnType<typeof createFlowActivities>;
