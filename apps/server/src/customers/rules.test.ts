import { describe, expect, it } from 'vitest';
import { industryAllowed, type CustomFieldRule } from './rules.js';
import { validateCustomFields, type FieldDefinition } from './service.js';
import { typedCustomValue } from '../import/reading.js';

const defs: Record<string, CustomFieldRule> = {
  size: { type: 'number', options: null },
  vip: { type: 'boolean', options: null },
  since: { type: 'date', options: null },
  plan: { type: 'select', options: ['basic', 'pro'] },
  note: { type: 'text', options: null },
};
const definitions = new Map<string, FieldDefinition>(Object.entries(defs).map(([key, d]) => [key, { key, label: key, requiredRight: null, ...d }]));
const apiAccepts = (key: string, value: unknown) => {
  try {
    validateCustomFields({ [key]: value }, definitions);
    return true;
  } catch {
    return false;
  }
};

describe('customer rules shared by the API and the import', () => {
  it('the import stores exactly what the API would accept', () => {
    const cells: [key: string, cell: string, stored: boolean][] = [
      ['size', '1,200', true], ['size', 'lots', false], ['vip', '是', true], ['vip', 'no', true], ['vip', 'maybe', false],
      ['since', '2024-02-29', true], ['since', '2023-02-30', false], ['since', '2023-13-01', false], ['plan', 'pro', true], ['plan', 'gold', false],
      ['note', 'x'.repeat(10_001), false], ['note', 'hello', true],
    ];
    for (const [key, cell, stored] of cells) {
      const r = typedCustomValue({ key, ...defs[key]! }, cell);
      expect(r.ok, `${key}=${cell}`).toBe(stored);
      if (r.ok) expect(apiAccepts(key, r.value), `the API accepts ${key}=${JSON.stringify(r.value)}`).toBe(true);
      else expect(r.message).toContain(`"${cell}" is not`);
    }
    expect(typedCustomValue({ key: 'size', ...defs.size! }, '1,200')).toEqual({ ok: true, value: 1200 });
    expect(typedCustomValue({ key: 'note', ...defs.note! }, 'x'.repeat(10_001)).ok).toBe(false);
    expect(apiAccepts('plan', 'gold')).toBe(false);
  });

  it('an empty industry list admits any industry, a list only its names', () => {
    expect(industryAllowed([], 'Spaceships')).toBe(true);
    expect(industryAllowed(['Retail'], 'Spaceships')).toBe(false);
    expect(industryAllowed(['Retail'], 'Retail')).toBe(true);
    expect(industryAllowed(['Retail'], null)).toBe(true);
  });
});
