/**
 * Walks an execution plan for one customer without Temporal, skipping time: the reference
 * semantics of the interpreter, and the engine of a flow "test run" (pair it with the in-memory
 * context so actions are recorded, not sent). Events are given up front with their times.
 */
import type { NodeContext } from './context.js';
import { controlNode } from './control.js';
import type { ControlDecision } from './define.js';
import { NonRetryableNodeError } from './errors.js';
import type { FlowEvent } from './events.js';
import { eventMatches } from './events.js';
import type { ExecutionPlan } from './graph/plan.js';
import { runActivityNode } from './runtime.js';

export interface SimulatedStep {
  nodeId: string;
  key: string;
  kind: 'condition' | 'action' | 'control';
  startedAt: number;
  endedAt: number;
  status: 'done' | 'skipped' | 'waited' | 'failed';
  port: string | null;
  output?: Record<string, unknown>;
  error?: string;
}

export interface SimulationResult {
  outcome: 'completed' | 'goal' | 'failed' | 'step_limit';
  /** the goal reached, or the failed step */
  nodeId: string | null;
  steps: SimulatedStep[];
  endedAt: number;
}

export interface SimulationOptions {
  /** the run's customer and services; `ctx.now()` must follow `setNow` */
  ctx: NodeContext;
  setNow(ms: number): void;
  startMs: number;
  runId?: string;
  defaultTimezone?: string;
  /** what happens to the customer while the run goes on (replies, orders, tags…) */
  events?: FlowEvent[];
  maxSteps?: number;
}

export async function simulatePlan(plan: ExecutionPlan, options: SimulationOptions): Promise<SimulationResult> {
  const { ctx } = options;
  const runId = options.runId ?? ctx.run.runId;
  const customerId = ctx.run.customerId;
  const events = [...(options.events ?? [])].filter((e) => e.customerId === customerId).sort((a, b) => a.at - b.at);
  const steps: SimulatedStep[] = [];
  const visits = new Map<string, number>();
  let now = options.startMs;
  const setNow = (ms: number) => {
    now = ms;
    options.setNow(ms);
  };
  setNow(now);

  /** the first goal event in [from, to] */
  const goalBetween = (from: number, to: number) => {
    for (const e of events) {
      if (e.at < from || e.at > to) continue;
      const goal = plan.goals.find((g) => eventMatches(g.filter, e));
      if (goal) return { goal, at: e.at };
    }
    return null;
  };
  const finish = (outcome: SimulationResult['outcome'], nodeId: string | null): SimulationResult => ({ outcome, nodeId, steps, endedAt: now });

  let nodeId = plan.startNodeId;
  let checkedGoalsUntil = options.startMs;
  while (nodeId) {
    if (steps.length >= (options.maxSteps ?? 1000)) return finish('step_limit', nodeId);
    const early = goalBetween(checkedGoalsUntil, now);
    checkedGoalsUntil = now;
    if (early) return finish('goal', early.goal.nodeId);
    const currentId: string = nodeId;
    const node = plan.nodes[currentId]!;
    const visit = (visits.get(nodeId) ?? 0) + 1;
    visits.set(nodeId, visit);
    const startedAt = now;

    if (node.kind !== 'control') {
      ctx.run.nodeId = nodeId;
      ctx.run.attempt = 1;
      ctx.run.idempotencyKey = visit === 1 ? `${runId}:${nodeId}` : `${runId}:${nodeId}:${visit}`;
      try {
        const result = await runActivityNode(node.key, node.config, ctx);
        steps.push({ nodeId, key: node.key, kind: node.kind, startedAt, endedAt: now, status: result.status ?? 'done', port: result.port, ...(result.output ? { output: result.output } : {}) });
        nodeId = node.next[result.port] ?? null;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        steps.push({ nodeId: currentId, key: node.key, kind: node.kind, startedAt, endedAt: now, status: 'failed', port: null, error: message, ...(error instanceof NonRetryableNodeError ? { output: { code: error.code } } : {}) });
        return finish('failed', currentId);
      }
      continue;
    }

    const def = controlNode(node.key);
    if (!def) throw new Error(`Plan node ${nodeId} has unknown control step ${node.key}`);
    const customer = await ctx.customers.get(customerId);
    const decision: ControlDecision = def.decide(def.config.parse(node.config), {
      nowMs: now,
      runId,
      nodeId,
      customerId,
      customer: customer ? { timezone: customer.timezone, preferredContactSlots: customer.preferredContactSlots } : null,
      defaultTimezone: options.defaultTimezone ?? 'UTC',
    });
    const record = (status: SimulatedStep['status'], port: string | null) =>
      steps.push({ nodeId: currentId, key: node.key, kind: 'control', startedAt, endedAt: now, status, port });

    switch (decision.type) {
      case 'next':
        record('done', decision.port);
        nodeId = node.next[decision.port] ?? null;
        break;
      case 'exit':
        record('done', null);
        return finish(decision.reason === 'goal' ? 'goal' : 'completed', decision.reason === 'goal' ? nodeId : null);
      case 'sleep': {
        const goal = goalBetween(now, decision.untilMs);
        if (goal) {
          setNow(goal.at);
          record('waited', null);
          return finish('goal', goal.goal.nodeId);
        }
        setNow(Math.max(now, decision.untilMs));
        checkedGoalsUntil = now;
        record('waited', decision.port);
        nodeId = node.next[decision.port] ?? null;
        break;
      }
      case 'wait_for_event': {
        const match = events.find((e) => e.at >= now && e.at <= decision.timeoutAtMs && eventMatches(decision.filter, e));
        const goal = goalBetween(now, match ? match.at : decision.timeoutAtMs);
        if (goal && (!match || goal.at <= match.at)) {
          setNow(goal.at);
          record('waited', null);
          return finish('goal', goal.goal.nodeId);
        }
        setNow(match ? match.at : decision.timeoutAtMs);
        checkedGoalsUntil = now;
        const port = match ? decision.eventPort : decision.timeoutPort;
        record('waited', port);
        nodeId = node.next[port] ?? null;
        break;
      }
    }
  }
  return finish('completed', null);
}
