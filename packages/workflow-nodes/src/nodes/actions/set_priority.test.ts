import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { setPriorityAction } from './set_priority.js';

describe('action.set_priority', () => {
  it('sets P1', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana' }] });
    expect(await setPriorityAction.run(ctx, setPriorityAction.config.parse({ priority: 'P1' }))).toEqual({ port: 'next', output: { priority: 'P1' } });
    expect(world.customers.get('c1')!.fields.priority).toBe('P1');
  });
  it('only knows P1–P3', () => {
    expect(setPriorityAction.config.safeParse({ priority: 'P0' }).success).toBe(false);
  });
});
