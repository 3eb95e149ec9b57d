/**
 * The durable engine behind flows. With TEMPORAL_ADDRESS set, the official SDK talks to that
 * Temporal cluster; without it, Nudge starts temporal-lite (packages/temporal-lite) on the same
 * database, so one machine needs nothing else.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { DbHandle } from '@nudge/db';
import { startTemporalLite, type TemporalLite } from '@nudge/temporal-lite';
import { setting } from '../config.js';

export interface TemporalEngine {
  /** host:port of the Temporal frontend (the cluster's, or temporal-lite's). */
  address: string;
  namespace: string;
  /** The client, on the Rust core's connection (`connection`), which it shares with one worker. */
  client: Client;
  connection: NativeConnection;
  /** Present when Nudge runs its embedded temporal-lite (tests use it to hold and move time). */
  lite?: TemporalLite;
  /** A new connection of its own (close it yourself). */
  nativeConnection(): Promise<NativeConnection>;
  /**
   * The connection for a worker: the client's own while no other worker holds it — a workflow the
   * client starts then comes back with its first workflow task in the start answer (eager workflow
   * start: no poll round trip), which the core hands to that worker — else a new one. `release`
   * when the worker has stopped (it closes a connection of its own, keeps the client's).
   */
  workerConnection(): Promise<{ connection: NativeConnection; release(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface TemporalEngineOptions {
  db: DbHandle;
  /** A cluster address; defaults to TEMPORAL_ADDRESS. Without one, temporal-lite starts. */
  address?: string;
  namespace?: string;
  /** temporal-lite only: skip time when nothing is pending (tests, test runs). */
  timeSkipping?: boolean;
  /** temporal-lite only: the port to listen on (default: TEMPORAL_LITE_PORT or a free one). */
  port?: number;
  /** A temporal-lite the caller started and stops itself, at `address` (tests). */
  lite?: TemporalLite;
  log?: (msg: string) => void;
}

let runtimeInstalled = false;
/** The SDK's runtime logs through our logger, warnings and up only. Installed once per process. */
export function installTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(setting('TEMPORAL_LOG_LEVEL')),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
    });
  } catch {
    /* a runtime was installed already (tests) */
  }
}

export async function startTemporalEngine(options: TemporalEngineOptions): Promise<TemporalEngine> {
  installTemporalRuntime();
  const namespace = options.namespace ?? setting('TEMPORAL_NAMESPACE');
  const external = options.address ?? setting('TEMPORAL_ADDRESS');
  let lite: TemporalLite | undefined;
  let address: string;
  if (options.lite) {
    lite = options.lite;
    address = options.lite.address;
  } else if (external) {
    address = external;
  } else {
    const port = options.port ?? setting('TEMPORAL_LITE_PORT');
    lite = await startTemporalLite({ db: options.db, port, timeSkipping: options.timeSkipping, log: options.log });
    address = lite.address;
  }
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address });
  } catch (err) {
    if (!options.lite) await lite?.stop();
    throw new Error(`Cannot reach Temporal at ${address}${external ? ' (TEMPORAL_ADDRESS)' : ''}: ${(err as Error).message}`, { cause: err });
  }
  if (!lite) {
    // a real cluster creates no namespace on first use (temporal-lite accepts any name)
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      await connection.close().catch(() => {});
      const code = (err as { code?: number }).code;
      throw new Error(code === 5
        ? `Temporal namespace "${namespace}" does not exist at ${address}: create it (\`temporal operator namespace create --namespace ${namespace}\`) or set TEMPORAL_NAMESPACE`
        : `Cannot reach Temporal at ${address}: ${(err as Error).message}`, { cause: err });
    }
  }
  const client = new Client({ connection, namespace });
  const natives: NativeConnection[] = [];
  let sharedTaken = false;
  return {
    address,
    namespace,
    client,
    connection,
    lite,
    async nativeConnection() {
      const nc = await NativeConnection.connect({ address });
      natives.push(nc);
      return nc;
    },
    async workerConnection() {
      if (!sharedTaken) {
        sharedTaken = true;
        let released = false;
        return {
          connection,
          release: async () => {
            if (released) return;
            released = true;
            sharedTaken = false;
          },
        };
      }
      const nc = await NativeConnection.connect({ address });
      return { connection: nc, release: () => nc.close().catch(() => {}) };
    },
    async stop() {
      await connection.close().catch(() => {});
      for (const nc of natives) await nc.close().catch(() => {});
      if (!options.lite) await lite?.stop();
    },
  };
}
