import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';
import { users } from './users.js';
import { TAG_DIMENSIONS } from './values.js';

export const tagDimension = pgEnum('tag_dimension', TAG_DIMENSIONS);
export { TAG_DIMENSIONS };

export const tagGroups = pgTable('tag_groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  dimension: tagDimension('dimension').notNull(),
  description: text('description'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    groupId: uuid('group_id').references(() => tagGroups.id, { onDelete: 'set null' }),
    /** Unique, case-insensitively; segments and flows may refer to a tag by name. */
    name: text('name').notNull(),
    color: text('color').notNull().default('#64748b'),
    description: text('description'),
    /** When set, adding the tag without an explicit expiry makes it expire after this many hours. */
    defaultLifetimeHours: integer('default_lifetime_hours'),
    /** Optional reminder this many hours after the tag was added (e.g. day 6 of a 7-day "quote sent"). */
    reminderAfterHours: integer('reminder_after_hours'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tags_name_uq').on(sql`lower(${t.name})`), index('tags_group_idx').on(t.groupId)],
);

export const customerTags = pgTable(
  'customer_tags',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** When the tag's reminder (tags.reminder_after_hours) was issued; null = not yet. */
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    addedBy: uuid('added_by').references(() => users.id, { onDelete: 'set null' }),
    /** Who or what added it: `user`, `import`, `flow:<id>`… */
    source: text('source'),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.tagId] }),
    // "has tag X" uses customer_tags_tag_cover_idx (tag_id, customer_id) INCLUDE (expires_at),
    // created in migration 0003 because drizzle cannot declare INCLUDE; the PK serves "tags of customer Y".
    index('customer_tags_expires_idx').on(t.expiresAt),
  ],
);
