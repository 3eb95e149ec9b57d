/**
 * Webhook / form triggers (`POST /api/hooks/<hookId>`): the secret a hook may require, and the
 * idempotency ledger that makes a repeated request (same `Idempotency-Key`) answer the first
 * request's run instead of starting another.
 */
import { index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** One secret per hook id: HMAC key for `X-Nudge-Signature`, or the bearer token. Never in a plan (plans land in workflow history). */
export const hookSecrets = pgTable('hook_secrets', {
  hookId: text('hook_id').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A request's idempotency key, claimed before anything is done. `response` is null while the
 * first request is at work (`claimed_at` is its lease), then the answer every repeat gets.
 */
export const hookRequests = pgTable(
  'hook_requests',
  {
    hookId: text('hook_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** sha-256 of the raw body: a key reused with another body is refused */
    bodyHash: text('body_hash').notNull(),
    response: jsonb('response').$type<Record<string, unknown>>(),
    status: text('status'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.hookId, t.idempotencyKey] }), index('hook_requests_created_idx').on(t.createdAt)],
);
