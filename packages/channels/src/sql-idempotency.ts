/**
 * The send ledger in Postgres (PGlite or a server), over any client with
 * `query(text, params) → rows` — @nudge/db's `handle.sql` fits. Each operation is one statement:
 * the claim is an INSERT … ON CONFLICT DO UPDATE … WHERE (the lease ran out), so two attempts
 * racing on one key — or on one expired claim — cannot both take it.
 * The table is `sendsTableDdl` (packages/db's `channel_sends`, created by its migrations).
 */
import type { ClaimRequest, ClaimResult, IdempotencyStore, SendRecord } from './idempotency.js';
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
  sent_at_ms bigint,
  owner text,
  lease_until_ms bigint,
  unknown_since_ms bigint,
  claims integer NOT NULL DEFAULT 1,
  settled_by text
)`;

type Row = {
  idempotency_key: string;
  channel: string;
  state: string;
  owner: string | null;
  provider_message_id: string | null;
  claimed_at_ms: string | number;
  lease_until_ms: string | number | null;
  unknown_since_ms: string | number | null;
  claims: number | string;
  sent_at_ms: string | number | null;
  settled_by: string | null;
};

const num = (v: string | number | null) => (v === null ? null : Number(v));
const toRecord = (r: Row): SendRecord => ({
  key: r.idempotency_key,
  channel: r.channel,
  state: r.state === 'sent' ? 'sent' : 'in_flight',
  owner: r.owner,
  claimedAtMs: Number(r.claimed_at_ms),
  leaseUntilMs: num(r.lease_until_ms),
  unknownSinceMs: num(r.unknown_since_ms),
  claims: Number(r.claims),
  providerMessageId: r.provider_message_id,
  sentAtMs: num(r.sent_at_ms),
  settledBy: r.settled_by,
});

export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly sql: SqlQuery,
    private readonly table = 'channel_sends',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`"${table}" is not a plain table name`);
  }

  async claim(r: ClaimRequest): Promise<ClaimResult> {
    const t = this.table;
    // an in_flight row whose lease ran out (null: a claim from before leases) is unknown from the
    // first time an attempt sees it; once its settle wait is over, this attempt takes it over
    const takeOver = `($6::bigint is not null and coalesce(${t}.unknown_since_ms, $4::bigint) + $6::bigint <= $4::bigint)`;
    const rows = await this.sql.query<{ owner: string | null; claims: number | string; unknown_since_ms: string | number | null }>(
      `insert into ${t} (idempotency_key, channel, state, owner, claimed_at_ms, lease_until_ms, claims)
       values ($1, $2, 'in_flight', $3, $4::bigint, $4::bigint + $5::bigint, 1)
       on conflict (idempotency_key) do update set
         owner = case when ${takeOver} then $3 else ${t}.owner end,
         lease_until_ms = case when ${takeOver} then $4::bigint + $5::bigint else ${t}.lease_until_ms end,
         claims = case when ${takeOver} then ${t}.claims + 1 else ${t}.claims end,
         unknown_since_ms = case when ${takeOver} then null else coalesce(${t}.unknown_since_ms, $4::bigint) end
       where ${t}.state = 'in_flight' and coalesce(${t}.lease_until_ms, 0) <= $4::bigint
       returning owner, claims, unknown_since_ms`,
      [r.key, r.channel, r.owner, r.nowMs, r.leaseMs, r.settleWaitMs],
    );
    const taken = rows[0];
    if (taken) {
      if (taken.owner === r.owner) {
        const claims = Number(taken.claims);
        return { state: 'claimed', claims, resend: claims > 1 };
      }
      const since = Number(taken.unknown_since_ms);
      return { state: 'unknown', sinceMs: since, resendAtMs: r.settleWaitMs === null ? null : since + r.settleWaitMs };
    }
    const [row] = await this.sql.query<Row>(`select * from ${t} where idempotency_key = $1`, [r.key]);
    if (!row) return this.claim(r); // released in between: try again
    if (row.state === 'sent') return { state: 'sent', result: { providerMessageId: row.provider_message_id ?? '' } };
    return { state: 'in_progress', leaseUntilMs: Number(row.lease_until_ms ?? 0) };
  }

  /**
   * `claim` for several distinct keys in ONE statement (the same INSERT … ON CONFLICT DO UPDATE …
   * WHERE, one row per key), with what each key held before for the keys not taken. A key that
   * is neither taken nor seen (released or inserted by another attempt in between) is claimed
   * alone, as `claim` retries.
   */
  async claimMany(requests: ClaimRequest[]): Promise<ClaimResult[]> {
    if (!requests.length) return [];
    const t = this.table;
    const nowMs = requests[0]!.nowMs;
    const leaseMs = requests[0]!.leaseMs;
    if (requests.some((r) => r.nowMs !== nowMs || r.leaseMs !== leaseMs)) return Promise.all(requests.map((r) => this.claim(r)));
    const wait = requests[0]!.settleWaitMs;
    if (requests.some((r) => r.settleWaitMs !== wait)) {
      // one statement per settle wait (per channel policy), answers in the given order
      const groups = new Map<number | null, ClaimRequest[]>();
      for (const r of requests) groups.set(r.settleWaitMs, [...(groups.get(r.settleWaitMs) ?? []), r]);
      const answers = new Map<ClaimRequest, ClaimResult>();
      for (const g of groups.values()) for (const [i, a] of (await this.claimMany(g)).entries()) answers.set(g[i]!, a);
      return requests.map((r) => answers.get(r)!);
    }
    const takeOver = `($6::bigint is not null and coalesce(${t}.unknown_since_ms, $4::bigint) + $6::bigint <= $4::bigint)`;
    const rows = await this.sql.query<{ k: string; taken_owner: string | null; claims: number | string | null; unknown_since_ms: string | number | null; state: string | null; provider_message_id: string | null; lease_until_ms: string | number | null }>(
      `with req(idempotency_key, channel, owner) as (
         select * from unnest($1::text[], $2::text[], $3::text[])),
       ins as (
         insert into ${t} (idempotency_key, channel, state, owner, claimed_at_ms, lease_until_ms, claims)
         select idempotency_key, channel, 'in_flight', owner, $4::bigint, $4::bigint + $5::bigint, 1 from req order by idempotency_key
         on conflict (idempotency_key) do update set
           owner = case when ${takeOver} then excluded.owner else ${t}.owner end,
           lease_until_ms = case when ${takeOver} then $4::bigint + $5::bigint else ${t}.lease_until_ms end,
           claims = case when ${takeOver} then ${t}.claims + 1 else ${t}.claims end,
           unknown_since_ms = case when ${takeOver} then null else coalesce(${t}.unknown_since_ms, $4::bigint) end
         where ${t}.state = 'in_flight' and coalesce(${t}.lease_until_ms, 0) <= $4::bigint
         returning idempotency_key, owner, claims, unknown_since_ms)
       select req.idempotency_key as k, ins.owner as taken_owner, ins.claims, ins.unknown_since_ms, old.state, old.provider_message_id, old.lease_until_ms
       from req left join ins on ins.idempotency_key = req.idempotency_key left join ${t} old on old.idempotency_key = req.idempotency_key`,
      [requests.map((r) => r.key), requests.map((r) => r.channel), requests.map((r) => r.owner), nowMs, leaseMs, wait],
    );
    const byKey = new Map(rows.map((r) => [r.k, r]));
    return Promise.all(requests.map(async (r): Promise<ClaimResult> => {
      const row = byKey.get(r.key);
      if (row && row.taken_owner !== null) {
        if (row.taken_owner === r.owner) {
          const claims = Number(row.claims);
          return { state: 'claimed', claims, resend: claims > 1 };
        }
        const since = Number(row.unknown_since_ms);
        return { state: 'unknown', sinceMs: since, resendAtMs: r.settleWaitMs === null ? null : since + r.settleWaitMs };
      }
      if (!row || row.state === null) return this.claim(r); // not there before, not taken: another attempt's in between
      if (row.state === 'sent') return { state: 'sent', result: { providerMessageId: row.provider_message_id ?? '' } };
      return { state: 'in_progress', leaseUntilMs: Number(row.lease_until_ms ?? 0) };
    }));
  }

  /** `complete` for several distinct keys in ONE statement; answers the recorded result of each. */
  async completeMany(items: { key: string; result: SendResult; settledBy: string }[], nowMs: number): Promise<SendResult[]> {
    if (!items.length) return [];
    const t = this.table;
    const rows = await this.sql.query<{ k: string; provider_message_id: string | null }>(
      `with req(idempotency_key, provider_message_id, settled_by) as (
         select * from unnest($1::text[], $2::text[], $3::text[])),
       done as (
         update ${t} set state = 'sent', provider_message_id = req.provider_message_id, sent_at_ms = $4::bigint, settled_by = req.settled_by, unknown_since_ms = null
         from req where ${t}.idempotency_key = req.idempotency_key and ${t}.state = 'in_flight'
         returning ${t}.idempotency_key, ${t}.provider_message_id)
       select done.idempotency_key as k, done.provider_message_id from done
       union all
       select old.idempotency_key, old.provider_message_id from ${t} old join req on req.idempotency_key = old.idempotency_key
       where old.state = 'sent' and not exists (select 1 from done where done.idempotency_key = old.idempotency_key)`,
      [items.map((d) => d.key), items.map((d) => d.result.providerMessageId), items.map((d) => d.settledBy), nowMs],
    );
    const recorded = new Map(rows.map((r) => [r.k, r.provider_message_id]));
    return items.map((d) => {
      const id = recorded.get(d.key);
      return id ? { providerMessageId: id } : d.result;
    });
  }

  async renew(key: string, owner: string, leaseUntilMs: number): Promise<boolean> {
    const rows = await this.sql.query(
      `update ${this.table} set lease_until_ms = greatest(coalesce(lease_until_ms, 0), $3::bigint)
       where idempotency_key = $1 and owner = $2 and state = 'in_flight' returning 1 as ok`,
      [key, owner, leaseUntilMs],
    );
    return rows.length > 0;
  }

  async complete(key: string, result: SendResult, nowMs: number, settledBy: string): Promise<SendResult> {
    const rows = await this.sql.query<{ provider_message_id: string | null }>(
      `with done as (
         update ${this.table} set state = 'sent', provider_message_id = $2, sent_at_ms = $3::bigint, settled_by = $4, unknown_since_ms = null
         where idempotency_key = $1 and state = 'in_flight' returning provider_message_id)
       select provider_message_id from done
       union all
       select provider_message_id from ${this.table} where idempotency_key = $1 and state = 'sent' and not exists (select 1 from done)`,
      [key, result.providerMessageId, nowMs, settledBy],
    );
    const recorded = rows[0]?.provider_message_id;
    return recorded ? { providerMessageId: recorded } : result;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.sql.query(`delete from ${this.table} where idempotency_key = $1 and owner = $2 and state = 'in_flight'`, [key, owner]);
  }

  async abandon(key: string, owner: string, nowMs: number): Promise<void> {
    await this.sql.query(`update ${this.table} set lease_until_ms = $3::bigint where idempotency_key = $1 and owner = $2 and state = 'in_flight'`, [key, owner, nowMs]);
  }

  async settle(key: string, result: SendResult, nowMs: number, settledBy: string): Promise<boolean> {
    const rows = await this.sql.query(
      `update ${this.table} set state = 'sent', provider_message_id = $2, sent_at_ms = $3::bigint, settled_by = $4, unknown_since_ms = null
       where idempotency_key = $1 and state = 'in_flight' returning 1 as ok`,
      [key, result.providerMessageId, nowMs, settledBy],
    );
    return rows.length > 0;
  }

  async get(key: string): Promise<SendRecord | null> {
    const [row] = await this.sql.query<Row>(`select * from ${this.table} where idempotency_key = $1`, [key]);
    return row ? toRecord(row) : null;
  }

  async unsettled(limit = 100): Promise<SendRecord[]> {
    const rows = await this.sql.query<Row>(`select * from ${this.table} where state = 'in_flight' order by claimed_at_ms limit $1`, [limit]);
    return rows.map(toRecord);
  }
}
