/**
 * temporal-lite's persistence: three tables in the `temporal_lite` schema of the same Postgres
 * (PGlite or a server). History events are stored as protobuf bytes — each commit writes one row
 * per execution holding the events it added, framed as a `History` message; the rest of an
 * execution's mutable state (pending activities, timers, children, workflow task) as JSON.
 * Every change is written in one transaction; the engine batches concurrent changes into one
 * commit (group commit) and answers no RPC before its change is committed.
 */
import type { SqlClient } from '@nudge/db';

export interface ExecutionRow {
  runId: string;
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  status: number;
  startTime: number;
  executionTime: number;
  closeTime: number | null;
  historyLength: number;
  searchAttributes: Record<string, unknown>;
  state: string;
}

export interface SaveBatch {
  executions: ExecutionRow[];
  /** Per execution, the events this commit adds: `data` is the `History` framing of them. */
  events: { runId: string; firstEventId: number; lastEventId: number; data: Uint8Array }[];
  meta?: Record<string, string>;
}

const DDL = `
CREATE SCHEMA IF NOT EXISTS temporal_lite;
CREATE TABLE IF NOT EXISTS temporal_lite.executions (
  run_id text PRIMARY KEY,
  namespace text NOT NULL,
  workflow_id text NOT NULL,
  workflow_type text NOT NULL,
  task_queue text NOT NULL,
  status smallint NOT NULL,
  start_time double precision NOT NULL,
  execution_time double precision NOT NULL,
  close_time double precision,
  history_length integer NOT NULL,
  search_attributes jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_wid_idx ON temporal_lite.executions (namespace, workflow_id, start_time DESC);
CREATE INDEX IF NOT EXISTS executions_status_idx ON temporal_lite.executions (namespace, status, start_time DESC);
CREATE INDEX IF NOT EXISTS executions_type_idx ON temporal_lite.executions (namespace, workflow_type, start_time DESC);
CREATE TABLE IF NOT EXISTS temporal_lite.history (
  run_id text NOT NULL,
  first_event_id integer NOT NULL,
  last_event_id integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (run_id, first_event_id)
);
CREATE TABLE IF NOT EXISTS temporal_lite.meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
`;

const EXEC_COLS = 12;

export class Store {
  constructor(private readonly sql: SqlClient) {}

  async init(): Promise<void> {
    await this.sql.exec(DDL);
  }

  /**
   * Writes one batch atomically. Usually as ONE statement (data-modifying CTEs), which Postgres
   * runs as its own transaction: on embedded PGlite a statement costs far less than BEGIN…COMMIT.
   */
  async save(batch: SaveBatch): Promise<void> {
    const statements: { text: string; params: unknown[] }[] = [];
    for (let i = 0; i < batch.events.length; i += 2000) {
      const chunk = batch.events.slice(i, i + 2000);
      const params: unknown[] = [];
      const values = chunk.map((e) => {
        params.push(e.runId, e.firstEventId, e.lastEventId, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
        const b = params.length - 4;
        return `($${b + 1}, $${b + 2}::int, $${b + 3}::int, $${b + 4}::bytea)`;
      });
      statements.push({
        text: `INSERT INTO temporal_lite.history (run_id, first_event_id, last_event_id, data) VALUES ${values.join(',')}
           ON CONFLICT (run_id, first_event_id) DO UPDATE SET data = excluded.data, last_event_id = excluded.last_event_id`,
        params,
      });
    }
    for (let i = 0; i < batch.executions.length; i += 400) {
      const chunk = batch.executions.slice(i, i + 400);
      const params: unknown[] = [];
      const values = chunk.map((r) => {
        params.push(r.runId, r.namespace, r.workflowId, r.workflowType, r.taskQueue, r.status, r.startTime,
          r.executionTime, r.closeTime, r.historyLength, JSON.stringify(r.searchAttributes), r.state);
        const b = params.length - EXEC_COLS;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::smallint, $${b + 7}::float8, $${b + 8}::float8, $${b + 9}::float8, $${b + 10}::int, $${b + 11}::jsonb, $${b + 12})`;
      });
      statements.push({
        text: `INSERT INTO temporal_lite.executions (run_id, namespace, workflow_id, workflow_type, task_queue, status,
             start_time, execution_time, close_time, history_length, search_attributes, state)
           VALUES ${values.join(',')}
           ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, close_time = excluded.close_time,
             history_length = excluded.history_length, search_attributes = excluded.search_attributes,
             state = excluded.state, workflow_type = excluded.workflow_type, task_queue = excluded.task_queue`,
        params,
      });
    }
    for (const [key, value] of Object.entries(batch.meta ?? {})) {
      statements.push({
        text: `INSERT INTO temporal_lite.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        params: [key, value],
      });
    }
    if (statements.length === 0) return;
    const total = statements.reduce((n, st) => n + st.params.length, 0);
    if (total <= 60_000) {
      // renumber the parameters of every statement into one list, and chain them as CTEs
      const params: unknown[] = [];
      const parts = statements.map((st) => {
        const base = params.length;
        params.push(...st.params);
        return base ? st.text.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + base}`) : st.text;
      });
      const last = parts.pop()!;
      const text = parts.length ? `WITH ${parts.map((p, i) => `w${i} AS (${p})`).join(', ')} ${last}` : last;
      await this.sql.query(text, params, { prepare: false });
      return;
    }
    await this.sql.transaction(async (tx) => {
      for (const st of statements) await tx.query(st.text, st.params, { prepare: false });
    });
  }

  async loadOpen(): Promise<{ state: string }[]> {
    return this.sql.query<{ state: string }>(`SELECT state FROM temporal_lite.executions WHERE status = 1`);
  }

  async loadState(runId: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ state: string }>(
      `SELECT state FROM temporal_lite.executions WHERE run_id = $1`, [runId]);
    return rows[0]?.state;
  }

  /** The newest run id of each of `workflowIds` that has a run in the database. */
  async latestRuns(namespace: string, workflowIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < workflowIds.length; i += 1000) {
      const rows = await this.sql.query<{ workflow_id: string; run_id: string }>(
        `SELECT DISTINCT ON (workflow_id) workflow_id, run_id FROM temporal_lite.executions
         WHERE namespace = $1 AND workflow_id = ANY($2::text[])
         ORDER BY workflow_id, start_time DESC, run_id DESC`, [namespace, workflowIds.slice(i, i + 1000)]);
      for (const r of rows) out.set(r.workflow_id, r.run_id);
    }
    return out;
  }

  async loadEvents(runIds: string[]): Promise<Map<string, Uint8Array[]>> {
    const out = new Map<string, Uint8Array[]>();
    if (runIds.length === 0) return out;
    for (let i = 0; i < runIds.length; i += 1000) {
      const rows = await this.sql.query<{ run_id: string; data: Uint8Array }>(
        `SELECT run_id, data FROM temporal_lite.history WHERE run_id = ANY($1::text[]) ORDER BY run_id, first_event_id`,
        [runIds.slice(i, i + 1000)]);
      for (const r of rows) {
        let list = out.get(r.run_id);
        if (!list) out.set(r.run_id, (list = []));
        list.push(...splitHistory(r.data instanceof Uint8Array ? r.data : new Uint8Array(r.data as ArrayBuffer)));
      }
    }
    return out;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ value: string }>(`SELECT value FROM temporal_lite.meta WHERE key = $1`, [key]);
    return rows[0]?.value;
  }

  /** Visibility: a page of executions matching a compiled WHERE clause, newest first. */
  async list(where: string, params: unknown[], order: string, limit: number, offset: number): Promise<{ state: string }[]> {
    return this.sql.query<{ state: string }>(
      `SELECT state FROM temporal_lite.executions WHERE ${where}
       ORDER BY ${order}, run_id DESC LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`, params);
  }

  async countByStatus(where: string, params: unknown[]): Promise<{ status: number; n: number }[]> {
    const rows = await this.sql.query<{ status: number; n: number | string }>(
      `SELECT status, count(*)::int AS n FROM temporal_lite.executions WHERE ${where} GROUP BY status ORDER BY status`, params);
    return rows.map((r) => ({ status: Number(r.status), n: Number(r.n) }));
  }

  async count(where: string, params: unknown[]): Promise<number> {
    const rows = await this.sql.query<{ n: number | string }>(
      `SELECT count(*)::int AS n FROM temporal_lite.executions WHERE ${where}`, params);
    return Number(rows[0]?.n ?? 0);
  }
}

/** Splits `History` bytes (field 1, length-delimited, repeated) into the bytes of each event. */
export function splitHistory(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < buf.length) {
    if (buf[i] !== 0x0a) throw new Error(`temporal-lite: corrupt history batch at byte ${i}`);
    i++;
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++]!;
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    out.push(buf.subarray(i, i + len));
    i += len;
  }
  return out;
}
