/**
 * Merging a duplicate into the customer it matched. Empty fields are filled; equal values are
 * left alone; lists are united; and when both sides hold different non-empty values the existing
 * one is kept and the other is returned as a conflict (for the import report and the timeline),
 * so that no non-empty value is ever dropped silently.
 */
import { customerFields, type FieldRegistry } from '@nudge/db/fields';
import type { ImportedCustomer } from './row.js';
import { companyKeyOf, prepareIdentity } from './match.js';

export interface FieldConflict {
  field: string;
  /** The value kept on the customer. */
  kept: unknown;
  /** The value from the file that was not applied. */
  incoming: unknown;
  /** Line of the row that brought the incoming value. */
  line: number;
}

export interface MergeResult {
  merged: ImportedCustomer;
  /** Fields that were empty and got a value. */
  filled: string[];
  conflicts: FieldConflict[];
}

type Scalar = string | number;

/**
 * Equal values are not conflicts. Names and companies are compared as the matcher sees them:
 * "Garcia, Maria" = "María García", 張大明 = 张大明, "Telefónica S.A." = "TELEFONICA" (the
 * customer keeps its own spelling). Other text is compared case-insensitively.
 */
function same(field: string, a: Scalar, b: Scalar): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  if (field === 'fullName') return prepareIdentity({ name: a }).nameKey === prepareIdentity({ name: b }).nameKey;
  if (field === 'company') return companyKeyOf(a) === companyKeyOf(b);
  return false;
}

export function mergeCustomer(base: ImportedCustomer, incoming: ImportedCustomer, line: number, fields: FieldRegistry = customerFields): MergeResult {
  const merged: ImportedCustomer = { ...base, custom: { ...base.custom } };
  const filled: string[] = [];
  const conflicts: FieldConflict[] = [];
  for (const { name: field, type, raw, maxItems } of fields.importable) {
    if (type === 'array') {
      const next = incoming[field] as string[] | undefined;
      if (!next?.length) continue;
      const current = (merged[field] as string[] | undefined) ?? [];
      const union = [...new Set([...current, ...next])];
      const kept = maxItems === undefined ? union : union.slice(0, maxItems);
      if (kept.length !== current.length) filled.push(field);
      merged[field] = kept;
      const overflow = union.slice(kept.length);
      if (overflow.length > 0) conflicts.push({ field, kept, incoming: overflow, line });
      continue;
    }
    const next = incoming[field] as Scalar | undefined;
    if (next === undefined || next === '') continue;
    const current = merged[field] as Scalar | undefined;
    if (current === undefined || current === '') {
      merged[field] = next;
      if (raw) merged[raw] = incoming[raw];
      filled.push(field);
    } else if (!same(field, current, next)) {
      conflicts.push({ field, kept: current, incoming: raw ? incoming[raw] ?? next : next, line });
    }
  }
  if (incoming.tags?.length) {
    const union = [...new Set([...(merged.tags ?? []), ...incoming.tags])];
    if (union.length !== (merged.tags ?? []).length) filled.push('tags');
    merged.tags = union;
  }
  if (incoming.notes) {
    if (!merged.notes) {
      merged.notes = incoming.notes;
      filled.push('notes');
    } else if (!merged.notes.includes(incoming.notes)) {
      merged.notes = `${merged.notes}\n${incoming.notes}`;
      filled.push('notes');
    }
  }
  for (const [key, value] of Object.entries(incoming.custom)) {
    const current = merged.custom[key];
    if (current === undefined || current === '') {
      merged.custom[key] = value;
      filled.push(`custom:${key}`);
    } else if (!same(key, current, value)) {
      conflicts.push({ field: `custom:${key}`, kept: current, incoming: value, line });
    }
  }
  return { merged, filled: [...new Set(filled)], conflicts };
}
