/**
 * Group commit for step rows: every step status write of every run in this process waits a few
 * milliseconds in one queue, then the queue goes to the database as ONE statement (unnest of
 * arrays: one fixed text, prepared once) that upserts the step rows, moves their runs and answers
 * which runs still exist. A write resolves only once that statement has committed, so an activity
 * still returns after its step row is durable: the guarantees stay, the statements per step drop
 * from one each to one per batch (on PGlite each statement is a parse, a plan and six protocol
 * calls into the WASM backend).
 *
 * A batch holds at most one write per run (a run writes one step at a time; a second write of the
 * same run waits for the next batch), so the upsert never meets its own row twice.
 */
import type { SqlClient } from '@nudge/db';

export interface StepWrite {
  runId: string;
  flowId: string;
  nodeId: string;
  nodeKey: string;
  seq: number;
  status: string;
  port: string | null;
  /** JSON text, or null */
  output: string | null;
  error: string | null;
  /** null: keep the row's attempt (1 for a new row) */
  attempt: number | null;
  /** ISO instant, or null */
  finishedAt: string | null;
  /** ISO instant of the write (the run's updated_at) */
  at: string;
  /** also move the run to this status and node */
  runStatus: string | null;
  /** undefined: leave the run's error as it is */
  runError?: string | null;
}

const STATEMENT = `with v as (
    select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::int[], $11::text[], $12::text[], $13::text[], $14::boolean[], $15::text[])
      as v(run_id, flow_id, node_id, node_key, seq, status, port, output, error, attempt, finished_at, at, run_status, set_error, run_error)
  ),
  step as (
    insert into flow_run_steps (run_id, flow_id, node_id, node_key, seq, status, port, output, error, attempt, finished_at)
    select v.run_id::uuid, v.flow_id::uuid, v.node_id, v.node_key, v.seq, v.status::flow_step_status, v.port, v.output::jsonb, v.error,
      coalesce(v.attempt, 1), v.finished_at::timestamptz
    from v join flow_runs r on r.id = v.run_id::uuid
    on conflict (run_id, seq) do update set node_id = excluded.node_id, node_key = excluded.node_key, status = excluded.status,
      port = excluded.port, output = excluded.output, error = excluded.error, finished_at = excluded.finished_at,
      attempt = coalesce((select v2.attempt from v v2 where v2.run_id::uuid = excluded.run_id and v2.seq = excluded.seq), flow_run_steps.attempt)
    returning 1
  ),
  moved as (
    update flow_runs r set status = v.run_status::flow_run_status, current_node_id = v.node_id, updated_at = v.at::timestamptz,
      error = case when v.set_error then v.run_error else r.error end
    from v
    where r.id = v.run_id::uuid and v.run_status is not null and r.status not in ('completed', 'failed', 'cancelled')
    returning 1
  )
  select r.id::text as run_id from v join flow_runs r on r.id = v.run_id::uuid`;

interface Pending {
  write: StepWrite;
  resolve: (present: boolean) => void;
  reject: (err: unknown) => void;
}

export interface StepWriter {
  /** Writes the step (and moves its run); true when the run row exists (false: the customer was erased). */
  write(write: StepWrite): Promise<boolean>;
}

export function createStepWriter(sql: SqlClient, options: { delayMs?: number; maxBatch?: number } = {}): StepWriter {
  const delayMs = options.delayMs ?? 1;
  const maxBatch = options.maxBatch ?? 256;
  let queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushing = false;

  async function flush(batch: Pending[]): Promise<void> {
    const cols: unknown[][] = Array.from({ length: 15 }, () => []);
    for (const { write: w } of batch) {
      const row = [w.runId, w.flowId, w.nodeId, w.nodeKey, w.seq, w.status, w.port, w.output, w.error, w.attempt, w.finishedAt, w.at, w.runStatus, w.runError !== undefined, w.runError ?? null];
      for (let i = 0; i < row.length; i++) cols[i]!.push(row[i]);
    }
    try {
      const rows = await sql.query<{ run_id: string }>(STATEMENT, cols);
      const present = new Set(rows.map((r) => r.run_id));
      for (const p of batch) p.resolve(present.has(p.write.runId));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** One batch at a time: while it is in flight the next one gathers (group commit). */
  async function drain() {
    timer = null;
    flushing = true;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const runs = new Set<string>();
    for (const p of queue) {
      if (batch.length < maxBatch && !runs.has(p.write.runId)) {
        runs.add(p.write.runId);
        batch.push(p);
      } else rest.push(p);
    }
    queue = rest;
    await flush(batch);
    flushing = false;
    if (queue.length) schedule();
  }

  function schedule() {
    if (flushing || timer) return;
    timer = setTimeout(() => void drain(), delayMs);
  }

  return {
    write(write) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ write, resolve, reject });
        schedule();
      });
    },
  };
}
