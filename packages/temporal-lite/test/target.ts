/**
 * The server a schedule test runs against, chosen by NUDGE_TEST_TEMPORAL: unset or `lite` =
 * temporal-lite on a fresh test database (both drivers), `dev` = the real Temporal CLI dev server
 * (`temporal server start-dev --headless`, spawned per suite; TEMPORAL_CLI overrides the binary).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import { startTemporalLite, type TemporalLite, type TemporalLiteOptions } from '../src/index.js';
import { installRuntime, workflowBundle } from './harness.js';
import * as activities from './activities.js';

export const targetKind = (process.env.NUDGE_TEST_TEMPORAL ?? 'lite') as 'lite' | 'dev';
export const onDev = targetKind === 'dev';
const CLI = process.env.TEMPORAL_CLI ?? '/root/.pyenv/versions/3.11.7/bin/temporal';

export interface Target {
  kind: 'lite' | 'dev';
  address: string;
  client: Client;
  connection: Connection;
  /** temporal-lite only */
  lite?: TemporalLite;
  db?: TestDb;
  startWorker(taskQueue: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

async function spawnDev(): Promise<{ address: string; proc: ChildProcess }> {
  for (let attempt = 0; ; attempt++) {
    const base = 17310 + Math.floor(Math.random() * 22) * 4;
    const proc = spawn(CLI, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(base), '--ui-port', String(base + 1),
      '--http-port', String(base + 2), '--metrics-port', String(base + 3), '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    proc.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    const address = `127.0.0.1:${base}`;
    const ok = await new Promise<boolean>((resolve) => {
      const until = Date.now() + 60_000;
      const tick = async () => {
        if (proc.exitCode !== null) return resolve(false);
        try {
          const c = await Connection.connect({ address, connectTimeout: 1000 });
          await c.workflowService.getSystemInfo({});
          await c.close();
          return resolve(true);
        } catch {
          if (Date.now() > until) return resolve(false);
          setTimeout(tick, 300);
        }
      };
      void tick();
    });
    if (ok) return { address, proc };
    proc.kill('SIGKILL');
    if (attempt >= 3) throw new Error(`temporal dev server did not start: ${out}`);
  }
}

export async function createTarget(opts: TemporalLiteOptions = {}): Promise<Target> {
  installRuntime();
  let address: string;
  let lite: TemporalLite | undefined;
  let db: TestDb | undefined;
  let proc: ChildProcess | undefined;
  if (onDev) ({ address, proc } = await spawnDev());
  else {
    db = await createTestDb({ migrate: false });
    lite = await startTemporalLite({ ...opts, db, port: 0 });
    address = lite.address;
  }
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const stops: (() => Promise<void>)[] = [];
  return {
    kind: targetKind, address, client, connection, lite, db,
    async startWorker(taskQueue) {
      const nc = await NativeConnection.connect({ address });
      const worker = await Worker.create({ connection: nc, taskQueue, workflowBundle: await workflowBundle(), activities });
      const running = worker.run();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => {});
        await nc.close().catch(() => {});
      };
      stops.push(stop);
      return stop;
    },
    async close() {
      for (const s of stops) await s();
      await connection.close().catch(() => {});
      await lite?.stop();
      await db?.cleanup();
      proc?.kill('SIGKILL');
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
