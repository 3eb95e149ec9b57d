import { describe, expect, it } from 'vitest';
import { compileGraph } from './graph/compile.js';
import { followUpFlow, step, edge } from './graph/fixtures.js';
import { runActivityNode, triggerMatchesEvent } from './runtime.js';
import { createMemoryContext } from './testing/memory-context.js';

describe('runtime helpers', () => {
  it('runs the plan steps of the follow-up flow by key', async () => {
    const plan = compileGraph(followUpFlow());
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana', email: 'ana@example.com', ownerId: 'u1', ownerName: 'Wang' }] });
    const email = plan.nodes.email!;
    expect(await runActivityNode(email.key, email.config, ctx)).toMatchObject({ port: 'next' });
    const task = plan.nodes.task!;
    expect(await runActivityNode(task.key, task.config, ctx)).toMatchObject({ port: 'next' });
    expect(world.sent.map((s) => s.text)).toEqual(['Wang here — still interested in ?']);
    expect(world.tasks.map((t) => t.title)).toEqual(['Call Ana']);
  });

  it('returns dynamic ports of a switch', async () => {
    const { ctx } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana', tags: ['vip'] }] });
    const config = { cases: [{ id: 'vip', label: 'VIP', condition: { type: 'tag', operator: 'has', tag: 'vip' } }] };
    expect((await runActivityNode('condition.switch@1', config, ctx)).port).toBe('vip');
  });

  it('fails without retries for unknown keys, control nodes and bad config', async () => {
    const { ctx } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana' }], run: { nodeId: 'n9' } });
    await expect(runActivityNode('action.teleport@1', {}, ctx)).rejects.toMatchObject({ code: 'unknown_node' });
    await expect(runActivityNode('control.wait@1', {}, ctx)).rejects.toMatchObject({ code: 'not_an_activity' });
    await expect(runActivityNode('action.add_tag@1', { tag: '' }, ctx)).rejects.toMatchObject({
      code: 'invalid_config',
      message: 'Step n9 (action.add_tag@1) has invalid settings: tag: Pick a tag',
    });
  });

  it('matches events against a plan trigger', () => {
    const g = followUpFlow();
    g.nodes[0] = step('trigger', 'trigger.inbound_message@1', { keywords: ['precio', '價格'] });
    g.edges[0] = edge('trigger', 'next', 'email');
    const plan = compileGraph(g);
    const message = (text: string) => ({ type: 'message.received' as const, customerId: 'c1', at: 0, data: { text, channel: 'whatsapp' } });
    expect(triggerMatchesEvent(plan.trigger, message('¿Precio?'))).toBe(true);
    expect(triggerMatchesEvent(plan.trigger, message('hola'))).toBe(false);
    expect(triggerMatchesEvent(plan.trigger, { type: 'tag.added', customerId: 'c1', at: 0, data: { tag: 'x' } })).toBe(false);
    expect(triggerMatchesEvent(compileGraph(followUpFlow()).trigger, message('precio'))).toBe(false); // a sweep trigger
  });
});
