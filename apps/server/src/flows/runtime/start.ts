/**
 * One way to start a run's interpreter workflow: the FlowRunInput is built here from the run row
 * and its flow version, for enrollment (enroll.ts) and for resuming a failed step (api/ops.ts).
 */
import type { Client } from '@temporalio/client';
import type { ExecutionPlan, FlowEvent } from '@nudge/workflow-nodes/control';
import { FLOW_TASK_QUEUE, FLOW_WORKFLOW_TYPE, type FlowRunInput } from './shared.js';
import { setting } from '../../config.js';

export interface StartFlowRunOptions {
  run: { id: string; flowId: string; customerId: string; enrollmentKey: string; workflowId: string; isTest: boolean };
  plan: ExecutionPlan;
  versionId: string;
  flowVersion: number;
  sending: FlowRunInput['sending'];
  triggerEvent: FlowEvent | null;
  resume?: FlowRunInput['resume'];
  /** REJECT_DUPLICATE for flows a customer enters once. */
  reusePolicy: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE';
  /** USE_EXISTING: a start for a workflow already running returns that one (retried enrollments). */
  useExisting?: boolean;
  memo?: Record<string, string>;
}

/** The time zone of customers without one (NUDGE_DEFAULT_TIMEZONE, default UTC). */
export const defaultTimezone = () => setting('NUDGE_DEFAULT_TIMEZONE');

/** Starts the workflow; returns its first execution's run id. Errors (e.g. already started) are the caller's. */
export async function startFlowRun(client: Client, o: StartFlowRunOptions): Promise<string> {
  const { run } = o;
  const input: FlowRunInput = {
    plan: o.plan,
    runId: run.id,
    flowId: run.flowId,
    versionId: o.versionId,
    flowVersion: o.flowVersion,
    customerId: run.customerId,
    enrollmentKey: run.enrollmentKey,
    test: run.isTest,
    sending: o.sending,
    triggerEvent: o.triggerEvent,
    defaultTimezone: defaultTimezone(),
    ...(o.resume ? { resume: o.resume } : {}),
  };
  const handle = await client.workflow.start(FLOW_WORKFLOW_TYPE, {
    taskQueue: FLOW_TASK_QUEUE,
    workflowId: run.workflowId,
    args: [input],
    // the first workflow task comes back with the answer when this process runs a worker on the
    // client's connection (engine.workerConnection); a cluster that does not do it starts it as usual
    ...(o.useExisting ? { workflowIdConflictPolicy: 'USE_EXISTING' as const } : {}),
    requestEagerStart: true,
    workflowIdReusePolicy: o.reusePolicy,
    memo: { flowId: run.flowId, customerId: run.customerId, runId: run.id, ...o.memo },
  });
  return handle.firstExecutionRunId;
}
