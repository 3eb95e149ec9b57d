/**
 * Saved segments as the API answers them. The condition tree a segment holds (`definition`) is
 * validated by the server (apps/server/src/segments/model.ts, which needs the field registry's
 * semantics and documents it as a recursive component); here it is opaque.
 */
import { z } from 'zod';

export const SegmentOut = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    definition: z.unknown(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Segment' });
export type SegmentOut = z.infer<typeof SegmentOut>;
export const SegmentListOut = z.object({ items: z.array(SegmentOut) });
export const SegmentCountOut = z.object({ count: z.number(), tookMs: z.number() });
/** GET /api/segments/membership/:customerId */
export const SegmentMembershipOut = z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) });
