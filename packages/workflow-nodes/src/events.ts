/**
 * Events the server feeds to flows: they start runs (event triggers) and wake runs waiting for
 * them (wait-for-event, goals). Pure: the same matcher runs in the server and in the workflow.
 */
import { z } from 'zod';
import { channelSchema } from './customer.js';
import { matchesFilter } from './sandbox.js';

export const flowEventTypes = [
  'customer.created',
  'customer.imported',
  'tag.added',
  'tag.removed',
  'field.changed',
  'message.received',
  'message.read',
  'link.clicked',
  'order.created',
  'webhook.received',
] as const;
export type FlowEventType = (typeof flowEventTypes)[number];

export const flowEventSchema = z.object({
  type: z.enum(flowEventTypes),
  customerId: z.string().min(1),
  /** epoch ms */
  at: z.number(),
  /**
   * tag.*: { tag }; field.changed: { field, oldValue, newValue }; message.*: { channel, text };
   * webhook.received: { hook, payload }; order.created: { orderId, amount, product }.
   */
  data: z.record(z.string(), z.unknown()).default({}),
});
export type FlowEvent = z.infer<typeof flowEventSchema>;

/** What a waiting run (or a goal) listens for. */
export const eventFilterSchema = z.object({
  event: z.enum(flowEventTypes),
  channel: z.union([channelSchema, z.literal('any')]).default('any'),
  /** tag.added / tag.removed: which tag; empty = any */
  tag: z.string().default(''),
  /** message.received: the text must contain one of these (case-insensitive); empty = any message */
  keywords: z.array(z.string().min(1)).default([]),
});
export type EventFilter = z.infer<typeof eventFilterSchema>;

export function eventMatches(filter: z.input<typeof eventFilterSchema>, event: FlowEvent): boolean {
  return matchesFilter(eventFilterSchema.parse(filter), event);
}
