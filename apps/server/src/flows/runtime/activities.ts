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
import type { Channels } from '@nudge/channels';
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
import { createDbNodeContext, loadCustomerSnapshot, recordingContext, type RecordedAction } from './node-context.js';
import { stepIdempotencyKey, type SendingSettings } from './shared.js';

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
}

export interface MarkRunInput extends RunRef {
  status: RunStatus;
  exitReason: string;
  error: string | null;
}

export type CustomerTiming = Pick<CustomerSnapshot, 'timezone' | 'preferredContactSlots'>;

const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export function createFlowActivities(deps: FlowActivityDeps) {
  const { db } = deps.app.db;
  const steps = schema.flowRunSteps;
  const runs = schema.flowRuns;

  async function upsertStep(input: RecordStepInput & { attempt?: number; finished: boolean }) {
    const now = new Date();
    const values = {
      runId: input.runId,
      flowId: input.flowId,
      nodeId: input.nodeId,
      nodeKey: input.nodeKey,
      seq: input.seq,
      status: input.status,
      port: input.port,
      output: input.output ?? null,
      error: input.error ?? null,
      ...(input.attempt !== undefined ? { attempt: input.attempt } : {}),
      finishedAt: input.finished ? now : null,
    };
    const { runId: _r, flowId: _f, seq: _s, ...update } = values;
    await db.insert(steps).values(values).onConflictDoUpdate({ target: [steps.runId, steps.seq], set: update });
  }

  async function moveRun(runId: string, status: RunStatus | undefined, nodeId: string | null, error?: string | null) {
    if (!status) return;
    await db
      .update(runs)
      .set({ status, currentNodeId: nodeId, updatedAt: new Date(), ...(error !== undefined ? { error } : {}) })
      // a run that already ended (cancelled by ops while a step finished) stays ended
      .where(and(eq(runs.id, runId), sql`${runs.status} not in ('completed', 'failed', 'cancelled')`));
  }

  return {
    async runStep(input: RunStepInput): Promise<StepResult> {
      const attempt = Context.current().info.attempt;
      const base = { ...input, status: 'running' as const, port: null, attempt, finished: false };
      await upsertStep(base);
      await moveRun(input.runId, 'running', input.nodeId);
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
      const real = createDbNodeContext(deps, run, input.nowMs);
      const recorded: RecordedAction[] = [];
      const ctx = input.isTest ? recordingContext(real, recorded) : real;
      try {
        const result = await runActivityNode(input.nodeKey, input.config, ctx);
        const output = input.isTest ? { ...(result.output ?? {}), recorded } : result.output;
        await upsertStep({ ...base, status: result.status ?? 'done', port: result.port, ...(output ? { output } : {}), finished: true });
        return result;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await upsertStep({ ...base, error: message });
        if (err instanceof NonRetryableNodeError) throw ApplicationFailure.nonRetryable(message, err.code);
        throw err;
      }
    },

    async beginWait(input: RunRef & { nodeId: string; nodeKey: string; seq: number }): Promise<CustomerTiming | null> {
      await upsertStep({ ...input, status: 'waiting', port: null, finished: false });
      await moveRun(input.runId, 'waiting', input.nodeId);
      const customer = await loadCustomerSnapshot(deps.app, input.customerId, Date.now());
      return customer ? { timezone: customer.timezone ?? null, preferredContactSlots: customer.preferredContactSlots } : null;
    },

    async recordStep(input: RecordStepInput): Promise<void> {
      const finished = input.status === 'done' || input.status === 'failed' || input.status === 'skipped';
      await upsertStep({ ...input, finished });
      await moveRun(input.runId, input.runStatus, input.nodeId, input.runError);
    },

    async markRun(input: MarkRunInput): Promise<void> {
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
