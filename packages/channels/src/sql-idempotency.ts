/**
 * An IdempotencyStore in Postgres (PGlite or a server), over any client with
 * `query(text, params) → rows` — @nudge/db's `handle.sql` fits. The claim is one
 * INSERT … ON CONFLICT DO NOTHING, so two workers racing on one key cannot both send.
 * The table is `sendsTableDdl`; a drizzle migration in packages/db should create it.
 */
import type { ClaimResult, IdempotencyStore } from './idempotency.js';
import type { SendResult } from './types.js';

export interface SqlQuery {
  query<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export const sendsTableDdl = (table = 'channel_sends') => `
CREATE TABLE IF NOT EXISTS ${table} (
  idempotency_key text PRIMARY KEY,
  channel text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_flight', 'sent')),
  provider_message_id text,
  claimed_at_ms bigint NOT NULL,
  sent_at_ms bigint
)`;

export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly sql: SqlQuery,
    private readonly table = 'channel_sends',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`"${table}" is not a plain table name`);
  }

  async claim(key: string, channel: string, now: number): Promise<ClaimResult> {
    const inserted = await this.sql.query(
      `INSERT INTO ${this.table} (idempotency_key, channel, state, claimed_at_ms) VALUES ($1, $2, 'in_flight', $3)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [key, channel, now],
    );
    if (inserted.length > 0) return { state: 'claimed' };
    const [row] = await this.sql.query<{ state: string; provider_message_id: string | null; claimed_at_ms: string | number }>(
      `SELECT state, provider_message_id, claimed_at_ms FROM ${this.table} WHERE idempotency_key = $1`,
      [key],
    );
    if (!row) return this.claim(key, channel, now); // released in between: try again
    return row.state === 'sent'
      ? { state: 'sent', result: { providerMessageId: row.provider_message_id ?? '' } }
      : { state: 'in_flight', since: Number(row.claimed_at_ms) };
  }

  async complete(key: string, result: SendResult): Promise<void> {
    await this.sql.query(
      `UPDATE ${this.table} SET state = 'sent', provider_message_id = $2, sent_at_ms = $3 WHERE idempotency_key = $1`,
      [key, result.providerMessageId, Date.now()],
    );
  }

  async release(key: string): Promise<void> {
    await this.sql.query(`DELETE FROM ${this.table} WHERE idempotency_key = $1 AND state = 'in_flight'`, [key]);
  }
}
