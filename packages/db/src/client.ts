/**
 * One factory, two drivers: PGlite (embedded WASM Postgres, data in a local folder) by default,
 * postgres.js when a postgres:// URL is given (DATABASE_URL in production and CI).
 *
 * Besides the drizzle instance, every handle exposes `sql`: a minimal raw SQL client with the same
 * behaviour on both drivers. Hot paths that do not want an ORM (temporal-lite's storage) use it.
 */
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
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

/** The rows of `db.execute(sql…)`: PGlite's drizzle answers `{ rows }`, postgres.js's the row array itself. */
export function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[];
}

export type DriverName = 'pglite' | 'postgres';

export type NudgeDatabase = ReturnType<typeof drizzlePglite<typeof schema>>;

export interface DbHandle {
  driver: DriverName;
  /** Where the data lives: a folder, `memory://`, or the postgres URL with its password hidden. */
  location: string;
  db: NudgeDatabase;
  sql: SqlClient;
  /**
   * PostgreSQL only: LISTEN on `channel` over a connection of its own (postgres.js keeps it and
   * re-listens after a reconnect); resolves once listening, with the function that stops it.
   * Absent on PGlite (one process: nothing to hear from).
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * PostgreSQL only: takes the session advisory lock (k1, k2) — `pg_try_advisory_lock(int, int)`
   * — on a connection of its own, held until the returned function is called or this process
   * dies (the server ends a dead client's session, and its locks with it, as soon as the socket
   * closes). Other processes see it in `pg_locks` (this database's, locktype advisory, classid k1, objid k2,
   * objsubid 2): "is the process that took this still alive?". Resolves null when another
   * session holds the key. A dropped connection is noticed within 10 s and the lock taken again.
   */
  sessionLock?(k1: number, k2: number): Promise<(() => Promise<void>) | null>;
  /**
   * Calls `listener` with the text of every statement this handle sends (drizzle's and `sql`'s,
   * BEGIN / COMMIT included); returns the function that removes it. For benchmarks and tests that
   * count statements (bench/webhook.ts). Needs `observeStatements: true` at createDb.
   */
  onStatement(listener: (text: string) => void): () => void;
  close(): Promise<void>;
}

function statementListeners(enabled: boolean) {
  const listeners = new Set<(text: string) => void>();
  return {
    listeners,
    notify(text: string) {
      for (const l of listeners) l(text);
    },
    on(listener: (text: string) => void) {
      if (!enabled) throw new Error('onStatement needs createDb({ observeStatements: true })');
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
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
   * Let `onStatement` listeners see every statement (benchmarks, tests). Off by default: on
   * postgres.js it installs the `debug` hook, which also makes a query error's text and
   * parameters enumerable properties.
   */
  observeStatements?: boolean;
  /**
   * PGlite only: Postgres's `shared_buffers`, its page cache inside the WASM memory (default
   * PGLITE_SHARED_BUFFERS). initdb writes 128MB into postgresql.conf; a server at rest had ~150 MB of
   * it resident. The data folder's files are in the OS page cache anyway, so a smaller cache costs
   * a file read per page it misses, not a disk read.
   */
  sharedBuffers?: string;
  /**
   * `memory://` only: start from this PGlite data folder (a `dumpDataDir()` tarball) instead of a
   * fresh initdb. Tests use it to clone a migrated template (packages/db/src/testing.ts).
   */
  loadDataDir?: Blob;
  /**
   * How often (ms) to ANALYZE the tables that changed enough, as autovacuum does (default
   * PGLITE_AUTO_ANALYZE_MS; 0 = never): always on PGlite, which has no autovacuum; on a PostgreSQL
   * server only when its `autovacuum` setting is off. See autoAnalyze below.
   */
  autoAnalyzeMs?: number;
}

/**
 * 32MB: `pnpm start` at rest keeps ~45 MB of PGlite's WASM memory resident instead of ~150 MB, and
 * a 1-step webhook flow costs the same CPU (bench/webhook.ts, bench/soak.ts).
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

export const PGLITE_AUTO_ANALYZE_MS = 30_000;

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

function hidePassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export async function createDb(options: CreateDbOptions): Promise<DbHandle> {
  const url = options.url;
  if (isPostgresUrl(url)) return createPostgresHandle(url, options.max ?? 10, options.observeStatements ?? false, options.autoAnalyzeMs ?? PGLITE_AUTO_ANALYZE_MS);
  return createPgliteHandle(url, options.sharedBuffers ?? PGLITE_SHARED_BUFFERS, options.observeStatements ?? false, options.loadDataDir, options.autoAnalyzeMs ?? PGLITE_AUTO_ANALYZE_MS);
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

/**
 * PGlite runs no autovacuum, so nothing ANALYZEs its tables and the planner works without
 * statistics: on 100k customers it took a sequential scan over the search's trigram index (147 ms
 * against 6). Every `everyMs` this ANALYZEs the tables autovacuum would (more than 50 + 10 % of
 * their rows changed since the last ANALYZE), and the never-analyzed ones that hold data (their
 * change counters start from zero after a crash). It runs beside the other statements, outside
 * any transaction; its statements are not reported to onStatement listeners.
 * The same on a PostgreSQL server whose autovacuum is off (as on this project's CI machines): a
 * webhook's customer lookup by e-mail took 1.8 ms there against a never-analyzed table, a bitmap
 * AND with a partial index over every customer, where the e-mail index alone finds it at once.
 */
function autoAnalyze(query: (text: string) => Promise<{ rows: { t: string }[] }>, closed: () => boolean, everyMs: number): () => void {
  let busy = false;
  const tick = async () => {
    if (busy || closed()) return;
    busy = true;
    try {
      const { rows } = await query(`select format('%I.%I', s.schemaname, s.relname) as t
        from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) or (c.reltuples < 0 and pg_relation_size(c.oid) > 0)`);
      for (const { t } of rows) {
        if (closed()) break;
        await query(`analyze ${t}`);
      }
    } catch {
      // closed meanwhile, or a table dropped between the two statements: the next tick sees
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function createPgliteHandle(location: string, sharedBuffers: string, observe: boolean, loadDataDir: Blob | undefined, autoAnalyzeMs: number): Promise<DbHandle> {
  if (!/^\d+(kB|MB|GB)$/.test(sharedBuffers)) throw new Error(`shared_buffers must be a size like 32MB, not "${sharedBuffers}"`);
  if (location !== 'memory://' && !existsSync(join(location, 'PG_VERSION'))) await initDataDirInThread(location);
  // pg_trgm: the trigram indexes of the customer search (migrations 0006, 0016, 0024), as on PostgreSQL
  const opts = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`], extensions: { pg_trgm } };
  const pg = location === 'memory://' ? new PGlite({ ...opts, ...(loadDataDir ? { loadDataDir } : {}) }) : new PGlite(location, opts);
  await pg.waitReady;
  const unobserved = pg.query.bind(pg); // taken before observePglite wraps it: its statements are not reported
  const stopAnalyze = autoAnalyzeMs > 0 ? autoAnalyze((text) => unobserved<{ t: string }>(text), () => pg.closed, autoAnalyzeMs) : () => {};
  const counted = statementListeners(observe);
  if (observe) observePglite(pg, counted);
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
    onStatement: counted.on,
    close: async () => {
      stopAnalyze();
      if (!pg.closed) await pg.close();
    },
  };
}

/**
 * Reports every statement of this PGlite instance (its own and drizzle's, which holds the same
 * instance) to `counted` while it has listeners: `query`, `exec` and `transaction` (BEGIN, the
 * transaction's statements, COMMIT / ROLLBACK) are wrapped on the instance.
 */
function observePglite(pg: PGlite, counted: ReturnType<typeof statementListeners>) {
  const { listeners, notify } = counted;
  const query = pg.query.bind(pg);
  const exec = pg.exec.bind(pg);
  const transaction = pg.transaction.bind(pg);
  const countTx = <Q extends Pick<PGlite, 'query' | 'exec'>>(tx: Q): Q => {
    const q = tx.query.bind(tx);
    const e = tx.exec.bind(tx);
    return Object.assign(Object.create(tx) as Q, {
      query: ((text: string, ...rest: unknown[]) => (notify(text), (q as (...a: unknown[]) => unknown)(text, ...rest))) as Q['query'],
      exec: ((text: string, ...rest: unknown[]) => (notify(text), (e as (...a: unknown[]) => unknown)(text, ...rest))) as Q['exec'],
    });
  };
  Object.assign(pg, {
    query: ((text: string, ...rest: unknown[]) => {
      if (listeners.size) notify(text);
      return (query as (...a: unknown[]) => unknown)(text, ...rest);
    }) as PGlite['query'],
    exec: ((text: string, ...rest: unknown[]) => {
      if (listeners.size) notify(text);
      return (exec as (...a: unknown[]) => unknown)(text, ...rest);
    }) as PGlite['exec'],
    transaction: (<T>(fn: (tx: Parameters<Parameters<PGlite['transaction']>[0]>[0]) => Promise<T>) => {
      if (!listeners.size) return transaction(fn);
      notify('BEGIN');
      return transaction((tx) => fn(countTx(tx))).then(
        (v) => (notify('COMMIT'), v),
        (err: unknown) => {
          notify('ROLLBACK');
          throw err;
        },
      );
    }) as PGlite['transaction'],
  });
}

async function createPostgresHandle(url: string, max: number, observe: boolean, autoAnalyzeMs: number): Promise<DbHandle> {
  const counted = statementListeners(observe);
  const client = postgres(url, {
    max,
    onnotice: () => {},
    prepare: true,
    ...(observe ? { debug: (_connection: number, text: string) => counted.listeners.size && counted.notify(text) } : {}),
  });
  const db = drizzlePostgres(client, { schema }) as unknown as NudgeDatabase;
  const wrap = (q: postgres.Sql | postgres.TransactionSql, inTx: boolean): SqlClient => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = [], options?: { prepare?: boolean }) {
      const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[], options?.prepare === undefined ? undefined : { prepare: options.prepare });
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
  let closed = false;
  let stopAnalyze = () => {};
  const [{ autovacuum } = { autovacuum: 'on' }] = await client<{ autovacuum: string }[]>`select current_setting('autovacuum') as autovacuum`;
  if (autovacuum === 'off' && autoAnalyzeMs > 0) {
    // a connection of its own, unseen by onStatement listeners as on PGlite, open only around a
    // tick (closed 2 s after it): no connection more per handle most of the time
    const own = postgres(url, { max: 1, idle_timeout: 2, onnotice: () => {} });
    const stop = autoAnalyze(async (text) => ({ rows: (await own.unsafe(text)) as unknown as { t: string }[] }), () => closed, autoAnalyzeMs);
    stopAnalyze = () => {
      stop();
      void own.end({ timeout: 1 });
    };
  }
  return {
    driver: 'postgres',
    location: hidePassword(url),
    db,
    sql: wrap(client, false),
    async listen(channel: string, onPayload: (payload: string) => void) {
      const { unlisten } = await client.listen(channel, onPayload);
      return unlisten;
    },
    async sessionLock(k1: number, k2: number) {
      // one connection that lives as long as the lock: no idle or lifetime limit closes it
      const own = postgres(url, { max: 1, idle_timeout: 0, max_lifetime: 0, onnotice: () => {} });
      const take = async () => (await own<{ ok: boolean }[]>`select pg_try_advisory_lock(${k1}::int, ${k2}::int) as ok`)[0]?.ok === true;
      let ok = false;
      try {
        ok = await take();
      } finally {
        if (!ok) await own.end({ timeout: 1 });
      }
      if (!ok) return null;
      let ended = false;
      // postgres.js reconnects a dropped connection at its next query, without the lock: take it again
      const check = setInterval(() => {
        own<{ n: number }[]>`select count(*)::int as n from pg_locks where pid = pg_backend_pid() and locktype = 'advisory' and classid = ${k1}::int::oid and objid = ${k2}::int::oid and objsubid = 2`
          .then(async ([row]) => {
            if (!ended && !row?.n && !(await take())) console.error(`[db] session lock (${k1}, ${k2}) lost and now held by another session`);
          })
          .catch((err: unknown) => console.error(`[db] session lock (${k1}, ${k2}) could not be checked:`, (err as Error).message));
      }, 10_000);
      check.unref();
      return async () => {
        ended = true;
        clearInterval(check);
        await own.end({ timeout: 1 });
      };
    },
    onStatement: counted.on,
    close: () => {
      closed = true;
      stopAnalyze();
      return client.end({ timeout: 5 });
    },
  };
}
