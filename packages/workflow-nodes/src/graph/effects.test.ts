/**
 * Node effects: each activity node declares what it touches; the compiler carries it into the
 * plan, and the interpreter reads it from there (stepEffects). Plans published before nodes
 * declared effects fall back to the key list of that time, which must agree with what those
 * nodes declare today (so an old plan runs its steps exactly as it did).
 */
import { describe, expect, it } from 'vitest';
import { nodeKey } from '../define.js';
import { nodeRegistry } from '../registry.js';
import { compileGraph } from './compile.js';
import { edge, followUpFlow, step } from './fixtures.js';
import { stepEffects, type PlanNode } from './plan.js';

/** The nodes that existed when effects were introduced (plans compiled before carry no effects). */
const NODES_BEFORE_EFFECTS = [
  'action.add_note@1', 'action.add_tag@1', 'action.assign_owner@1', 'action.change_points@1', 'action.create_task@1',
  'action.http_webhook@1', 'action.notify_user@1', 'action.remove_tag@1', 'action.send_message@1', 'action.set_priority@1',
  'action.start_flow@1', 'action.update_field@1', 'condition.if_else@1', 'condition.switch@1',
];

describe('node effects', () => {
  it('every action and condition node declares them', () => {
    for (const def of nodeRegistry) {
      if (def.kind !== 'action' && def.kind !== 'condition') continue;
      expect(['external', 'database', 'none'], nodeKey(def)).toContain(def.effects);
    }
  });

  it('the compiler carries them into the plan', () => {
    const g = followUpFlow();
    g.nodes.push(step('hook', 'action.http_webhook@1', { url: 'https://example.com/hook', method: 'POST' }));
    g.edges.push(edge('task', 'next', 'hook'));
    const plan = compileGraph(g);
    expect(plan.nodes.email).toMatchObject({ effects: 'external', sendingWindow: true });
    expect(plan.nodes.task).toMatchObject({ effects: 'database' });
    expect(plan.nodes.task!.sendingWindow).toBeUndefined();
    expect(plan.nodes.hook).toMatchObject({ effects: 'external' });
    expect(plan.nodes.hook!.sendingWindow).toBeUndefined();
    expect(plan.nodes.wait).toMatchObject({ effects: 'none' });
    expect(stepEffects(plan.nodes.email!)).toEqual({ effects: 'external', sendingWindow: true });
    expect(stepEffects(plan.nodes.task!)).toEqual({ effects: 'database', sendingWindow: false });
  });

  it('a plan node without effects (published before) gets what its node declares today', () => {
    for (const key of NODES_BEFORE_EFFECTS) {
      const def = nodeRegistry.find((d) => nodeKey(d) === key);
      if (!def || (def.kind !== 'action' && def.kind !== 'condition')) throw new Error(`${key} is not an activity node`);
      const legacy: PlanNode = { key, kind: def.kind, config: {}, next: {}, retry: { maximumAttempts: 1, initialIntervalMs: 0, backoffCoefficient: 1 }, timeoutMs: 1000 };
      expect(stepEffects(legacy), key).toEqual({ effects: def.effects, sendingWindow: def.sendingWindow === true });
    }
  });
});
