/**
 * Durability: temporal-lite runs as its own process (the CLI); it is killed with SIGKILL while
 * workflows have activities in flight, then started again on the same database. Every run must
 * complete, and no activity whose completion had been recorded before the crash runs again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createTestDb, testDriver, type TestDb } from '@nudge/db/testing';
import { freePort, installRuntime, workflowBundle } from './harness.js';
import * as activities from './activities.js';
import { calls } from './activities.js';
import { durableSteps } from './workflows.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
let proc: ChildProcess | undefined;
let folder: string | undefined;
let testDb: TestDb | undefined;

function startCli(port: number, db: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--port', String(port), '--db', db], { cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('listening on')) resolve(p);
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    p.on('exit', (code) => reject(new Error(`temporal-lite exited with ${code}: ${out}`)));
  });
}

afterAll(async () => {
  proc?.kill('SIGKILL');
  if (folder) rmSync(folder, { recursive: true, force: true });
  await testDb?.cleanup();
});

it('survives SIGKILL mid-flow: every run completes, recorded activities never run again', async () => {
  installRuntime();
  let dbArg: string;
  if (testDriver() === 'postgres') {
    testDb = await createTestDb({ migrate: false });
    dbArg = testDb.url;
  } else {
    folder = mkdtempSync(join(tmpdir(), 'tl-crash-'));
    dbArg = folder;
  }
  const port = await freePort();
  proc = await startCli(port, dbArg);
  const address = `127.0.0.1:${port}`;
  const taskQueue = 'crash-test';
  const nc = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection: nc, taskQueue, workflowBundle: await workflowBundle(), activities, stickyQueueScheduleToStartTimeout: '1s' });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });

  const N = 20, STEPS = 20;
  const handles = [];
  for (let i = 0; i < N; i++) handles.push(await client.workflow.start(durableSteps, { taskQueue, workflowId: `crash-${i}`, args: [`c${i}`, STEPS], workflowTaskTimeout: '2s' }));

  // wait until about a quarter of the steps have run (however fast this machine is), then note
  // which steps the server has recorded as done, and kill it while the rest are in flight
  const ran = () => [...calls.entries()].filter(([k]) => /^c\d+:/.test(k)).reduce((n, [, v]) => n + v, 0);
  for (let i = 0; i < 600 && ran() < (N * STEPS) / 4; i++) await new Promise((r) => setTimeout(r, 10));
  const recorded = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const history = await client.workflow.getHandle(`crash-${i}`).fetchHistory();
    const scheduled = new Map<number, string>();
    for (const ev of history.events!) {
      const sched = ev.activityTaskScheduledEventAttributes;
      if (sched) scheduled.set(Number(ev.eventId), sched.input!.payloads![0]!.data!.toString());
      const done = ev.activityTaskCompletedEventAttributes;
      if (done) {
        const key = JSON.parse(scheduled.get(Number(done.scheduledEventId))!);
        recorded.set(key, calls.get(key)!);
      }
    }
  }
  proc.kill('SIGKILL');
  await new Promise((r) => proc!.once('exit', r));
  expect(recorded.size).toBeGreaterThan(0);
  expect(recorded.size).toBeLessThan(N * STEPS);

  await new Promise((r) => setTimeout(r, 500));
  proc = await startCli(port, dbArg);

  const results = await Promise.all(handles.map((h) => h.result()));
  for (let i = 0; i < N; i++) expect(results[i]).toBe([...Array(STEPS).keys()].join(','));
  for (const [key, n] of recorded) expect(calls.get(key), `step ${key} ran again after the crash`).toBe(n);
  // every step ran at least once, and its completion is in history exactly once
  for (let i = 0; i < N; i++) {
    const history = await client.workflow.getHandle(`crash-${i}`).fetchHistory();
    const completed = history.events!.filter((e) => e.activityTaskCompletedEventAttributes).length;
    expect(completed).toBe(STEPS);
  }

  worker.shutdown();
  await running;
  await nc.close();
  await connection.close();
});
