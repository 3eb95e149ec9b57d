/**
 * What the worker and the server call around a plan: run one action/condition step (inside a
 * Temporal activity) and decide whether an event starts a flow. Not for the workflow sandbox
 * (it reaches every node); the workflow imports `@nudge/workflow-nodes/control`.
 */
import type { NodeContext, StepResult } from './context.js';
import type { FlowEvent } from './events.js';
import { NonRetryableNodeError } from './errors.js';
import { friendlyErrorMap } from './graph/messages.js';
import { outputPortIds } from './graph/ports.js';
import { findNode } from './registry.js';

/**
 * Runs the step `key` (action.send_message@1 …) with its plan config. A config that no longer
 * parses (a plan from an older catalogue) and an unknown key fail without retries; the returned
 * port is checked against the node's ports.
 */
export async function runActivityNode(key: string, config: unknown, ctx: NodeContext): Promise<StepResult> {
  const def = findNode(key);
  if (!def) throw new NonRetryableNodeError(`This version of Nudge has no step "${key}"`, 'unknown_node');
  if (def.kind !== 'action' && def.kind !== 'condition') {
    throw new NonRetryableNodeError(`Step "${key}" is a ${def.kind} and does not run as an activity`, 'not_an_activity');
  }
  const parsed = def.config.safeParse(config, { error: friendlyErrorMap });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NonRetryableNodeError(
      `Step ${ctx.run.nodeId} (${key}) has invalid settings: ${issue.path.join('.') || 'config'}: ${issue.message}`,
      'invalid_config',
    );
  }
  const result = await def.run(ctx, parsed.data);
  if (!outputPortIds(def, parsed.data).includes(result.port)) throw new Error(`Step ${key} answered with unknown port "${result.port}"`);
  return result;
}

/** Whether an event starts a flow whose plan has this trigger (event triggers only). */
export function triggerMatchesEvent(trigger: { key: string; config: unknown }, event: FlowEvent): boolean {
  const def = findNode(trigger.key);
  if (!def || def.kind !== 'trigger' || def.trigger.mode !== 'event') return false;
  if (!def.trigger.events.includes(event.type)) return false;
  const config = def.config.safeParse(trigger.config);
  return config.success && def.trigger.match(config.data, event);
}
