/**
 * `@nudge/workflow-nodes/control`: what the interpreter workflow may import inside Temporal's
 * sandbox. Only pure modules (zod, luxon, local helpers) are reachable from here: no Node
 * built-ins, no I/O, no action nodes.
 */
import type { ControlNodeDefinition } from './define.js';
import { nodeKey } from './define.js';
import { abSplitControl } from './nodes/control/ab_split.js';
import { endControl } from './nodes/control/end.js';
import { goalControl } from './nodes/control/goal.js';
import { waitControl } from './nodes/control/wait.js';
import { waitForEventControl } from './nodes/control/wait_for_event.js';
import { waitUntilControl } from './nodes/control/wait_until.js';

export const controlNodes = [
  waitControl,
  waitUntilControl,
  waitForEventControl,
  abSplitControl,
  goalControl,
  endControl,
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const byKey = new Map<string, ControlNodeDefinition<any>>(controlNodes.map((n) => [nodeKey(n), n]));

/** The control node for a plan key (`control.wait@1`), or undefined for non-control keys. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const controlNode = (key: string): ControlNodeDefinition<any> | undefined => byKey.get(key);

export type { ControlDecision, ControlNodeDefinition, ControlState } from './define.js';
export { eventMatches, flowEventSchema, type EventFilter, type FlowEvent } from './events.js';
export { goalFilter } from './nodes/control/goal.js';
export { pickVariant } from './nodes/control/ab_split.js';
export { waitUntilInstant } from './nodes/control/wait_until.js';
export { addDuration, type Duration } from './duration.js';
export { executionPlanSchema, type ExecutionPlan, type PlanNode } from './graph/plan.js';
export { frequencyCapAllows, quietHoursEnd, type FrequencyCap, type QuietHours } from './time/sending.js';

export { stepEffects } from './graph/plan.js';
export { GOAL_NODE_KEY } from './sandbox.js';
