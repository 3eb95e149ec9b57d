/**
 * A clean database per test suite, on the driver the environment picks:
 * DATABASE_URL set → a fresh database created on that server (dropped on cleanup);
 * otherwise → an in-memory PGlite instance.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, isPostgresUrl, type DbHandle } from './client.js';
import { migrate } from './migrate.js';

export interface TestDb extends DbHandle {
  /** The URL a second process can open the same database with (postgres only; PGlite is in-memory). */
  url: string;
  cleanup(): Promise<void>;
}

export const testDriver = (): 'pglite' | 'postgres' =>
  isPostgresUrl(process.env.DATABASE_URL) ? 'postgres' : 'pglite';

export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  let handle: DbHandle;
  let url = 'memory://';
  let drop: () => Promise<void> = async () => {};
  if (isPostgresUrl(base)) {
    const name = `nudge_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    handle = await createDb({ url });
    drop = async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  } else {
    handle = await createDb({ url: 'memory://' });
  }
  if (options.migrate !== false) await migrate(handle);
  return {
    ...handle,
    url,
    cleanup: async () => {
      await handle.close();
      await drop();
    },
  };
}
