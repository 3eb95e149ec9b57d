import { index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';
import { users } from './users.js';

export const interactionKind = pgEnum('interaction_kind', [
  'message_in',
  'message_out',
  'note',
  'call',
  'task',
  'order',
  'flow_step',
  'system',
]);
export const INTERACTION_KINDS = interactionKind.enumValues;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/** The customer timeline: every message, note, call, task, order, flow step and system event. */
export const interactions = pgTable(
  'interactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: interactionKind('kind').notNull(),
    /** email | whatsapp | sms | phone | web … (null for notes and system entries). */
    channel: text('channel'),
    body: text('body'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('interactions_customer_time_idx').on(t.customerId, t.occurredAt.desc()),
    index('interactions_kind_time_idx').on(t.kind, t.occurredAt),
  ],
);
