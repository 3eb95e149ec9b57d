/**
 * The node-definition API. One node = one object literal passed to `defineNode`; its config
 * type is inferred from the zod schema, so `run`/`decide`/`match` never cast.
 * This file imports only zod and types: it is safe inside the Temporal workflow sandbox.
 */
import type { z } from 'zod';
import type { NodeContext, StepResult } from './context.js';
import type { CustomerSnapshot } from './customer.js';
import type { EventFilter, FlowEvent, FlowEventType } from './events.js';
import type { Localized } from './i18n.js';

export type NodeKind = 'trigger' | 'condition' | 'action' | 'control';
export type Widget = 'duration' | 'template' | 'segment' | 'cron' | 'timezone' | 'textarea' | 'tags' | 'user' | 'flow' | 'message_template';

export interface OutputPort {
  id: string;
  label: Localized;
  /**
   * An optional port may stay unconnected (the run ends there). Branch ports are required:
   * a manager must say where each branch goes, if only to an End node.
   */
  optional?: boolean;
}

export interface DynamicOutputs {
  /** config field holding an array of items, each becoming a port */
  fromField: string;
  idKey: string;
  labelKey: string;
}

export interface UiHint {
  widget: Widget;
  label?: Localized;
}

export interface RetryPolicy {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
}

/** What the interpreter knows when a control node is reached. */
export interface ControlState {
  /** workflow time, epoch ms */
  nowMs: number;
  runId: string;
  nodeId: string;
  customerId: string;
  customer: Pick<CustomerSnapshot, 'timezone' | 'preferredContactSlots'> | null;
  /** zone used when the customer has none */
  defaultTimezone: string;
}

/** What a control node tells the interpreter to do; the interpreter does it with sleep/condition. */
export type ControlDecision =
  | { type: 'next'; port: string }
  | { type: 'sleep'; untilMs: number; port: string }
  | { type: 'wait_for_event'; filter: EventFilter; timeoutAtMs: number; eventPort: string; timeoutPort: string }
  | { type: 'exit'; reason: 'end' | 'goal'; note?: string };

export type TriggerBehaviour<C> =
  /** started by the server when a matching event arrives */
  | { mode: 'event'; events: readonly FlowEventType[]; match(config: C, event: FlowEvent): boolean }
  /** evaluated by a scheduled sweep (segment entry, dates) */
  | { mode: 'sweep' }
  /** a Temporal schedule (cron) */
  | { mode: 'schedule' }
  /** customers picked by a person */
  | { mode: 'manual' };

interface NodeBase<S extends z.ZodType> {
  type: string;
  version: number;
  category: string;
  icon: string;
  label: Localized;
  description: Localized;
  inputs: readonly 'in'[];
  outputs: readonly OutputPort[];
  dynamicOutputs?: DynamicOutputs;
  config: S;
  /** The config a new node starts with; every value given must be valid (required fields may be left out). */
  defaults: Partial<z.input<S>>;
  /** Widget hints keyed by dotted config path. `template` fields are checked for unknown variables. */
  ui?: Readonly<Record<string, UiHint>>;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface TriggerNodeDefinition<S extends z.ZodType = z.ZodType> extends NodeBase<S> {
  kind: 'trigger';
  trigger: TriggerBehaviour<z.output<S>>;
}

/**
 * What a step touches. `external`: a service outside Nudge's database (a channel, a webhook, the
 * workflow service) — an ordinary activity, its retry state kept by the server and visible as
 * pending; `database`: only Nudge's database — may run as a local activity; `none`: nothing.
 */
export type NodeEffects = 'external' | 'database' | 'none';
export const NODE_EFFECTS = ['external', 'database', 'none'] as const satisfies readonly NodeEffects[];

export interface ActivityNodeDefinition<S extends z.ZodType = z.ZodType> extends NodeBase<S> {
  kind: 'action' | 'condition';
  effects: NodeEffects;
  /** The sending window (quiet hours, frequency cap) holds the step back with a durable timer. */
  sendingWindow?: boolean;
  run(ctx: NodeContext, config: z.output<S>): Promise<StepResult>;
}

export interface ControlNodeDefinition<S extends z.ZodType = z.ZodType> extends NodeBase<S> {
  kind: 'control';
  /** true for nodes that pause the run (wait, wait until, wait for event): a loop through one is allowed */
  waits: boolean;
  decide(config: z.output<S>, state: ControlState): ControlDecision;
}

export type NodeDefinition<S extends z.ZodType = z.ZodType> =
  | TriggerNodeDefinition<S>
  | ActivityNodeDefinition<S>
  | ControlNodeDefinition<S>;

// `any` only at the registry boundary: each node keeps its own precise type where it is defined.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNodeDefinition = NodeDefinition<any>;

export function defineNode<S extends z.ZodType>(def: TriggerNodeDefinition<S>): TriggerNodeDefinition<S>;
export function defineNode<S extends z.ZodType>(def: ActivityNodeDefinition<S>): ActivityNodeDefinition<S>;
export function defineNode<S extends z.ZodType>(def: ControlNodeDefinition<S>): ControlNodeDefinition<S>;
export function defineNode<S extends z.ZodType>(def: NodeDefinition<S>): NodeDefinition<S> {
  return Object.freeze(def);
}

export const nodeKey = (def: { type: string; version: number }): string => `${def.type}@${def.version}`;

export const defaultRetry: Readonly<Record<NodeKind, RetryPolicy>> = {
  trigger: { maximumAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2 },
  control: { maximumAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2 },
  condition: { maximumAttempts: 5, initialIntervalMs: 1000, backoffCoefficient: 2 },
  action: { maximumAttempts: 5, initialIntervalMs: 2000, backoffCoefficient: 2 },
};
export const defaultTimeoutMs: Readonly<Record<NodeKind, number>> = {
  trigger: 0,
  control: 0,
  condition: 30_000,
  action: 60_000,
};
