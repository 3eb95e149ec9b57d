/** Graph → execution plan. Pure; refuses a graph with problems (they travel in the error). */
import { defaultRetry, defaultTimeoutMs } from '../define.js';
import { goalFilter } from '../nodes/control/goal.js';
import type { ExecutionPlan, PlanNode } from './plan.js';
import { executionPlanSchema } from './plan.js';
import type { FlowGraph, FlowProblem } from './schema.js';
import type { ValidateOptions } from './validate.js';
import { analyzeGraph } from './validate.js';

export class FlowValidationError extends Error {
  override readonly name = 'FlowValidationError';
  constructor(readonly problems: FlowProblem[]) {
    super(
      `The flow has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
        .slice(0, 5)
        .map((p) => (p.nodeId ? `[${p.nodeId}] ${p.message}` : p.message))
        .join(' ')}`,
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function compileGraph(graph: FlowGraph | unknown, options: ValidateOptions = {}): ExecutionPlan {
  const analysis = analyzeGraph(graph, options);
  if (analysis.problems.length > 0) throw new FlowValidationError(analysis.problems);
  const triggerId = analysis.triggerIds[0]!;
  const trigger = analysis.resolved.get(triggerId)!;

  const nodes: Record<string, PlanNode> = {};
  const goals: ExecutionPlan['goals'] = [];
  for (const r of analysis.resolved.values()) {
    if (r.spec.kind === 'trigger') continue;
    const isGoal = r.spec.type === 'control.goal';
    if (!analysis.reachable.has(r.node.id) && !isGoal) continue;
    const outs = analysis.wiring.get(r.node.id);
    const config = r.config!;
    nodes[r.node.id] = {
      key: `${r.spec.type}@${r.spec.version}`,
      kind: r.spec.kind,
      ...(r.node.data.label ? { label: r.node.data.label } : {}),
      config,
      next: Object.fromEntries(r.ports.map((p) => [p.id, outs?.get(p.id) ?? null])),
      retry: r.spec.retry ?? defaultRetry[r.spec.kind],
      timeoutMs: r.spec.timeoutMs ?? defaultTimeoutMs[r.spec.kind],
      effects: r.spec.effects ?? (r.spec.kind === 'control' ? 'none' : 'database'),
      ...(r.spec.sendingWindow ? { sendingWindow: true } : {}),
    };
    if (isGoal) {
      const goalConfig = config as Parameters<typeof goalFilter>[0];
      goals.push({ nodeId: r.node.id, name: goalConfig.name, filter: goalFilter(goalConfig) });
    }
  }
  const plan = executionPlanSchema.parse({
    planVersion: 1,
    trigger: { nodeId: triggerId, key: `${trigger.spec.type}@${trigger.spec.version}`, config: trigger.config! },
    startNodeId: analysis.wiring.get(triggerId)?.get('next') ?? null,
    goals,
    nodes,
  });
  return deepFreeze(plan);
}
