/**
 * temporal-lite: a single-process server that speaks Temporal's gRPC API to the official SDK's
 * worker and client and keeps its state in Postgres (PGlite or a server). See README.md.
 */
import { Worker } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import { createDb, type DbHandle } from '@nudge/db';
import { Engine, type EngineOptions } from './engine.js';
import { createGrpcServer } from './server.js';
import { Store } from './store.js';
import { Scheduler } from './schedules.js';

export interface TemporalLiteOptions extends EngineOptions {
  /** A database handle from @nudge/db; or `dbUrl` (folder, memory://, postgres://…; default memory://). */
  db?: DbHandle;
  dbUrl?: string;
  /** Port to listen on (0 = any free port). Default 7233. */
  port?: number;
  host?: string;
  /**
   * Run the server in a worker thread of this process, with its own connection to `dbUrl`
   * (a folder, memory:// or postgres://), so it has its own event loop and core. Time controls
   * then go through messages: use `sleep`'s promise, or Temporal's TestService RPCs.
   */
  thread?: boolean;
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

export interface ThreadedTemporalLite extends Omit<TemporalLite, 'engine'> {
  /** The engine's counters (commits, rows, eager activities, sticky/normal tasks). */
  stats(): Promise<Record<string, number>>;
}

export async function startTemporalLite(options: TemporalLiteOptions & { thread: true }): Promise<ThreadedTemporalLite>;
export async function startTemporalLite(options?: TemporalLiteOptions): Promise<TemporalLite>;
export async function startTemporalLite(options: TemporalLiteOptions = {}): Promise<TemporalLite | ThreadedTemporalLite> {
  if (options.thread) return startInThread(options);
  const ownDb = !options.db;
  const db = options.db ?? (await createDb({ url: options.dbUrl ?? 'memory://' }));
  const engine = new Engine(new Store(db.sql), options);
  const scheduler = new Scheduler(engine, db.sql);
  await engine.start();
  await scheduler.start();
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
      scheduler.stop();
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

async function startInThread(options: TemporalLiteOptions): Promise<ThreadedTemporalLite> {
  if (options.db) throw new Error('startTemporalLite({ thread: true }) opens its own connection: give dbUrl, not db');
  const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), {
    workerData: { dbUrl: options.dbUrl ?? 'memory://', port: options.port ?? 7233, host: options.host, timeSkipping: options.timeSkipping, initialTimeLock: options.initialTimeLock },
  });
  const ready = await new Promise<{ address: string; port: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { type: string; address: string; port: number }) => (m.type === 'ready' ? resolve(m) : reject(new Error(`temporal-lite thread: unexpected ${m.type}`))));
  });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: { type: string; id: number; value?: unknown; error?: string }) => {
    if (m.type !== 'reply') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m.value);
  });
  const call = <T>(op: string, extra: Record<string, unknown> = {}) => new Promise<T>((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ id, op, ...extra });
  });
  let lastNow = Date.now();
  return {
    address: ready.address,
    port: ready.port,
    lockTimeSkipping: () => void call('lock'),
    unlockTimeSkipping: () => void call('unlock'),
    sleep: (ms: number) => call<void>('sleep', { ms }),
    /** the thread's clock as of the last answer (asynchronous in thread mode) */
    now: () => { void call<number>('now').then((n) => { lastNow = n; }); return lastNow; },
    stats: () => call<Record<string, number>>('stats'),
    async stop() {
      await call('stop').catch(() => {});
      await worker.terminate();
    },
  };
}
