import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { changePointsAction } from './change_points.js';

describe('action.change_points', () => {
  it('adds and takes away points, returning the balance', async () => {
    const { ctx, world } = createMemoryContext({ customers: [{ id: 'c1', name: 'Ana', fields: { points: 50 } }] });
    expect((await changePointsAction.run(ctx, changePointsAction.config.parse({ delta: 100, reason: 'birthday' }))).output).toEqual({ delta: 100, balance: 150 });
    expect((await changePointsAction.run(ctx, changePointsAction.config.parse({ delta: -30, reason: 'redeem' }))).output).toEqual({ delta: -30, balance: 120 });
    expect(world.points.map((p) => p.reason)).toEqual(['birthday', 'redeem']);
  });
  it('refuses zero points and a missing reason', () => {
    const bad = changePointsAction.config.safeParse({ delta: 0, reason: '' });
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['Enter a number of points other than 0', 'Say why, e.g. "birthday bonus"']);
  });
});
