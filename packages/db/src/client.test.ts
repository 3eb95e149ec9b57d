import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, isPostgresUrl } from './client.js';
import { migrate, migrationsFolder } from './migrate.js';
import { createTestDb, testDriver } from './testing.js';

describe('createTestDb', () => {
  const dbs: Awaited<ReturnType<typeof createTestDb>>[] = [];
  afterAll(async () => { for (const d of dbs) await d.cleanup(); });

  it('gives each suite its own clean, migrated database on the chosen driver', async () => {
    const a = await createTestDb();
    const b = await createTestDb();
    dbs.push(a, b);
    expect(a.driver).toBe(testDriver());
    await a.sql.query(`INSERT INTO settings (key, value) VALUES ($1, $2)`, ['k', 'only in a']);
    expect(await a.sql.query(`SELECT value FROM settings WHERE key = 'k'`)).toEqual([{ value: 'only in a' }]);
    expect(await b.sql.query(`SELECT value FROM settings WHERE key = 'k'`)).toEqual([]);
    const tables = await a.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['settings', 'customers', 'flows', 'flow_runs']));
  });

  it('clones a template holding every migration, the same as migrating a fresh database', async () => {
    const cloned = await createTestDb();
    const fresh = await createTestDb({ migrate: false });
    dbs.push(cloned, fresh);
    await migrate(fresh);
    const applied = (d: typeof cloned) => d.sql.query(`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id`);
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect((await applied(cloned)).length).toBe(journal.entries.length);
    expect(await applied(cloned)).toEqual(await applied(fresh));
    const columns = (d: typeof cloned) => d.sql.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`);
    expect(await columns(cloned)).toEqual(await columns(fresh));
  });

  it('commits a transaction as a whole and rolls it back on error', async () => {
    const db = await createTestDb();
    dbs.push(db);
    await db.sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO settings (key, value) VALUES ('t1', 'x')`);
      await tx.query(`INSERT INTO settings (key, value) VALUES ('t2', 'y')`);
    });
    await expect(db.sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO settings (key, value) VALUES ('t3', 'z')`);
      await tx.query(`INSERT INTO settings (key, value) VALUES ('t1', 'duplicate key')`);
    })).rejects.toThrow();
    const keys = await db.sql.query<{ key: string }>(`SELECT key FROM settings WHERE key LIKE 't%' ORDER BY key`);
    expect(keys.map((k) => k.key)).toEqual(['t1', 't2']);
  });

  it('round-trips bytea, jsonb and parameters the same way on both drivers', async () => {
    const db = await createTestDb({ migrate: false });
    dbs.push(db);
    const rows = await db.sql.query<{ b: Uint8Array; j: unknown; n: number }>(
      `SELECT $1::bytea AS b, $2::jsonb AS j, $3::int AS n`, [Buffer.from([1, 2, 255]), JSON.stringify({ 張: [1, 'a'] }), 42]);
    expect([...rows[0]!.b]).toEqual([1, 2, 255]);
    expect(rows[0]!.j).toEqual({ 張: [1, 'a'] });
    expect(rows[0]!.n).toBe(42);
  });
});

describe('createDb', () => {
  it('keeps PGlite data in a folder across restarts, and migrating twice is harmless', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nudge-db-'));
    try {
      const first = await createDb({ url: folder });
      expect(first.driver).toBe('pglite');
      await migrate(first);
      await first.sql.query(`INSERT INTO settings (key, value) VALUES ('kept', 'yes')`);
      await first.close();
      const second = await createDb({ url: folder });
      await migrate(second);
      expect(await second.sql.query(`SELECT value FROM settings WHERE key = 'kept'`)).toEqual([{ value: 'yes' }]);
      await second.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 180_000); // three PGlite starts: the new folder is created in a thread, then opened twice

  it('says clearly when a PostgreSQL server cannot be reached, hiding the password', async () => {
    await expect(createDb({ url: 'postgres://nudge:secret@127.0.0.1:1/nowhere' })).rejects.toThrow(/Cannot connect to PostgreSQL at postgres:\/\/nudge:\*\*\*@127\.0\.0\.1:1\/nowhere/);
  });

  it('tells postgres URLs from folders', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('.data/nudge')).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });
});
