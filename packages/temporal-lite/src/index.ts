/**
 * temporal-lite: a single-process server that speaks Temporal's gRPC API to the official SDK's
 * worker and client and keeps its state in Postgres (PGlite or a server). See README.md.
 */
import * as grpc from '@grpc/grpc-js';
import { createDb, type DbHandle } from '@nudge/db';
import { Engine, type EngineOptions } from './engine.js';
import { createGrpcServer } from './server.js';
import { Store } from './store.js';

export interface TemporalLiteOptions extends EngineOptions {
  /** A database handle from @nudge/db; or `dbUrl` (folder, memory://, postgres://…). */
  db?: DbHandle;
  dbUrl?: string;
  /** Port to listen on (0 = any free port). Default 7233. */
  port?: number;
  host?: string;
}

export interface TemporalLite {
  /** host:port for the SDK's Connection / NativeConnection. */
  address: string;
  port: number;
  engine: Engine;
  /** Time skipping controls (only meaningful with `timeSkipping: true` for automatic skipping). */
  lockTimeSkipping(): void;
  unlockTimeSkipping(): void;
  /** Advance temporal-lite's clock by ms, firing due timers in order. */
  sleep(ms: number): Promise<void>;
  now(): number;
  stop(): Promise<void>;
}

export async function startTemporalLite(options: TemporalLiteOptions = {}): Promise<TemporalLite> {
  const ownDb = !options.db;
  const db = options.db ?? (await createDb({ url: options.dbUrl }));
  const engine = new Engine(new Store(db.sql), options);
  await engine.start();
  const server = createGrpcServer(engine);
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 7233}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  let stopped = false;
  return {
    address: `${host}:${port}`,
    port,
    engine,
    lockTimeSkipping: () => engine.lockTimeSkipping(),
    unlockTimeSkipping: () => engine.unlockTimeSkipping(),
    sleep: (ms) => engine.sleep(ms),
    now: () => engine.now(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await engine.stop();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
        server.tryShutdown(() => { clearTimeout(t); resolve(); });
      });
      if (ownDb) await db.close();
    },
  };
}

export { Engine } from './engine.js';
export { compileListQuery } from './visibility.js';
