/**
 * Group commit for step rows: every step status write of every run in this process waits a
 * millisecond in one queue, then the queue goes to the database as ONE statement (a fixed text,
 * prepared once; the rows travel as one JSON parameter) that upserts the step rows, moves their
 * runs and answers which runs still exist. While a batch is in flight the next one gathers. A
 * write resolves only once its statement has committed, so an activity still returns after its
 * step row is durable: the guarantees stay, the statements per step drop from one each to one per
 * batch (on PGlite each statement is a parse, a plan and six protocol calls into the WASM backend).
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
  output: Record<string, unknown> | null;
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
  /** with a terminal runStatus: the run ends here (exit reason, finished_at = at, no current node) — markRun's work in the same statement */
  runExitReason?: string;
}

const STATEMENT = `with v as (
    select * from jsonb_to_recordset($1::jsonb) as v(run_id uuid, flow_id uuid, node_id text, node_key text, seq int, status flow_step_status,
      port text, output jsonb, error text, attempt int, finished_at timestamptz, at timestamptz, run_status flow_run_status, set_error boolean, run_error text,
      exit_reason text)
  ),
  -- each join below also says r.id = any(array(…)), so that it probes flow_runs' primary key: the
  -- planner takes jsonb_to_recordset for 100 rows whatever it holds, and against a few thousand
  -- runs chose sequential scans of the whole table (three per batch, growing with the runs)
  step as (
    insert into flow_run_steps (run_id, flow_id, node_id, node_key, seq, status, port, output, error, attempt, finished_at)
    select v.run_id, v.flow_id, v.node_id, v.node_key, v.seq, v.status, v.port, v.output, v.error, coalesce(v.attempt, 1), v.finished_at
    from v join flow_runs r on r.id = v.run_id and r.id = any(array(select run_id from v))
    on conflict (run_id, seq) do update set node_id = excluded.node_id, node_key = excluded.node_key, status = excluded.status,
      port = excluded.port, output = excluded.output, error = excluded.error, finished_at = excluded.finished_at,
      attempt = coalesce((select v2.attempt from v v2 where v2.run_id = excluded.run_id and v2.seq = excluded.seq), flow_run_steps.attempt)
    returning 1
  ),
  moved as (
    update flow_runs r set status = v.run_status, updated_at = v.at,
      current_node_id = case when v.exit_reason is null then v.node_id end,
      exit_reason = coalesce(v.exit_reason, r.exit_reason),
      finished_at = case when v.exit_reason is null then r.finished_at else v.at end,
      error = case when v.set_error then v.run_error else r.error end
    from v
    where r.id = v.run_id and r.id = any(array(select run_id from v)) and v.run_status is not null and (r.status not in ('completed', 'failed', 'cancelled') or v.exit_reason is not null)
    returning 1
  )
  select r.id::text as run_id from v join flow_runs r on r.id = v.run_id and r.id = any(array(select run_id from v))`;

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
    // one JSON parameter: the same statement text for every batch size, prepared once
    const rows = batch.map(({ write: w }) => ({
      run_id: w.runId, flow_id: w.flowId, node_id: w.nodeId, node_key: w.nodeKey, seq: w.seq, status: w.status, port: w.port,
      output: w.output, error: w.error, attempt: w.attempt, finished_at: w.finishedAt, at: w.at,
      run_status: w.runStatus, set_error: w.runError !== undefined, run_error: w.runError ?? null, exit_reason: w.runExitReason ?? null,
    }));
    try {
      const found = await sql.query<{ run_id: string }>(STATEMENT, [JSON.stringify(rows)]);
      const present = new Set(found.map((r) => r.run_id));
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
