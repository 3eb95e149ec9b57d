/**
 * Merging a duplicate into the customer it matched. Empty fields are filled; equal values are
 * left alone; lists are united; and when both sides hold different non-empty values the existing
 * one is kept and the other is returned as a conflict (for the import report and the timeline),
 * so that no non-empty value is ever dropped silently.
 */
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
const SCALAR_FIELDS = [
  'name', 'company', 'phone', 'email', 'whatsapp', 'industry', 'tier', 'budgetMin', 'budgetMax', 'budgetCurrency',
  'timezone', 'birthday', 'firstContactAt', 'lastFollowUpAt', 'source', 'owner',
] as const satisfies readonly (keyof ImportedCustomer)[];

/**
 * Equal values are not conflicts. Names and companies are compared as the matcher sees them:
 * "Garcia, Maria" = "María García", 張大明 = 张大明, "Telefónica S.A." = "TELEFONICA" (the
 * customer keeps its own spelling). Other text is compared case-insensitively.
 */
function same(field: string, a: Scalar, b: Scalar): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  if (field === 'name') return prepareIdentity({ name: a }).nameKey === prepareIdentity({ name: b }).nameKey;
  if (field === 'company') return companyKeyOf(a) === companyKeyOf(b);
  return false;
}

export function mergeCustomer(base: ImportedCustomer, incoming: ImportedCustomer, line: number): MergeResult {
  const merged: ImportedCustomer = { ...base, custom: { ...base.custom } };
  const filled: string[] = [];
  const conflicts: FieldConflict[] = [];
  for (const field of SCALAR_FIELDS) {
    const next = incoming[field] as Scalar | undefined;
    if (next === undefined || next === '') continue;
    const current = merged[field] as Scalar | undefined;
    if (current === undefined || current === '') {
      (merged as unknown as Record<string, unknown>)[field] = next;
      if (field === 'phone') merged.phoneRaw = incoming.phoneRaw;
      filled.push(field);
    } else if (!same(field, current, next)) {
      conflicts.push({ field, kept: current, incoming: field === 'phone' ? incoming.phoneRaw ?? next : next, line });
    }
  }
  if (incoming.tags?.length) {
    const union = [...new Set([...(merged.tags ?? []), ...incoming.tags])];
    if (union.length !== (merged.tags ?? []).length) filled.push('tags');
    merged.tags = union;
  }
  if (incoming.products?.length) {
    const current = merged.products ?? [];
    const union = [...new Set([...current, ...incoming.products])];
    const kept = union.slice(0, 2);
    if (kept.length !== current.length) filled.push('products');
    merged.products = kept;
    const overflow = union.slice(2);
    if (overflow.length > 0) conflicts.push({ field: 'products', kept, incoming: overflow, line });
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
