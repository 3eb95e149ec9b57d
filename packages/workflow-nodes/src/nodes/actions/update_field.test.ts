import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { updateFieldAction } from './update_field.js';

describe('action.update_field', () => {
  it('sets typed and custom fields', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana' }] });
    await updateFieldAction.run(ctx, updateFieldAction.config.parse({ field: 'industry', value: 'Retail' }));
    await updateFieldAction.run(ctx, updateFieldAction.config.parse({ field: 'custom.stage', value: 'trial' }));
    expect(world.customers.get('c1')!.fields.industry).toBe('Retail');
    expect(world.customers.get('c1')!.custom.stage).toBe('trial');
  });
  it('refuses fields that have their own step', () => {
    const bad = updateFieldAction.config.safeParse({ field: 'ownerId', value: 'u1' });
    expect(bad.error?.issues[0]?.message).toMatch(/has its own step/);
  });
});
