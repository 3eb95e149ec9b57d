import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { ifElseCondition } from './if_else.js';

const now = Date.UTC(2026, 2, 1);
const daysAgo = (n: number) => new Date(now - n * 86_400_000).toISOString();

describe('condition.if_else', () => {
  const potentialNoFollowUp = ifElseCondition.config.parse({
    condition: {
      type: 'and',
      conditions: [
        { type: 'tag', operator: 'has', tag: 'potential' },
        { type: 'days_since', field: 'lastFollowUpAt', operator: 'more_than', days: 30 },
      ],
    },
  });

  it('takes "true" when tag = potential AND no follow-up for 30 days', async () => {
    const { ctx } = createMemoryContext({
      now,
      customers: [{ id: 'c1', name: 'Ana', tags: ['potential'], fields: { lastFollowUpAt: daysAgo(45) } }],
    });
    expect(await ifElseCondition.run(ctx, potentialNoFollowUp)).toEqual({ port: 'true', output: { result: true } });
  });

  it('takes "false" when the follow-up is recent or the tag is missing', async () => {
    const recent = createMemoryContext({
      now,
      customers: [{ id: 'c1', name: 'Ana', tags: ['potential'], fields: { lastFollowUpAt: daysAgo(3) } }],
    });
    expect((await ifElseCondition.run(recent.ctx, potentialNoFollowUp)).port).toBe('false');
    const untagged = createMemoryContext({ now, customers: [{ id: 'c1', name: 'Ana', fields: { lastFollowUpAt: daysAgo(90) } }] });
    expect((await ifElseCondition.run(untagged.ctx, potentialNoFollowUp)).port).toBe('false');
  });

  it('looks up segment membership and nests OR / NOT', async () => {
    const cfg = ifElseCondition.config.parse({
      condition: {
        type: 'or',
        conditions: [
          { type: 'segment', operator: 'in', segmentId: 'vip' },
          { type: 'not', condition: { type: 'field', field: 'tier', operator: 'in', value: ['A', 'B'] } },
        ],
      },
    });
    const { ctx } = createMemoryContext({
      customers: [
        { id: 'c1', name: 'In VIP', fields: { tier: 'A' } },
        { id: 'c2', name: 'Tier C', fields: { tier: 'C' } },
        { id: 'c3', name: 'Tier B', fields: { tier: 'B' } },
      ],
      segments: { vip: ['c1'] },
    });
    expect((await ifElseCondition.run(ctx, cfg)).port).toBe('true');
    ctx.run.customerId = 'c2';
    expect((await ifElseCondition.run(ctx, cfg)).port).toBe('true');
    ctx.run.customerId = 'c3';
    expect((await ifElseCondition.run(ctx, cfg)).port).toBe('false');
  });

  it('refuses an empty group with a plain message', () => {
    const bad = ifElseCondition.config.safeParse({ condition: { type: 'and', conditions: [] } });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['condition', 'conditions'], message: 'Add at least one condition' });
  });

  it('fails without retry when the customer is gone', async () => {
    const { ctx } = createMemoryContext({ run: { customerId: 'ghost' } });
    await expect(ifElseCondition.run(ctx, potentialNoFollowUp)).rejects.toMatchObject({ name: 'NonRetryableNodeError', code: 'customer_missing' });
  });
});
