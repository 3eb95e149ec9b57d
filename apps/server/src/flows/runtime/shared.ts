/**
 * Names and shapes shared by the interpreter workflow, its activities and the server side
 * (enrollment, triggers, the flow API). Pure: the workflow bundle imports this file.
 */
import type { ExecutionPlan, FlowEvent } from '@nudge/workflow-nodes/control';

export const FLOW_TASK_QUEUE = 'nudge-flows';
export const FLOW_WORKFLOW_TYPE = 'flowRun';
/** Signal names (the workflow defines them with these). */
export const CUSTOMER_EVENT_SIGNAL = 'customerEvent';
export const RETRY_STEP_SIGNAL = 'retryFailedStep';
export const CURRENT_NODE_QUERY = 'currentNode';

/** Flow-wide sending rules (flows.sending). */
export interface SendingSettings {
  quietHours?: { start: string; end: string } | null;
  frequencyCap?: { maxMessages: number; perHours: number } | null;
}

export interface FlowRunInput {
  plan: ExecutionPlan;
  /** flow_runs.id (created by enrollCustomer before the workflow starts) */
  runId: string;
  flowId: string;
  versionId: string;
  /** flow_versions.version, shown to nodes as RunInfo.flowVersion */
  flowVersion: number;
  customerId: string;
  enrollmentKey: string;
  /** a test run: actions are recorded, not performed, and waits are skipped */
  test?: boolean;
  sending?: SendingSettings;
  /** the event that started the run, if any (templates may read its data) */
  triggerEvent?: FlowEvent | null;
  /** zone for customers without one */
  defaultTimezone?: string;
  /** set when the run continues as new: where it was */
  resume?: { nodeId: string | null; seq: number; visits: Record<string, number> };
}

/**
 * What the server signals to a run: something the customer did. `type` is a FlowEvent type
 * (message.received, tag.added, order.created …); channel/text/tag are copied into its data.
 */
export interface CustomerEventSignal {
  type: FlowEvent['type'];
  channel?: string;
  text?: string;
  tag?: string;
  data?: Record<string, unknown>;
}

export interface CurrentNodeState {
  nodeId: string | null;
  /** running: executing a step; waiting: in a wait node or held by quiet hours / frequency cap; failed: a step failed and the run waits for a retry */
  status: 'running' | 'waiting' | 'failed' | 'finished';
  seq: number;
  /** epoch ms the current wait ends at (timeout of a wait for event), when waiting */
  waitingUntilMs: number | null;
}

/** The workflow id of an enrollment: stable for (flow, customer, enrollment key), so a repeated event attaches to the same run. */
export const flowWorkflowId = (flowId: string, customerId: string, enrollmentKey: string): string =>
  `flow:${flowId}:${customerId}:${enrollmentKey}`;

/** The idempotency key of one visit of a step (channels, tasks, notes): stable across retries and replays. */
export const stepIdempotencyKey = (runId: string, nodeId: string, visit: number): string => `${runId}:${nodeId}:${visit}`;
