import { describe, expect, it } from 'vitest';
import type { Condition } from './condition.js';
import { conditionSchema, evaluateCondition, segmentIdsIn } from './condition.js';
import { customerSnapshotSchema } from './customer.js';

const now = Date.UTC(2026, 5, 1);
const customer = customerSnapshotSchema.parse({
  id: 'c1',
  name: 'Ana López',
  tags: ['Potential', 'quote sent'],
  fields: { tier: 'B', points: 120, industry: 'Retail', lastInteractionAt: '2026-05-20T10:00:00Z', budgetMax: '150000' },
  custom: { city: 'Madrid' },
});
const check = (c: Condition, segments: Record<string, boolean> = {}) =>
  evaluateCondition(conditionSchema.parse(c), customer, { nowMs: now, segments: new Map(Object.entries(segments)) });

describe('condition trees', () => {
  it('compares fields as numbers, dates and text (case-insensitive)', () => {
    expect(check({ type: 'field', field: 'points', operator: 'gte', value: 100 })).toBe(true);
    expect(check({ type: 'field', field: 'budgetMax', operator: 'gt', value: 100000 })).toBe(true);
    expect(check({ type: 'field', field: 'tier', operator: 'eq', value: 'b' })).toBe(true);
    expect(check({ type: 'field', field: 'tier', operator: 'in', value: ['A', 'strategic'] })).toBe(false);
    expect(check({ type: 'field', field: 'lastInteractionAt', operator: 'lt', value: '2026-05-21' })).toBe(true);
    expect(check({ type: 'field', field: 'custom.city', operator: 'contains', value: 'mad' })).toBe(true);
    expect(check({ type: 'field', field: 'custom.nope', operator: 'is_empty' })).toBe(true);
    expect(check({ type: 'field', field: 'tags', operator: 'contains', value: 'QUOTE SENT' })).toBe(true);
    expect(check({ type: 'field', field: 'company', operator: 'gt', value: 3 })).toBe(false);
  });
  it('counts days since, treating "never" as long ago', () => {
    expect(check({ type: 'days_since', field: 'lastInteractionAt', operator: 'more_than', days: 7 })).toBe(true);
    expect(check({ type: 'days_since', field: 'lastInteractionAt', operator: 'less_than', days: 30 })).toBe(true);
    expect(check({ type: 'days_since', field: 'lastFollowUpAt', operator: 'more_than', days: 30 })).toBe(true);
  });
  it('nests AND / OR / NOT with tags and segments', () => {
    const tree: Condition = {
      type: 'and',
      conditions: [
        { type: 'tag', operator: 'has', tag: 'potential' },
        { type: 'or', conditions: [{ type: 'segment', operator: 'in', segmentId: 's1' }, { type: 'not', condition: { type: 'tag', operator: 'lacks', tag: 'quote sent' } }] },
      ],
    };
    expect([...segmentIdsIn(tree)]).toEqual(['s1']);
    expect(check(tree, { s1: false })).toBe(true);
    expect(check({ type: 'and', conditions: [tree, { type: 'segment', operator: 'not_in', segmentId: 's1' }] }, { s1: true })).toBe(false);
    expect(() => check({ type: 'segment', operator: 'in', segmentId: 'unknown' })).toThrow(/not looked up/);
  });
  it('refuses an unknown condition type with its path', () => {
    const bad = conditionSchema.safeParse({ type: 'and', conditions: [{ type: 'mood', operator: 'is' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['conditions', 0, 'type']);
  });
});
