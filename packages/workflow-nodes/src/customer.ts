/**
 * The view of one customer that nodes read: conditions, templates, waits in the customer's
 * timezone. The server maps its database rows to this shape (and validates with the schema), so
 * nodes never depend on the table layout.
 */
import { z } from 'zod';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
export const dayParts = ['morning', 'afternoon', 'evening'] as const;
export type DayPart = (typeof dayParts)[number];

export const contactSlotSchema = z.object({
  weekday: z.enum(weekdays),
  part: z.enum(dayParts),
});
export type ContactSlot = z.infer<typeof contactSlotSchema>;

export const channelSchema = z.enum(['email', 'whatsapp', 'sms']);
export type Channel = z.infer<typeof channelSchema>;

export const customerSnapshotSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  company: z.string().nullish(),
  email: z.string().nullish(),
  /** E.164 */
  phone: z.string().nullish(),
  whatsappId: z.string().nullish(),
  ownerId: z.string().nullish(),
  ownerName: z.string().nullish(),
  /** IANA zone, e.g. Asia/Taipei; missing → the flow's default zone */
  timezone: z.string().nullish(),
  /** YYYY-MM-DD */
  birthday: z.string().nullish(),
  tags: z.array(z.string()).default([]),
  /** typed columns by their API name: tier, industry, points, priority, lastInteractionAt, … */
  fields: z.record(z.string(), z.unknown()).default({}),
  /** custom fields by key, reached as `custom.<key>` */
  custom: z.record(z.string(), z.unknown()).default({}),
  lastProduct: z.string().nullish(),
  preferredContactSlots: z.array(contactSlotSchema).default([]),
  /** false = opted out of that channel; missing = no record (allowed) */
  consent: z.partialRecord(channelSchema, z.boolean()).default({}),
});
export type CustomerSnapshot = z.infer<typeof customerSnapshotSchema>;

/** Reads `name`, `company`, `tier`, `custom.budget`, … from a snapshot. */
export function customerValue(customer: CustomerSnapshot, path: string): unknown {
  if (path.startsWith('custom.')) return customer.custom[path.slice('custom.'.length)];
  if (path.startsWith('fields.')) return customer.fields[path.slice('fields.'.length)];
  if (path === 'tags') return customer.tags;
  if (path in customer && path !== 'fields' && path !== 'custom') {
    return (customer as Record<string, unknown>)[path];
  }
  return customer.fields[path];
}
