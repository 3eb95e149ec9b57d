/** Test harness: temporal-lite on a clean database + the official SDK client and worker. */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString, type WorkflowBundle } from '@temporalio/worker';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import { startTemporalLite, type TemporalLite, type TemporalLiteOptions } from '../src/index.js';
import * as activities from './activities.js';

let runtimeInstalled = false;
export function installRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
    });
  } catch {
    /* already installed */
  }
}

let bundle: Promise<WorkflowBundle> | undefined;
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    logger: new DefaultLogger('ERROR'),
  });
  return bundle;
}

export interface Harness {
  db: TestDb;
  server: TemporalLite;
  client: Client;
  connection: Connection;
  taskQueue: string;
  startWorker(opts?: { taskQueue?: string; maxCachedWorkflows?: number }): Promise<{ worker: Worker; stop: () => Promise<void> }>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(opts: TemporalLiteOptions = {}): Promise<Harness> {
  installRuntime();
  const db = await createTestDb({ migrate: false });
  let server = await startTemporalLite({ ...opts, db, port: 0 });
  const port = server.port;
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = `tq-${Math.random().toString(36).slice(2)}`;
  const workers: { stop: () => Promise<void> }[] = [];
  const h: Harness = {
    db, server, client, connection, taskQueue,
    async startWorker(o = {}) {
      const nc = await NativeConnection.connect({ address: h.server.address });
      const worker = await Worker.create({
        connection: nc, taskQueue: o.taskQueue ?? taskQueue, workflowBundle: await workflowBundle(), activities,
        maxCachedWorkflows: o.maxCachedWorkflows ?? 100, stickyQueueScheduleToStartTimeout: '1s',
      });
      const running = worker.run();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => {});
        await nc.close().catch(() => {});
      };
      workers.push({ stop });
      return { worker, stop };
    },
    async restartServer() {
      await h.server.stop();
      server = await startTemporalLite({ ...opts, db, port });
      h.server = server;
    },
    async close() {
      for (const w of workers) await w.stop();
      await connection.close().catch(() => {});
      await h.server.stop();
      await db.cleanup();
    },
  };
  return h;
}
