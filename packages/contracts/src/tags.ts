/** Tags and tag groups (GET/POST /api/tags, /api/tags/groups, /api/tags/health). */
import { z } from 'zod';
import { TAG_DIMENSIONS } from '@nudge/db/schema';

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #22c55e');
export const TagGroupIn = z.object({
  name: z.string().trim().min(1).max(100),
  dimension: z.enum(TAG_DIMENSIONS),
  description: z.string().max(1000).nullable().optional(),
});
export const TagGroupOut = z.object({ id: z.string(), name: z.string(), dimension: z.string(), description: z.string().nullable() }).meta({ id: 'TagGroup' });
export const TagIn = z.object({
  name: z.string().trim().min(1).max(100),
  groupId: z.uuid().nullable().optional(),
  color: color.optional(),
  description: z.string().max(1000).nullable().optional(),
  defaultLifetimeHours: z.number().int().min(1).max(24 * 3650).nullable().optional().describe('e.g. 24 for "new inquiry", 168 for "quote sent"'),
  reminderAfterHours: z.number().int().min(1).max(24 * 3650).nullable().optional(),
});
export const TagOut = z
  .object({
    id: z.string(),
    name: z.string(),
    groupId: z.string().nullable(),
    color: z.string(),
    description: z.string().nullable(),
    defaultLifetimeHours: z.number().nullable(),
    reminderAfterHours: z.number().nullable(),
    customers: z.number().optional(),
  })
  .meta({ id: 'Tag' });
export const TagIdParams = z.object({ id: z.uuid() });

export type TagOut = z.infer<typeof TagOut>;
export const TagListOut = z.object({ items: z.array(TagOut) });
export const TagGroupListOut = z.object({ items: z.array(TagGroupOut) });

/** Share of customers per tag: over-used (> 40 %) and rare tags flagged with advice, response rate. */
export const TagHealthOut = z.object({
  totalCustomers: z.number(),
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      group: z.string().nullable().describe('the tag group name'),
      dimension: z.enum(TAG_DIMENSIONS).nullable().optional().describe("the tag group's dimension (attribute, behaviour, value)"),
      customers: z.number(),
      share: z.number().describe('0…1 of all customers'),
      responseRate: z.number().nullable(),
      flag: z.enum(['overused', 'rare']).nullable(),
      suggestion: z.string().nullable().describe('the advice in English'),
      advice: z
        .object({ code: z.enum(['split_or_drop', 'merge_into', 'merge_related']), params: z.object({ share: z.number(), peer: z.string().optional() }) })
        .nullable()
        .optional()
        .describe('the advice as a code and its figures, to word in the reader\'s language'),
    }),
  ),
});
