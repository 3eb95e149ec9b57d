import { sql } from 'drizzle-orm';
import { index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
    /** The provider's id of a message (WhatsApp wamid, SMS id): one timeline entry per message, by constraint. */
    providerMessageId: text('provider_message_id'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('interactions_customer_time_idx').on(t.customerId, t.occurredAt.desc()),
    index('interactions_kind_time_idx').on(t.kind, t.occurredAt),
    uniqueIndex('interactions_provider_message_uq')
      .on(t.kind, t.channel, t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
    /**
     * A flow step's timeline entry carries the step's idempotency key in its payload: one entry per
     * key and customer, by constraint, so a retried step inserts with ON CONFLICT DO NOTHING in one
     * statement (no lock, no check-then-insert transaction).
     */
    uniqueIndex('interactions_idempotency_key_uq')
      .on(t.customerId, sql`(${t.payload}->>'idempotencyKey')`)
      .where(sql`(${t.payload}->>'idempotencyKey') IS NOT NULL`),
  ],
);

/**
 * How a customer is reached on a channel, one customer per identity (by constraint): `whatsapp_user`
 * (WhatsApp's business-scoped user id, BSUID), `whatsapp` (the WhatsApp id, digits), `phone` (E.164), `email` (lower-cased). Inbound messages resolve
 * their sender here, so concurrent deliveries from an unknown sender create one customer.
 */
export const customerChannelIdentities = pgTable(
  'customer_channel_identities',
  {
    kind: text('kind').$type<'whatsapp_user' | 'whatsapp' | 'phone' | 'email'>().notNull(),
    value: text('value').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index('customer_channel_identities_customer_idx').on(t.customerId)],
);
