import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { createTaskAction } from './create_task.js';

describe('action.create_task', () => {
  it('creates a phone-call task for the owner, due in N hours', async () => {
    const now = Date.UTC(2026, 1, 2, 10);
    const { ctx, world } = createMemoryContext({ now, customers: [{ id: 'c1', name: 'María', ownerId: 'u7', phone: '+34600111222' }] });
    const cfg = createTaskAction.config.parse({ title: 'Call {name} on {phone}', dueIn: { amount: 4, unit: 'hours' } });
    const result = await createTaskAction.run(ctx, cfg);
    expect(world.tasks).toEqual([
      { taskId: 'task-1', customerId: 'c1', assigneeId: 'u7', title: 'Call María on +34600111222', taskType: 'call', dueAt: now + 4 * 3_600_000, notes: '' },
    ]);
    expect(result.output).toEqual({ taskId: 'task-1', assigneeId: 'u7', dueAt: now + 4 * 3_600_000 });
  });
  it('fails without retry when the customer has no owner', async () => {
    const { ctx } = createMemoryContext({ customers: [{ id: 'c1', name: 'María' }] });
    await expect(createTaskAction.run(ctx, createTaskAction.config.parse({ title: 'Call' }))).rejects.toMatchObject({ code: 'owner_missing' });
  });
  it('can go to a chosen user, who must be picked', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'María' }] });
    await createTaskAction.run(ctx, createTaskAction.config.parse({ title: 'Visit', assignTo: 'user', userId: 'u2', taskType: 'meeting' }));
    expect(world.tasks[0]).toMatchObject({ assigneeId: 'u2', taskType: 'meeting' });
    expect(createTaskAction.config.safeParse({ title: 'Visit', assignTo: 'user' }).error?.issues[0]?.message).toBe('Pick the user who gets the task');
  });
});
