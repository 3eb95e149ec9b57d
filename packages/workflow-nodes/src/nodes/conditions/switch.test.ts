import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { switchCondition } from './switch.js';

describe('condition.switch', () => {
  const cfg = switchCondition.config.parse(switchCondition.defaults);

  it('takes the first matching branch, else "default"', async () => {
    const { ctx } = createMemoryContext({
      customers: [
        { id: 'a', name: 'A', fields: { tier: 'A' } },
        { id: 'b', name: 'B', fields: { tier: 'b' } },
        { id: 'c', name: 'C', fields: { tier: 'C' } },
      ],
    });
    const ports: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      ctx.run.customerId = id;
      ports.push((await switchCondition.run(ctx, cfg)).port);
    }
    expect(ports).toEqual(['tier_a', 'tier_b', 'default']);
  });

  it('refuses duplicate and reserved branch ids', () => {
    const tag = { type: 'tag', operator: 'has', tag: 'x' } as const;
    const bad = switchCondition.config.safeParse({
      cases: [
        { id: 'x', label: 'X', condition: tag },
        { id: 'x', label: 'X again', condition: tag },
        { id: 'default', label: 'D', condition: tag },
      ],
    });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['cases.1.id', 'Branch id "x" is used twice'],
      ['cases.2.id', '"default" is reserved for the otherwise branch'],
    ]);
  });
});
