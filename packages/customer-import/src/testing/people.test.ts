import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../normalise.js';
import { createRng, duplicateRow, generatePerson, lookAlike, rowOf, DUPLICATE_KINDS, LOOKALIKE_KINDS } from './people.js';

describe('synthetic people', () => {
  it('is deterministic for a seed', () => {
    const a = createRng(5);
    const b = createRng(5);
    expect(rowOf(generatePerson(a, 1), a)).toEqual(rowOf(generatePerson(b, 1), b));
  });

  it('writes phones that an import in region TW reads back to the same E.164 number', () => {
    const rng = createRng(11);
    for (let i = 0; i < 500; i++) {
      const p = generatePerson(rng, i, i + 1);
      const expected = `+${p.country}${p.national}`;
      expect(normalisePhone(rowOf(p, rng).phone, 'TW')).toEqual({ ok: true, e164: expected });
      for (const kind of DUPLICATE_KINDS) {
        const phone = duplicateRow(p, kind, rng).phone;
        if (phone) expect(normalisePhone(phone, 'TW')).toEqual({ ok: true, e164: expected });
      }
      for (const kind of LOOKALIKE_KINDS) {
        const other = lookAlike(p, kind, rng, 10_000 + i, 10_000 + i);
        expect(normalisePhone(other.row.phone, 'TW').ok).toBe(true);
        expect(other.person.id).not.toBe(p.id);
        if (kind === 'same-name-other-company') {
          expect(other.row.name).toBe(rowOf(p, rng).name);
          expect(other.person.companyBase).not.toBe(p.companyBase);
        }
      }
    }
  });
});
