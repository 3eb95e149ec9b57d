/**
 * Events the server feeds to flows: they start runs (event triggers) and wake runs waiting for
 * them (wait-for-event, goals). Pure: the same matcher runs in the server and in the workflow.
 */
import { z } from 'zod';
import { channelSchema } from './customer.js';

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

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function eventMatches(filter: z.input<typeof eventFilterSchema>, event: FlowEvent): boolean {
  const f = eventFilterSchema.parse(filter);
  if (f.event !== event.type) return false;
  if (f.channel !== 'any' && 'channel' in event.data && event.data.channel !== f.channel) return false;
  if (f.tag && (event.type === 'tag.added' || event.type === 'tag.removed') && event.data.tag !== f.tag) {
    return false;
  }
  if (f.keywords.length > 0) {
    const text = str(event.data.text).toLocaleLowerCase();
    if (!f.keywords.some((k) => text.includes(k.toLocaleLowerCase()))) return false;
  }
  return true;
}
