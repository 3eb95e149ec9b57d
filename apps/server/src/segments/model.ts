/**
 * The segment condition tree (JSON), validated by zod. Semantic checks that need the database
 * (does the field / tag / custom field exist, does the value fit the field's type) happen when
 * compiling; both report the path of the offending node.
 *
 * Example — "tag = potential AND no follow-up for 30 days":
 *   { type: 'and', conditions: [
 *       { type: 'has_tag', tag: 'potential' },
 *       { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 } ] }
 */
import { z } from 'zod';
import { schema } from '@nudge/db';
import { registerRecursiveComponent } from '../openapi/registry.js';

export const FIELD_OPS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'contains', 'starts_with', 'is_empty', 'is_not_empty',
] as const;
export const COMPARE_OPS = ['eq', 'gt', 'gte', 'lt', 'lte'] as const;
export const DATE_FIELDS = ['lastInteractionAt', 'lastFollowUpAt', 'firstContactAt', 'createdAt', 'updatedAt'] as const;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export type SegmentCondition =
  | { type: 'and'; conditions: SegmentCondition[] }
  | { type: 'or'; conditions: SegmentCondition[] }
  | { type: 'not'; condition: SegmentCondition }
  | { type: 'field'; field: string; op: (typeof FIELD_OPS)[number]; value?: z.infer<typeof Scalar> | z.infer<typeof Scalar>[] }
  | { type: 'in_segment'; segmentId: string }
  | { type: 'has_tag'; tag: string }
  | { type: 'lacks_tag'; tag: string }
  | { type: 'days_since'; field: (typeof DATE_FIELDS)[number]; op: (typeof COMPARE_OPS)[number]; days: number; includeNever?: boolean }
  | { type: 'spend'; op: (typeof COMPARE_OPS)[number]; amount: number; withinDays?: number }
  | {
      type: 'activity';
      present: boolean;
      kinds: (typeof schema.INTERACTION_KINDS)[number][];
      withinDays: number;
      channel?: string;
    };

export const SegmentCondition: z.ZodType<SegmentCondition> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('and'), conditions: z.array(SegmentCondition).min(1).max(100) }).strict(),
    z.object({ type: z.literal('or'), conditions: z.array(SegmentCondition).min(1).max(100) }).strict(),
    z.object({ type: z.literal('not'), condition: SegmentCondition }).strict(),
    z
      .object({
        type: z.literal('field'),
        field: z.string().min(1).max(100).describe('A customer field (e.g. tier, points) or customFields.<key>'),
        op: z.enum(FIELD_OPS),
        value: z.union([Scalar, z.array(Scalar).min(1).max(1000)]).optional(),
      })
      .strict(),
    z.object({ type: z.literal('in_segment'), segmentId: z.uuid().describe('A saved segment, expanded in place') }).strict(),
    z.object({ type: z.literal('has_tag'), tag: z.string().trim().min(1).max(200) }).strict(),
    z.object({ type: z.literal('lacks_tag'), tag: z.string().trim().min(1).max(200) }).strict(),
    z
      .object({
        type: z.literal('days_since'),
        field: z.enum(DATE_FIELDS),
        op: z.enum(COMPARE_OPS),
        days: z.number().min(0).max(36_500),
        includeNever: z.boolean().optional().describe('Count customers where the date is empty (default: true for gt/gte)'),
      })
      .strict(),
    z
      .object({
        type: z.literal('spend'),
        op: z.enum(COMPARE_OPS),
        amount: z.number(),
        withinDays: z.number().int().min(1).max(36_500).optional().describe('Only orders in the last N days; default: lifetime spend'),
      })
      .strict(),
    z
      .object({
        type: z.literal('activity'),
        present: z.boolean().describe('true: at least one such interaction in the window; false: none'),
        kinds: z.array(z.enum(schema.INTERACTION_KINDS)).min(1),
        withinDays: z.number().min(0).max(36_500),
        channel: z.string().min(1).max(32).optional(),
      })
      .strict(),
  ]),
);

/**
 * For request bodies: documented in OpenAPI as the SegmentCondition component; validated by
 * `parseSegmentTree` in the handler so that problems are reported with their tree path.
 */
export const SegmentDefinition = registerRecursiveComponent('SegmentCondition', SegmentCondition);
