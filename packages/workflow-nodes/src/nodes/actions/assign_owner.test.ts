import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { assignOwnerAction, pickOwner } from './assign_owner.js';

const users = [
  { id: 'u1', name: 'Wang', openCount: 3, lastAssignedAt: 300, capacity: 5 },
  { id: 'u2', name: 'Lucía', openCount: 1, lastAssignedAt: 100, capacity: 5 },
  { id: 'u3', name: 'Sam', openCount: 0, lastAssignedAt: 200, capacity: 5 },
];

describe('action.assign_owner', () => {
  it('round-robin gives customers in turn', async () => {
    const { ctx, world, setNow } = createMemoryContext({
      customers: [
        { id: 'c1', name: 'A' },
        { id: 'c2', name: 'B' },
        { id: 'c3', name: 'C' },
        { id: 'c4', name: 'D' },
      ],
      users,
      now: 1000,
    });
    const cfg = assignOwnerAction.config.parse({ strategy: 'round_robin', userIds: ['u1', 'u2', 'u3'] });
    const owners: string[] = [];
    for (const [i, id] of ['c1', 'c2', 'c3', 'c4'].entries()) {
      ctx.run.customerId = id;
      setNow(1000 + i); // the clock moves between assignments, as in real runs
      owners.push(String((await assignOwnerAction.run(ctx, cfg)).output!.ownerId));
    }
    expect(owners).toEqual(['u2', 'u3', 'u1', 'u2']);
    expect(world.customers.get('c1')!.ownerName).toBe('Lucía');
  });

  it('least-loaded picks the fewest open customers and respects capacity', () => {
    expect(pickOwner('least_loaded', users)!.id).toBe('u3');
    const full = users.map((u) => ({ ...u, openCount: 5 }));
    expect(pickOwner('least_loaded', full)).toBeNull();
    expect(pickOwner('round_robin', [{ id: 'x', name: 'X', openCount: 9, lastAssignedAt: null, capacity: null }])!.id).toBe('x');
  });

  it('leaves owned customers alone unless told otherwise', async () => {
    const { ctx } = createMemoryContext({ customers: [{ id: 'c1', name: 'A', ownerId: 'u1' }], users });
    const keep = assignOwnerAction.config.parse({ strategy: 'specific', userId: 'u2' });
    expect((await assignOwnerAction.run(ctx, keep)).status).toBe('skipped');
    const force = assignOwnerAction.config.parse({ strategy: 'specific', userId: 'u2', onlyIfUnassigned: false });
    expect((await assignOwnerAction.run(ctx, force)).output).toEqual({ ownerId: 'u2', strategy: 'specific' });
  });

  it('retries when everyone is full and fails clearly for an unknown user', async () => {
    const { ctx } = createMemoryContext({ customers: [{ id: 'c1', name: 'A' }], users: users.map((u) => ({ ...u, openCount: 5 })) });
    await expect(assignOwnerAction.run(ctx, assignOwnerAction.config.parse({ userIds: ['u1'] }))).rejects.toThrow(/No agent has room/);
    await expect(assignOwnerAction.run(ctx, assignOwnerAction.config.parse({ strategy: 'specific', userId: 'nobody' }))).rejects.toMatchObject({
      code: 'user_missing',
    });
  });

  it('asks for a team or users', () => {
    const bad = assignOwnerAction.config.safeParse({ strategy: 'least_loaded' });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['teamId'] });
  });
});
