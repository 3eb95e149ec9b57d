import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { removeTagAction } from './remove_tag.js';

describe('action.remove_tag', () => {
  it('removes the tag, and reports "skipped" when it was not there', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana', tags: ['quote sent', 'vip'] }] });
    const cfg = removeTagAction.config.parse({ tag: 'quote sent' });
    expect(await removeTagAction.run(ctx, cfg)).toEqual({ port: 'next', status: 'done', output: { tag: 'quote sent', removed: true } });
    expect(world.customers.get('c1')!.tags).toEqual(['vip']);
    expect((await removeTagAction.run(ctx, cfg)).status).toBe('skipped');
  });
});
