/**
 * One factory, two drivers: PGlite (embedded WASM Postgres, data in a local folder) by default,
 * postgres.js when a postgres:// URL is given (DATABASE_URL in production and CI).
 *
 * Besides the drizzle instance, every handle exposes `sql`: a minimal raw SQL client with the same
 * behaviour on both drivers. Hot paths that do not want an ORM (temporal-lite's storage) use it.
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as schema from './schema/index.js';

export type Row = Record<string, unknown>;

export interface SqlClient {
  /**
   * Runs one parameterised statement ($1, $2…) and returns its rows. `prepare: false` for
   * statements whose text varies (generated VALUES lists), so the driver does not cache each one.
   */
  query<T extends Row = Row>(text: string, params?: readonly unknown[], options?: { prepare?: boolean }): Promise<T[]>;
  /** Runs a script of several statements without parameters. */
  exec(text: string): Promise<void>;
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

export type DriverName = 'pglite' | 'postgres';

export type NudgeDatabase = ReturnType<typeof drizzlePglite<typeof schema>>;

export interface DbHandle {
  driver: DriverName;
  /** Where the data lives: a folder, `memory://`, or the postgres URL with its password hidden. */
  location: string;
  db: NudgeDatabase;
  sql: SqlClient;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /**
   * A postgres:// URL, a folder for PGlite, or `memory://` for a throw-away PGlite database. The
   * caller reads it from its configuration (the server: DATABASE_URL / NUDGE_DATA_DIR, config.ts).
   */
  url: string;
  /** Connections in the postgres.js pool (default 10). */
  max?: number;
  /**
   * `memory://` only: start from this PGlite data folder (a `dumpDataDir()` tarball) instead of a
   * fresh initdb. Tests use it to clone a migrated template (packages/db/src/testing.ts).
   */
  loadDataDir?: Blob;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

function hidePassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export async function createDb(options: CreateDbOptions): Promise<DbHandle> {
  const url = options.url;
  if (isPostgresUrl(url)) return createPostgresHandle(url, options.max ?? 10);
  return createPgliteHandle(url, options.loadDataDir);
}

/**
 * PGlite creates a new database (initdb) in a second WASM instance whose memory stays reachable
 * after it is done: a first start in the process keeps ~400 MB more resident than a later one
 * (`pnpm bench finished-runs-memory`, bench/lib/memory.ts). So a new data folder is created in a
 * short-lived worker thread; ending the thread frees its memory, and this process opens the folder
 * like any later start does.
 */
async function initDataDirInThread(location: string): Promise<void> {
  const code = `const { workerData, parentPort } = require('node:worker_threads');
import(workerData.pglite).then(async ({ PGlite }) => { const pg = new PGlite(workerData.location); await pg.waitReady; await pg.close(); parentPort.postMessage('ok'); })
  .catch((err) => parentPort.postMessage(String(err && err.stack || err)));`;
  const worker = new Worker(code, { eval: true, workerData: { location, pglite: import.meta.resolve('@electric-sql/pglite') } });
  try {
    const answer = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (c) => reject(new Error(`PGlite init thread exited with ${c}`)));
    });
    if (answer !== 'ok') throw new Error(`Could not create the PGlite database in ${location}: ${String(answer)}`);
  } finally {
    await worker.terminate();
  }
}

async function createPgliteHandle(location: string, loadDataDir?: Blob): Promise<DbHandle> {
  if (location !== 'memory://' && !existsSync(join(location, 'PG_VERSION'))) await initDataDirInThread(location);
  const pg = location === 'memory://' ? new PGlite(loadDataDir ? { loadDataDir } : {}) : new PGlite(location);
  await pg.waitReady;
  const db = drizzlePglite(pg, { schema });
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>, inTx: boolean): SqlClient => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      const res = await q.query<T>(text, params as unknown[]);
      return res.rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      if (inTx) return fn(wrap(q, true));
      return pg.transaction((tx) => fn(wrap(tx, true)));
    },
  });
  return {
    driver: 'pglite',
    location,
    db,
    sql: wrap(pg, false),
    close: async () => {
      if (!pg.closed) await pg.close();
    },
  };
}

async function createPostgresHandle(url: string, max: number): Promise<DbHandle> {
  const client = postgres(url, { max, onnotice: () => {}, prepare: true });
  const db = drizzlePostgres(client, { schema }) as unknown as NudgeDatabase;
  const wrap = (q: postgres.Sql | postgres.TransactionSql, inTx: boolean): SqlClient => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = [], options?: { prepare?: boolean }) {
      const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[], options?.prepare === false ? { prepare: false } : undefined);
      return rows as unknown as T[];
    },
    async exec(text: string) {
      await q.unsafe(text);
    },
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      if (inTx) return fn(wrap(q, true));
      return (client.begin((tx) => fn(wrap(tx, true))) as Promise<T>);
    },
  });
  // Fail fast with a clear message when the server is not reachable.
  try {
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 1 });
    throw new Error(`Cannot connect to PostgreSQL at ${hidePassword(url)}: ${(err as Error).message}`, { cause: err });
  }
  return {
    driver: 'postgres',
    location: hidePassword(url),
    db,
    sql: wrap(client, false),
    close: () => client.end({ timeout: 5 }),
  };
}
