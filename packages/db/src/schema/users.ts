import { sql } from 'drizzle-orm';
import { boolean, index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { USER_ROLES, type UserRole } from './values.js';

/** admin: everything; manager: all customers and settings; agent: own/team customers; viewer: read-only, masked. */
export const userRole = pgEnum('user_role', USER_ROLES);
export { USER_ROLES, type UserRole };

export const teams = pgTable('teams', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  timezone: text('timezone'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Always stored lower-cased. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** `scrypt$N$r$p$salt$hash` (base64url). */
    passwordHash: text('password_hash').notNull(),
    role: userRole('role').notNull().default('agent'),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    /**
     * Extra rights beyond the role, e.g. `contact.unmask` (see phones/emails unmasked) or a
     * custom field's required right such as `finance` (discounts, cost).
     */
    rights: text('rights').array().notNull().default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    /** Set when an admin adds the user or resets their password: the next login must choose a new one. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    /** Invited by e-mail and not yet accepted: no password of their own yet (status "invited"). */
    invitationPending: boolean('invitation_pending').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_uq').on(t.email), index('users_team_idx').on(t.teamId)],
);

/** Login sessions. Only the SHA-256 of the bearer token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sessions_token_uq').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/**
 * Invitations by e-mail: a one-time link to choose a password. Only the SHA-256 of the token is
 * stored; a link works once (`used_at`), until `expires_at` (7 days), and not after a newer one
 * was sent (`revoked_at`).
 */
export const userInvites = pgTable(
  'user_invites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    /** the language of the e-mail and the accept screen: en | zh-Hans | zh-Hant | es */
    language: text('language').notNull().default('en'),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('user_invites_token_uq').on(t.tokenHash), index('user_invites_user_idx').on(t.userId)],
);
