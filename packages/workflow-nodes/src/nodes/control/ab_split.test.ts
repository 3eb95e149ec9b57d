import { describe, expect, it } from 'vitest';
import type { ControlState } from '../../define.js';
import { abSplitControl, pickVariant } from './ab_split.js';

const stateFor = (customerId: string): ControlState => ({
  nowMs: 0,
  runId: `run-${customerId}`,
  nodeId: 'split',
  customerId,
  customer: null,
  defaultTimezone: 'UTC',
});

describe('control.ab_split', () => {
  it('splits 10,000 customers close to the percentages, the same way every time', () => {
    const cfg = abSplitControl.config.parse({
      variants: [
        { id: 'a', label: 'A', percent: 20 },
        { id: 'b', label: 'B', percent: 30 },
        { id: 'c', label: 'C', percent: 50 },
      ],
    });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const decision = abSplitControl.decide(cfg, stateFor(`customer-${i}`));
      if (decision.type !== 'next') throw new Error('expected next');
      counts[decision.port]! += 1;
      expect(abSplitControl.decide(cfg, stateFor(`customer-${i}`))).toEqual(decision);
    }
    expect(counts.a! / 10_000).toBeCloseTo(0.2, 1);
    expect(counts.b! / 10_000).toBeCloseTo(0.3, 1);
    expect(counts.c! / 10_000).toBeCloseTo(0.5, 1);
  });

  it('sends everyone to a 100% variant and nobody to a 0% one', () => {
    const variants = [
      { id: 'a', percent: 0 },
      { id: 'b', percent: 100 },
    ];
    for (let i = 0; i < 200; i++) expect(pickVariant(variants, `s${i}`).id).toBe('b');
  });

  it('requires percentages adding up to 100 and unique ids', () => {
    const bad = abSplitControl.config.safeParse({
      variants: [
        { id: 'a', label: 'A', percent: 60 },
        { id: 'a', label: 'A2', percent: 30 },
      ],
    });
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['The percentages add up to 90; they must add up to 100', 'Variant id "a" is used twice']);
  });
});
