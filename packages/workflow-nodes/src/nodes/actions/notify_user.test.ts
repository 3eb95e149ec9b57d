import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { notifyUserAction } from './notify_user.js';

describe('action.notify_user', () => {
  it('notifies the owner with the rendered text', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: '李小華', ownerId: 'u1', company: 'ACME' }] });
    await notifyUserAction.run(ctx, notifyUserAction.config.parse({ title: '{name} ({company}) said "sign"', message: 'Call now' }));
    expect(world.notifications).toEqual([{ userId: 'u1', title: '李小華 (ACME) said "sign"', body: 'Call now', customerId: 'c1' }]);
  });
  it('notifies a chosen supervisor', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'X' }] });
    await notifyUserAction.run(ctx, notifyUserAction.config.parse({ recipient: 'user', userId: 'boss', title: 'P1 customer' }));
    expect(world.notifications[0]!.userId).toBe('boss');
  });
  it('fails clearly without an owner', async () => {
    const { ctx } = createMemoryContext({ customers: [{ id: 'c1', name: 'X' }] });
    await expect(notifyUserAction.run(ctx, notifyUserAction.config.parse({ title: 'hi' }))).rejects.toThrow(/has no owner/);
  });
});
