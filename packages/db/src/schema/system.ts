import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Key/value settings of this installation (e.g. whether demo data was loaded). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
