import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { addTagAction } from './add_tag.js';

describe('action.add_tag', () => {
  it('adds a tag that expires after the given time', async () => {
    const now = Date.UTC(2026, 4, 1, 8);
    const { ctx, world } = createMemoryContext({ now, customers: [{ id: 'c1', name: 'Ana' }] });
    const result = await addTagAction.run(ctx, addTagAction.config.parse({ tag: 'new inquiry', expiresAfter: { amount: 24, unit: 'hours' } }));
    expect(result.output).toEqual({ tag: 'new inquiry', expiresAt: now + 86_400_000 });
    expect(world.customers.get('c1')!.tags).toEqual(['new inquiry']);
    expect(world.tagExpiry.get('c1:new inquiry')).toBe(now + 86_400_000);
  });
  it('adds a permanent tag by default', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana' }] });
    await addTagAction.run(ctx, addTagAction.config.parse({ tag: 'vip' }));
    expect(world.tagExpiry.get('c1:vip')).toBeNull();
  });
  it('needs a tag name', () => {
    expect(addTagAction.config.safeParse({ tag: '' }).error?.issues[0]?.message).toBe('Pick a tag');
  });
});
