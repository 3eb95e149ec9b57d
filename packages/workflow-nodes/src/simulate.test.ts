import { describe, expect, it } from 'vitest';
import { compileGraph } from './graph/compile.js';
import { edge, followUpFlow, step } from './graph/fixtures.js';
import { simulatePlan } from './simulate.js';
import { createMemoryContext } from './testing/memory-context.js';

const day = 86_400_000;
const start = Date.UTC(2026, 3, 1, 9);
const customer = { id: 'c1', name: '張大明', email: 'daming@example.com', ownerId: 'u1', ownerName: 'Lucía', tags: ['potential'] };

describe('simulatePlan (the issue 4 example, time skipped)', () => {
  const plan = compileGraph(followUpFlow());

  it('a customer who never replies gets exactly one email and one call task', async () => {
    const { ctx, world, setNow } = createMemoryContext({ customers: [customer] });
    const result = await simulatePlan(plan, { ctx, setNow, startMs: start, runId: 'run-a' });
    expect(result.outcome).toBe('completed');
    expect(result.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['email:next', 'wait:timeout', 'task:next']);
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]).toMatchObject({ to: 'daming@example.com', idempotencyKey: 'run-a:email' });
    expect(world.tasks).toHaveLength(1);
    expect(world.tasks[0]).toMatchObject({ assigneeId: 'u1', title: 'Call 張大明', dueAt: start + 3 * day + day });
    expect(result.endedAt).toBe(start + 3 * day);
  });

  it('one who replies on day 2 gets the email and no task', async () => {
    const { ctx, world, setNow } = createMemoryContext({ customers: [customer] });
    const reply = { type: 'message.received' as const, customerId: 'c1', at: start + 2 * day, data: { channel: 'email', text: '好的' } };
    const result = await simulatePlan(plan, { ctx, setNow, startMs: start, events: [reply] });
    expect(result.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['email:next', 'wait:replied', 'done:null']);
    expect([world.sent.length, world.tasks.length]).toEqual([1, 0]);
    expect(result.endedAt).toBe(start + 2 * day);
  });

  it('a goal met while waiting ends the run', async () => {
    const { ctx, world, setNow } = createMemoryContext({ customers: [customer] });
    const order = { type: 'order.created' as const, customerId: 'c1', at: start + day, data: {} };
    const result = await simulatePlan(plan, { ctx, setNow, startMs: start, events: [order] });
    expect(result).toMatchObject({ outcome: 'goal', nodeId: 'bought', endedAt: start + day });
    expect(world.tasks).toHaveLength(0);
  });

  it('records a failed step with its reason and stops', async () => {
    const { ctx, setNow } = createMemoryContext({ customers: [{ ...customer, ownerId: null }] });
    const result = await simulatePlan(plan, { ctx, setNow, startMs: start });
    expect(result.outcome).toBe('failed');
    expect(result.steps.at(-1)).toMatchObject({ nodeId: 'task', status: 'failed', output: { code: 'owner_missing' } });
  });

  it('gives each visit of a loop its own idempotency key, so a loop through a wait sends again', async () => {
    const g = followUpFlow();
    g.nodes.push(step('pause', 'control.wait@1', { duration: { amount: 1, unit: 'days' } }), step('count', 'action.change_points@1', { delta: 1, reason: 'loop' }));
    g.edges = g.edges.filter((e) => e.id !== 'wait-timeout-task');
    g.edges.push(edge('wait', 'timeout', 'count'), edge('count', 'next', 'pause'), edge('pause', 'next', 'email'));
    g.nodes = g.nodes.filter((n) => n.id !== 'task');
    const { ctx, world, setNow } = createMemoryContext({ customers: [customer] });
    const result = await simulatePlan(compileGraph(g), { ctx, setNow, startMs: start, maxSteps: 10 });
    expect(result.outcome).toBe('step_limit');
    expect(world.sent.map((s) => s.idempotencyKey)).toEqual(['run-1:email', 'run-1:email:2', 'run-1:email:3']);
  });
});
