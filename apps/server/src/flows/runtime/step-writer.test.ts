/**
 * The step writer batches the step writes of concurrent runs into one statement, keeps each run's
 * writes in order, keeps a row's attempt when a write has none, and tells erased runs apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import type { SqlClient } from '@nudge/db';
import { createStepWriter, type StepWrite } from './step-writer.js';
import { createUser, publishFlow, seedCustomers } from './test-support.js';

let db: TestDb;
let flowId: string;
let customers: string[];

beforeAll(async () => {
  db = await createTestDb({ migrate: true });
  const ctx = { db } as Parameters<typeof createUser>[0];
  const owner = await createUser(ctx);
  customers = await seedCustomers(ctx, { count: 31, ownerId: owner });
  const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
  const graph = { nodes: [node('t', 'trigger.manual@1'), node('n1', 'action.add_note@1', { text: 'hi' })], edges: [{ id: 'e', source: 't', sourceHandle: 'next', target: 'n1', targetHandle: 'in' }] };
  ({ flowId } = await publishFlow(ctx, graph));
}, 120_000);
afterAll(async () => db?.cleanup());

async function newRun(customerId: string): Promise<string> {
  const [row] = await db.sql.query<{ id: string }>(
    `insert into flow_runs (flow_id, customer_id, workflow_id, enrollment_key) values ($1, $2, $3, 'once') returning id::text`,
    [flowId, customerId, `wf-${randomUUID()}`],
  );
  return row!.id;
}

const write = (runId: string, over: Partial<StepWrite> = {}): StepWrite => ({
  runId, flowId, nodeId: 'n1', nodeKey: 'action.add_note@1', seq: 1, status: 'done', port: 'next', output: { noteId: 'x' }, error: null,
  attempt: 1, finishedAt: new Date().toISOString(), at: new Date().toISOString(), runStatus: 'running', ...over,
});

/** The database handle's client, counting statements. */
function counting(sql: SqlClient) {
  const counter = { statements: 0 };
  const client: SqlClient = { ...sql, query: (text, params, options) => (counter.statements++, sql.query(text, params, options)) };
  return { client, counter };
}

describe('step writer', () => {
  it('writes the steps of concurrent runs in one statement, moves the runs, and answers false for erased runs', async () => {
    const runs = await Promise.all(customers.slice(0, 30).map(newRun));
    const { client, counter } = counting(db.sql);
    const writer = createStepWriter(client);
    const gone = randomUUID();
    const present = await Promise.all([...runs.map((r, i) => writer.write(write(r, { nodeId: `n${i}` }))), writer.write(write(gone))]);
    expect(present).toEqual([...runs.map(() => true), false]);
    expect(counter.statements).toBe(1);
    const rows = await db.sql.query<{ run_id: string; node_id: string; status: string; current: string; output: { noteId: string } }>(
      `select s.run_id::text, s.node_id, s.status::text, r.current_node_id as current, s.output from flow_run_steps s join flow_runs r on r.id = s.run_id where s.run_id = any($1::uuid[])`,
      [runs],
    );
    expect(rows).toHaveLength(runs.length);
    for (const row of rows) {
      expect(row.status).toBe('done');
      expect(row.current).toBe(row.node_id);
      expect(row.output.noteId).toBe('x');
    }
    const [{ n }] = (await db.sql.query<{ n: number }>(`select count(*)::int as n from flow_run_steps where run_id = $1`, [gone])) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('keeps one run\'s writes in order across batches, and its attempt when a write carries none', async () => {
    const run = await newRun(customers[30]!);
    const writer = createStepWriter(db.sql);
    const first = writer.write(write(run, { status: 'running', attempt: 3, finishedAt: null, error: 'timeout' }));
    const second = writer.write(write(run, { status: 'failed', attempt: null, port: null, output: null, error: 'gave up', runStatus: 'failed', runError: 'Step n1 failed: gave up' }));
    expect(await Promise.all([first, second])).toEqual([true, true]);
    const [step] = await db.sql.query<{ status: string; attempt: number; error: string }>(`select status::text, attempt, error from flow_run_steps where run_id = $1`, [run]);
    expect(step).toEqual({ status: 'failed', attempt: 3, error: 'gave up' });
    const [r] = await db.sql.query<{ status: string; error: string }>(`select status::text, error from flow_runs where id = $1`, [run]);
    expect(r).toEqual({ status: 'failed', error: 'Step n1 failed: gave up' });
    // a run that ended stays ended; its step row is still written
    expect(await writer.write(write(run, { seq: 2, runStatus: 'running' }))).toBe(true);
    const [after] = await db.sql.query<{ status: string }>(`select status::text from flow_runs where id = $1`, [run]);
    expect(after!.status).toBe('failed');
  });
});
