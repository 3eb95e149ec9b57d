/**
 * Test harness: a Temporal server + the official SDK client and worker. The server is temporal-lite
 * on a clean database by default; `NUDGE_TEST_TEMPORAL=dev|timeskip` runs the same tests on the
 * real CLI dev server or the Java time-skipping test server (src/testing.ts).
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString, type WorkflowBundle } from '@temporalio/worker';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import { startTemporalLite, type TemporalLite, type TemporalLiteOptions } from '../src/index.js';
import { startTestTemporal, testTemporalKind, type TestTemporal } from '../src/testing.js';
import * as activities from './activities.js';

/**
 * A TCP port on 127.0.0.1 that nothing listens on now, chosen by the kernel — for a server the
 * test starts in a child process and starts again on the same port after killing it. (A port
 * picked at random from a small range collided when CI ran the PGlite and PostgreSQL passes side
 * by side: both ran this test at the same moment.)
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

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

export const kind = testTemporalKind();
/** Which server the suite runs on; tests of one server's own features say so with these. */
export const onLite = kind === 'lite';
export const canSkipTime = kind !== 'dev';
/** The Java test server keeps no visibility store: no List/Count/Scan with a query. */
export const hasVisibility = kind !== 'timeskip';
/**
 * Where the Java test server itself answers differently from the real server (the dev server, and
 * temporal-lite, follow the real one): tests of those behaviours run on lite and dev only.
 */
export const realServerSemantics = kind !== 'timeskip';

export interface Harness {
  db: TestDb;
  /** the server the suite runs on, with clock controls (lock/unlock/sleep/now) */
  temporal: TestTemporal;
  /** temporal-lite itself (lite only) */
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
  const { timeSkipping, ...liteOptions } = opts;
  const temporal = await startTestTemporal({ db, timeSkipping: timeSkipping ?? false, lite: liteOptions });
  let server = temporal.lite as TemporalLite;
  const port = server?.port;
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const taskQueue = `tq-${Math.random().toString(36).slice(2)}`;
  const workers: { stop: () => Promise<void> }[] = [];
  const h: Harness = {
    db, temporal, server, client, connection, taskQueue,
    async startWorker(o = {}) {
      const nc = await NativeConnection.connect({ address: h.temporal.address });
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
      if (!onLite) throw new Error('restartServer: temporal-lite only');
      await h.server.stop();
      server = await startTemporalLite({ ...opts, db, port });
      h.server = server;
    },
    async close() {
      for (const w of workers) await w.stop();
      await connection.close().catch(() => {});
      if (onLite) await h.server.stop();
      else await temporal.stop();
      await db.cleanup();
    },
  };
  return h;
}
