import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { teams, users } from './users.js';

export const customerTier = pgEnum('customer_tier', ['A', 'B', 'C', 'strategic']);
export const membershipTier = pgEnum('membership_tier', ['bronze', 'silver', 'gold', 'platinum']);
export const customerPriority = pgEnum('customer_priority', ['P1', 'P2', 'P3']);
export const customFieldType = pgEnum('custom_field_type', ['text', 'number', 'date', 'boolean', 'select']);

export type ContactSlot = {
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  part: 'morning' | 'afternoon' | 'evening';
};

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fullName: text('full_name').notNull(),
    company: text('company'),
    industry: text('industry'),
    /** At most two products (checked at the API boundary). */
    productsOfInterest: text('products_of_interest').array().notNull().default(sql`'{}'::text[]`),
    /** E.164, e.g. +886912345678; `phoneRaw` keeps what was typed or imported. */
    phone: text('phone'),
    phoneRaw: text('phone_raw'),
    /** Lower-cased. */
    email: text('email'),
    whatsappId: text('whatsapp_id'),
    budgetMin: numeric('budget_min', { precision: 14, scale: 2, mode: 'number' }),
    budgetMax: numeric('budget_max', { precision: 14, scale: 2, mode: 'number' }),
    budgetCurrency: text('budget_currency'),
    preferredContactSlots: jsonb('preferred_contact_slots').$type<ContactSlot[]>().notNull().default([]),
    timezone: text('timezone'),
    birthday: date('birthday'),
    tier: customerTier('tier'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    optOutEmail: boolean('opt_out_email').notNull().default(false),
    optOutWhatsapp: boolean('opt_out_whatsapp').notNull().default(false),
    optOutSms: boolean('opt_out_sms').notNull().default(false),
    optOutPhone: boolean('opt_out_phone').notNull().default(false),
    consentUpdatedAt: timestamp('consent_updated_at', { withTimezone: true }),
    points: integer('points').notNull().default(0),
    membershipTier: membershipTier('membership_tier'),
    /** Sum of order amounts (in the customer's budget currency), kept up to date by order entries. */
    totalSpend: numeric('total_spend', { precision: 14, scale: 2, mode: 'number' }).notNull().default(0),
    firstContactAt: timestamp('first_contact_at', { withTimezone: true }),
    lastFollowUpAt: timestamp('last_follow_up_at', { withTimezone: true }),
    lastInteractionAt: timestamp('last_interaction_at', { withTimezone: true }),
    priority: customerPriority('priority'),
    /** 0–100 (%). */
    winProbability: smallint('win_probability'),
    source: text('source'),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('customers_owner_idx').on(t.ownerId),
    index('customers_team_idx').on(t.teamId),
    index('customers_tier_idx').on(t.tier),
    index('customers_last_interaction_idx').on(t.lastInteractionAt),
    index('customers_last_follow_up_idx').on(t.lastFollowUpAt),
    index('customers_phone_idx').on(t.phone),
    index('customers_email_idx').on(t.email),
    index('customers_created_idx').on(t.createdAt),
    index('customers_custom_fields_gin').using('gin', t.customFields),
    // Also: customers_segment_probe_idx (id) INCLUDE (last_follow_up_at, last_interaction_at,
    // owner_id, team_id) WHERE archived_at IS NULL — migration 0003 — so that segment checks for
    // the customers of a tag are index-only lookups (bench/segments.ts).
  ],
);

/** Typed custom fields: the key used in `customers.custom_fields`, its type and who may see it. */
export const customFieldDefinitions = pgTable('custom_field_definitions', {
  key: text('key').primaryKey(),
  label: text('label').notNull(),
  type: customFieldType('type').notNull(),
  /** Allowed values for `select`. */
  options: text('options').array(),
  /** A right a user needs to see or edit this field (e.g. `finance` for discount / cost). */
  requiredRight: text('required_right'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The managed list of industries a customer's `industry` is chosen from. */
export const industries = pgTable('industries', {
  name: text('name').primaryKey(),
});
