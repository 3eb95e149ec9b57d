/**
 * `@nudge/workflow-nodes/sandbox`: the lean entry of the interpreter workflow. The Temporal worker
 * evaluates a workflow's modules again for every workflow it starts or replays (the reusable V8
 * context shares only the SDK's own modules), so this file imports nothing that builds schemas:
 * no zod, no luxon. Control steps load `@nudge/workflow-nodes/control` (zod, luxon) when a run
 * first reaches one; a run of actions only never evaluates it.
 */
import type { EventFilter, FlowEvent } from './events.js';
import type { PlanNode } from './graph/plan.js';

/** The key of the goal node (a goal's record names it when the plan lacks the node); control.test.ts checks it against the node. */
export const GOAL_NODE_KEY = 'control.goal@1';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Whether an event matches a filter of a compiled plan (validated when the plan was compiled; the
 * defaults of `eventFilterSchema` apply to missing fields). `eventMatches` in events.ts parses
 * first and then calls this.
 */
export function matchesFilter(filter: Pick<EventFilter, 'event'> & Partial<EventFilter>, event: FlowEvent): boolean {
  const channel = filter.channel ?? 'any';
  const tag = filter.tag ?? '';
  const keywords = filter.keywords ?? [];
  if (filter.event !== event.type) return false;
  if (channel !== 'any' && 'channel' in event.data && event.data.channel !== channel) return false;
  if (tag && (event.type === 'tag.added' || event.type === 'tag.removed') && event.data.tag !== tag) return false;
  if (keywords.length > 0) {
    const text = str(event.data.text).toLocaleLowerCase();
    if (!keywords.some((k) => text.includes(k.toLocaleLowerCase()))) return false;
  }
  return true;
}

/**
 * Plans compiled before nodes declared their effects: the nodes that then called outside services
 * (and the one the sending window held back), by key prefix. Only for those plans — a plan
 * compiled today carries each node's own declaration. Never add to this list.
 */
const LEGACY_EXTERNAL_KEYS = ['action.send_message@', 'action.http_webhook@', 'action.start_flow@'];
const LEGACY_SENDING_WINDOW_KEYS = ['action.send_message@'];

/** What a plan node's step touches and whether the sending window holds it back. */
export function stepEffects(node: PlanNode): { effects: 'external' | 'database' | 'none'; sendingWindow: boolean } {
  if (node.effects) return { effects: node.effects, sendingWindow: node.sendingWindow === true };
  if (node.kind === 'control') return { effects: 'none', sendingWindow: false };
  return {
    effects: LEGACY_EXTERNAL_KEYS.some((k) => node.key.startsWith(k)) ? 'external' : 'database',
    sendingWindow: LEGACY_SENDING_WINDOW_KEYS.some((k) => node.key.startsWith(k)),
  };
}

export type { ControlDecision } from './define.js';
export type { FlowEvent } from './events.js';
export type { PlanNode } from './graph/plan.js';
