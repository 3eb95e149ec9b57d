import { describe, expect, it } from 'vitest';
import { compileGraph, FlowValidationError } from './compile.js';
import { edge, followUpFlow, step } from './fixtures.js';
import { executionPlanSchema } from './plan.js';

describe('compileGraph', () => {
  it('compiles the follow-up flow into a plan the interpreter can walk', () => {
    const plan = compileGraph(followUpFlow());
    expect(plan.planVersion).toBe(1);
    expect(plan.trigger).toEqual({ nodeId: 'trigger', key: 'trigger.segment_entry@1', config: { segmentId: 'seg-potential-30d', checkEveryMinutes: 60 } });
    expect(plan.startNodeId).toBe('email');
    expect(Object.keys(plan.nodes).sort()).toEqual(['bought', 'done', 'email', 'task', 'wait']);
    expect(plan.nodes.email).toMatchObject({
      key: 'action.send_message@1',
      kind: 'action',
      next: { next: 'wait' },
      retry: { maximumAttempts: 5, initialIntervalMs: 5000, backoffCoefficient: 2 },
      timeoutMs: 60_000,
      config: { channel: 'email', templateId: '', subject: 'Hi {name}' },
    });
    expect(plan.nodes.wait).toMatchObject({ key: 'control.wait_for_event@1', kind: 'control', label: 'Replied within 3 days?', next: { replied: 'done', timeout: 'task' }, timeoutMs: 0 });
    expect(plan.nodes.task!.next).toEqual({ next: null });
    expect(plan.goals).toEqual([{ nodeId: 'bought', name: 'Bought', filter: { event: 'order.created', channel: 'any', tag: '', keywords: [] } }]);
  });

  it('produces an immutable plan that round-trips through JSON and the plan schema', () => {
    const plan = compileGraph(followUpFlow());
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.nodes.email!.config)).toBe(true);
    expect(() => {
      (plan.nodes as Record<string, unknown>).email = null;
    }).toThrow(TypeError);
    expect(executionPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it('maps dynamic ports of a switch', () => {
    const g = followUpFlow();
    g.nodes.push(step('route', 'condition.switch@1', {
      cases: [{ id: 'vip', label: 'VIP', condition: { type: 'tag', operator: 'has', tag: 'vip' } }],
    }));
    g.edges = g.edges.filter((e) => e.source !== 'wait' || e.sourceHandle !== 'timeout');
    g.edges.push(edge('wait', 'timeout', 'route'), edge('route', 'vip', 'task'), edge('route', 'default', 'done'));
    const plan = compileGraph(g);
    expect(plan.nodes.route!.next).toEqual({ default: 'done', vip: 'task' });
    expect(plan.nodes.route!.kind).toBe('condition');
  });

  it('refuses an invalid graph and carries every problem', () => {
    const g = followUpFlow();
    g.nodes[0] = step('trigger', 'trigger.segment_entry@1', {});
    g.edges.pop();
    try {
      compileGraph(g);
      expect.unreachable('compileGraph should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(FlowValidationError);
      const problems = (error as FlowValidationError).problems;
      expect(problems.map((p) => p.code).sort()).toEqual(['node.invalid_config', 'node.unreachable', 'port.unconnected']);
      expect((error as Error).message).toMatch(/^The flow has 3 problems: \[trigger\] segmentId: Fill in this field/);
    }
  });

  it('refuses a plan whose next points outside it', () => {
    const plan = JSON.parse(JSON.stringify(compileGraph(followUpFlow())));
    plan.nodes.email.next.next = 'nowhere';
    expect(executionPlanSchema.safeParse(plan).error?.issues[0]?.path).toEqual(['nodes', 'email', 'next', 'next']);
  });
});
