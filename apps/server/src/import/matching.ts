/**
 * Second phase: decide for every valid row whether it is a new customer, a duplicate of an earlier
 * row, or a duplicate of an existing customer, and merge accordingly (mergeCustomer never drops a
 * non-empty value: differing values become conflicts).
 */
import { randomUUID } from 'node:crypto';
import { DuplicateIndex, mergeCustomer, prepareIdentity, type FieldConflict, type ImportedCustomer } from '@nudge/customer-import';
import type { ValidRow } from './reading.js';

export interface ExistingCustomer {
  id: string;
  customer: ImportedCustomer;
}

interface TargetBase {
  id: string;
  customer: ImportedCustomer;
  lines: number[];
  conflicts: FieldConflict[];
  filled: Set<string>;
  notes: { line: number; text: string }[];
  tags: Set<string>;
}
export interface NewCustomerPlan extends TargetBase {
  kind: 'new';
}
export interface ExistingCustomerPlan extends TargetBase {
  kind: 'existing';
  /** The customer as it was before the import. */
  before: ImportedCustomer;
}

export type RowOutcome =
  | { line: number; outcome: 'created'; customerId: string }
  | { line: number; outcome: 'merged'; customerId: string; intoLine: number; score: number; reasons: string[]; conflicts: FieldConflict[] }
  | { line: number; outcome: 'updated'; customerId: string; score: number; reasons: string[]; filled: string[]; conflicts: FieldConflict[] }
  | { line: number; outcome: 'skipped'; reason: 'no-new-data'; customerId: string; score: number; reasons: string[] };

export interface MatchPlan {
  created: NewCustomerPlan[];
  updated: ExistingCustomerPlan[];
  outcomes: RowOutcome[];
}

type Ref = { kind: 'new'; plan: NewCustomerPlan } | { kind: 'existing'; id: string };

const withoutNotesAndTags = (c: ImportedCustomer): ImportedCustomer => {
  const { notes: _n, tags: _t, ...rest } = c;
  return rest;
};

/**
 * @param identities existing customers' identities, for finding matches
 * @param loadExisting loads the full records of the existing customers that matched
 */
export async function planMerges(
  rows: ValidRow[],
  identities: { id: string; name: string; company?: string; phone?: string; email?: string }[],
  loadExisting: (ids: string[]) => Promise<ExistingCustomer[]>,
  threshold?: number,
  onProgress?: (done: number) => void,
): Promise<MatchPlan> {
  const index = new DuplicateIndex<Ref>(threshold);
  for (const e of identities) index.add(e, { kind: 'existing', id: e.id });

  // Pass 1: find a target for every row.
  const matches: { row: ValidRow; ref: Ref | undefined; own?: NewCustomerPlan; score: number; reasons: string[] }[] = [];
  const created: NewCustomerPlan[] = [];
  for (const [i, row] of rows.entries()) {
    // Matching 100k rows takes seconds of CPU: let other requests run every few hundred rows.
    if (i % 500 === 499) await new Promise<void>((resolve) => setImmediate(resolve));
    const { fullName: name, company, phone, email } = row.customer;
    const prepared = prepareIdentity({ name, company, phone, email });
    const found = index.findBest(prepared);
    let ref = found?.ref;
    let own: NewCustomerPlan | undefined;
    if (!ref) {
      const plan: NewCustomerPlan = {
        kind: 'new',
        id: randomUUID(),
        customer: withoutNotesAndTags(row.customer),
        lines: [row.line],
        conflicts: [],
        filled: new Set(),
        notes: [],
        tags: new Set(),
      };
      created.push(plan);
      own = plan;
      ref = { kind: 'new', plan };
    }
    matches.push({ row, ref: found ? ref : undefined, own, score: found?.score ?? 0, reasons: found?.reasons ?? [] });
    // Index every variant of the customer, so a later row can match any of them.
    index.add(prepared, ref);
    if (onProgress && i % 1000 === 999) onProgress(i + 1);
  }

  const existingIds = [...new Set(matches.flatMap((m) => (m.ref?.kind === 'existing' ? [m.ref.id] : [])))];
  const existing = new Map((await loadExisting(existingIds)).map((e) => [e.id, e]));
  const updated = new Map<string, ExistingCustomerPlan>();

  // Pass 2: merge in file order.
  const outcomes: RowOutcome[] = [];
  for (const [i, { row, ref, own, score, reasons }] of matches.entries()) {
    if (i % 500 === 499) await new Promise<void>((resolve) => setImmediate(resolve));
    const { line, customer } = row;
    let target: NewCustomerPlan | ExistingCustomerPlan;
    if (!ref) {
      target = own!;
    } else if (ref.kind === 'new') {
      target = ref.plan;
    } else {
      const known = existing.get(ref.id);
      if (!known) throw new Error(`customer ${ref.id} disappeared during the import`);
      let plan = updated.get(ref.id);
      if (!plan) {
        plan = { kind: 'existing', id: ref.id, before: known.customer, customer: known.customer, lines: [], conflicts: [], filled: new Set(), notes: [], tags: new Set() };
        updated.set(ref.id, plan);
      }
      target = plan;
    }
    if (customer.notes) target.notes.push({ line, text: customer.notes });
    const newTags = (customer.tags ?? []).filter((t) => !target.tags.has(t));
    for (const t of customer.tags ?? []) target.tags.add(t);

    if (!ref) {
      outcomes.push({ line, outcome: 'created', customerId: target.id });
      continue;
    }
    const merge = mergeCustomer(target.customer, withoutNotesAndTags(customer), line);
    target.customer = merge.merged;
    target.lines.push(line);
    target.conflicts.push(...merge.conflicts);
    for (const f of merge.filled) target.filled.add(f);
    if (target.kind === 'new') {
      outcomes.push({ line, outcome: 'merged', customerId: target.id, intoLine: target.lines[0]!, score, reasons, conflicts: merge.conflicts });
    } else if (merge.filled.length || merge.conflicts.length || customer.notes || newTags.length) {
      const filled = [...merge.filled, ...(customer.notes ? ['notes'] : []), ...(newTags.length ? ['tags'] : [])];
      outcomes.push({ line, outcome: 'updated', customerId: target.id, score, reasons, filled, conflicts: merge.conflicts });
    } else {
      outcomes.push({ line, outcome: 'skipped', reason: 'no-new-data', customerId: target.id, score, reasons });
    }
  }
  return { created, updated: [...updated.values()].filter((u) => u.lines.length > 0), outcomes };
}
