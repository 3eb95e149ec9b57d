/**
 * The condition tree of if/else, switch and goals: field comparisons, has/lacks tag, days since
 * a date, segment membership, nested AND / OR / NOT. Evaluation is pure over a customer snapshot;
 * segment membership is looked up first (it needs the database) and passed in.
 */
import { z } from 'zod';
import type { CustomerSnapshot } from './customer.js';
import { customerValue } from './customer.js';
import { said } from './graph/messages.js';

export const fieldOperators = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'in',
  'is_empty',
  'is_not_empty',
] as const;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const fieldConditionSchema = z.object({
  type: z.literal('field'),
  /** `tier`, `industry`, `points`, `custom.budget`, … */
  field: z.string().min(1, said('pick_field', 'Pick a field')),
  operator: z.enum(fieldOperators),
  value: z.union([scalar, z.array(z.union([z.string(), z.number()]))]).optional(),
});
export const tagConditionSchema = z.object({
  type: z.literal('tag'),
  operator: z.enum(['has', 'lacks']),
  tag: z.string().min(1, said('pick_tag', 'Pick a tag')),
});
export const daysSinceConditionSchema = z.object({
  type: z.literal('days_since'),
  /** a date field: lastInteractionAt, lastFollowUpAt, firstContactAt, custom.x … */
  field: z.string().min(1, said('pick_date_field', 'Pick a date field')),
  operator: z.enum(['more_than', 'less_than']),
  days: z.int().min(0),
});
export const segmentConditionSchema = z.object({
  type: z.literal('segment'),
  operator: z.enum(['in', 'not_in']),
  segmentId: z.string().min(1, said('pick_segment', 'Pick a segment')),
});

export type FieldCondition = z.infer<typeof fieldConditionSchema>;
export type Condition =
  | FieldCondition
  | z.infer<typeof tagConditionSchema>
  | z.infer<typeof daysSinceConditionSchema>
  | z.infer<typeof segmentConditionSchema>
  | { type: 'and' | 'or'; conditions: Condition[] }
  | { type: 'not'; condition: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('type', [
    fieldConditionSchema,
    tagConditionSchema,
    daysSinceConditionSchema,
    segmentConditionSchema,
    z.object({ type: z.enum(['and', 'or']), conditions: z.array(conditionSchema).min(1, said('add_condition', 'Add at least one condition')) }),
    z.object({ type: z.literal('not'), condition: conditionSchema }),
  ]),
);

export function segmentIdsIn(condition: Condition, into = new Set<string>()): Set<string> {
  switch (condition.type) {
    case 'segment':
      into.add(condition.segmentId);
      break;
    case 'and':
    case 'or':
      for (const c of condition.conditions) segmentIdsIn(c, into);
      break;
    case 'not':
      segmentIdsIn(condition.condition, into);
      break;
    default:
      break;
  }
  return into;
}

export interface EvaluationInput {
  nowMs: number;
  /** membership of every segment the tree mentions */
  segments: ReadonlyMap<string, boolean>;
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function toTime(v: unknown): number | null {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** -1 / 0 / 1, or null when the two cannot be ordered. Numbers, numeric strings, ISO dates, text. */
function compare(a: unknown, b: unknown): number | null {
  if (isEmpty(a) || isEmpty(b)) return null;
  const na = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
  const nb = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return Math.sign(na - nb);
  const ta = toTime(a);
  const tb = toTime(b);
  if (ta !== null && tb !== null) return Math.sign(ta - tb);
  if (typeof a === 'string' && typeof b === 'string') return Math.sign(a.localeCompare(b));
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return null;
}

const equal = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'string' && typeof b === 'string') return a.toLocaleLowerCase() === b.toLocaleLowerCase();
  return compare(a, b) === 0 || a === b;
};

function evaluateField(c: FieldCondition, customer: CustomerSnapshot): boolean {
  const actual = customerValue(customer, c.field);
  const expected = c.value;
  switch (c.operator) {
    case 'is_empty':
      return isEmpty(actual);
    case 'is_not_empty':
      return !isEmpty(actual);
    case 'eq':
      return Array.isArray(actual) ? actual.some((a) => equal(a, expected)) : equal(actual, expected);
    case 'neq':
      return Array.isArray(actual) ? !actual.some((a) => equal(a, expected)) : !equal(actual, expected);
    case 'in': {
      const list = Array.isArray(expected) ? expected : [expected];
      return list.some((e) => equal(actual, e));
    }
    case 'contains':
    case 'not_contains': {
      const needle = String(expected ?? '').toLocaleLowerCase();
      const has = Array.isArray(actual)
        ? actual.some((a) => equal(a, expected))
        : typeof actual === 'string' && actual.toLocaleLowerCase().includes(needle);
      return c.operator === 'contains' ? has : !has;
    }
    default: {
      const order = compare(actual, expected);
      if (order === null) return false;
      return { gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 }[c.operator];
    }
  }
}

export function evaluateCondition(condition: Condition, customer: CustomerSnapshot, input: EvaluationInput): boolean {
  switch (condition.type) {
    case 'and':
      return condition.conditions.every((c) => evaluateCondition(c, customer, input));
    case 'or':
      return condition.conditions.some((c) => evaluateCondition(c, customer, input));
    case 'not':
      return !evaluateCondition(condition.condition, customer, input);
    case 'tag': {
      const has = customer.tags.some((t) => t.toLocaleLowerCase() === condition.tag.toLocaleLowerCase());
      return condition.operator === 'has' ? has : !has;
    }
    case 'days_since': {
      const at = toTime(customerValue(customer, condition.field));
      // never happened = infinitely long ago: "no follow-up for 30 days" holds for a customer never followed up
      const days = at === null ? Number.POSITIVE_INFINITY : (input.nowMs - at) / 86_400_000;
      return condition.operator === 'more_than' ? days > condition.days : days < condition.days;
    }
    case 'segment': {
      const member = input.segments.get(condition.segmentId);
      if (member === undefined) throw new Error(`Segment ${condition.segmentId} was not looked up before evaluation`);
      return condition.operator === 'in' ? member : !member;
    }
    case 'field':
      return evaluateField(condition, customer);
  }
}
