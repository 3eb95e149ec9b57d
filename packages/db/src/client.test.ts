import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
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

describe('onStatement', () => {
  it('reports every statement, drizzle\'s and sql\'s, BEGIN and COMMIT included, and only when asked to', async () => {
    // the same database as a test database on the chosen driver (PGlite: a fresh one in memory)
    const base = await createTestDb({ migrate: true });
    const db = await createDb({ url: base.url, observeStatements: true });
    try {
      if (db.driver === 'pglite') await migrate(db);
      const seen: string[] = [];
      const off = db.onStatement((text) => seen.push(text.trim().toLowerCase()));
      await db.sql.query(`SELECT 1 AS one`);
      await db.db.query.settings.findMany();
      await db.sql.transaction(async (tx) => {
        await tx.query(`SELECT 2 AS two`);
      });
      await db.db.transaction(async (tx) => {
        await tx.query.settings.findFirst();
      });
      off();
      await db.sql.query(`SELECT 3 AS three`);
      expect(seen[0]).toBe('select 1 as one');
      expect(seen[1]).toMatch(/from "settings"/);
      expect(seen.slice(2, 5)).toEqual([expect.stringMatching(/^begin/), 'select 2 as two', 'commit']);
      expect(seen[5]).toMatch(/^begin/);
      expect(seen[6]).toMatch(/from "settings"/);
      expect(seen[7]).toBe('commit');
      expect(seen).toHaveLength(8);
    } finally {
      await db.close();
      await base.cleanup();
    }
    const plain = await createTestDb();
    expect(() => plain.onStatement(() => {})).toThrow(/observeStatements/);
    await plain.cleanup();
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

describe("PGlite's page cache", () => {
  // initdb writes shared_buffers = 128MB into postgresql.conf; at rest ~150 MB of it stayed resident
  it('runs with a 32MB shared_buffers by default and takes another size, refusing a malformed one', async () => {
    const byDefault = await createDb({ url: 'memory://' });
    const larger = await createDb({ url: 'memory://', sharedBuffers: '48MB' });
    try {
      expect(await byDefault.sql.query(`SHOW shared_buffers`)).toEqual([{ shared_buffers: '32MB' }]);
      expect(await larger.sql.query(`SHOW shared_buffers`)).toEqual([{ shared_buffers: '48MB' }]);
    } finally {
      await byDefault.close();
      await larger.close();
    }
    await expect(createDb({ url: 'memory://', sharedBuffers: '32 MB; drop' })).rejects.toThrow(/shared_buffers must be a size like 32MB/);
  }, 60_000);
});

describe("PGlite's planner statistics (PGlite runs no autovacuum)", () => {
  // a backend reports its change counts at most once a second: forced here before they are read
  const stats = async (db: Awaited<ReturnType<typeof createDb>>) => {
    await db.sql.query(`SELECT pg_stat_force_next_flush()`);
    const [row] = await db.sql.query<{ reltuples: number; analyzed: boolean; mod: number }>(
      `SELECT c.reltuples::int AS reltuples, s.last_analyze IS NOT NULL AS analyzed, s.n_mod_since_analyze::int AS mod
       FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'things'`,
    );
    return row!;
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('ANALYZEs a table once enough of it changed (50 + 10 % of its rows), unseen by statement listeners', async () => {
    const db = await createDb({ url: 'memory://', autoAnalyzeMs: 20, observeStatements: true });
    const seen: string[] = [];
    db.onStatement((t) => seen.push(t));
    try {
      await db.sql.query(`CREATE TABLE things (id int, label text)`);
      await db.sql.query(`INSERT INTO things SELECT g, 'thing ' || g FROM generate_series(1, 1000) g`);
      await until('the first ANALYZE', async () => (await stats(db)).analyzed);
      expect(await stats(db)).toMatchObject({ reltuples: 1000, mod: 0 });
      // 100 changed rows of 1000 is under the threshold of 150: no ANALYZE for them
      await db.sql.query(`UPDATE things SET label = 'changed' WHERE id <= 100`);
      await new Promise((r) => setTimeout(r, 200));
      expect((await stats(db)).mod).toBe(100);
      await db.sql.query(`INSERT INTO things SELECT g, 'more' FROM generate_series(1001, 2000) g`);
      await until('the second ANALYZE', async () => (await stats(db)).reltuples === 2000);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.some((t) => /^\s*analyze\b/i.test(t) || t.includes('50 + 0.1'))).toBe(false); // the test's own reads are seen
    } finally {
      await db.close();
    }
  }, 60_000);

  it('never ANALYZEs with autoAnalyzeMs: 0', async () => {
    const db = await createDb({ url: 'memory://', autoAnalyzeMs: 0 });
    try {
      await db.sql.query(`CREATE TABLE things (id int)`);
      await db.sql.query(`INSERT INTO things SELECT g FROM generate_series(1, 1000) g`);
      await new Promise((r) => setTimeout(r, 300));
      expect(await stats(db)).toMatchObject({ reltuples: -1, analyzed: false, mod: 1000 });
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe.runIf(testDriver() === 'postgres')('sessionLock (PostgreSQL)', () => {
  it('holds the advisory lock on a connection of its own until released; another session gets null meanwhile', async () => {
    const t = await createTestDb();
    try {
      const key = 1 + Math.floor(Math.random() * 1e9);
      const release = await t.sessionLock!(77, key);
      expect(release).not.toBeNull();
      expect(await t.sessionLock!(77, key)).toBeNull(); // a second session (its own connection) cannot take it
      const seen = async () => (await t.sql.query<{ n: number }>(`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = 77 and objid = $1::int::oid and objsubid = 2 and granted`, [key]))[0]!.n;
      expect(await seen()).toBe(1);
      await release!();
      expect(await seen()).toBe(0);
      const again = await t.sessionLock!(77, key);
      expect(again).not.toBeNull();
      await again!();
    } finally {
      await t.cleanup();
    }
  });
});

describe.runIf(testDriver() === 'postgres')('a PostgreSQL server\'s planner statistics', () => {
  it('are kept by Nudge (ANALYZE of the changed tables, unseen by statement listeners) only when the server\'s autovacuum is off', async () => {
    const base = process.env.DATABASE_URL!;
    const name = `nudge_analyze_${Date.now().toString(36)}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    const db = await createDb({ url: u.toString(), autoAnalyzeMs: 50, observeStatements: true });
    const seen: string[] = [];
    db.onStatement((t) => seen.push(t));
    try {
      const [{ autovacuum } = { autovacuum: '' }] = await db.sql.query<{ autovacuum: string }>(`SELECT current_setting('autovacuum') AS autovacuum`);
      await db.sql.query(`CREATE TABLE things (id int, label text)`);
      await db.sql.query(`INSERT INTO things SELECT g, 'thing ' || g FROM generate_series(1, 1000) g`);
      const analyzed = async () => {
        await db.sql.query(`SELECT pg_stat_force_next_flush()`);
        const [row] = await db.sql.query<{ n: boolean }>(`SELECT last_analyze IS NOT NULL AS n FROM pg_stat_user_tables WHERE relname = 'things'`);
        return row!.n;
      };
      if (autovacuum === 'off') {
        let done = false;
        for (let i = 0; i < 200 && !done; i++) {
          done = await analyzed();
          if (!done) await new Promise((r) => setTimeout(r, 25));
        }
        expect(done).toBe(true);
        const [row] = await db.sql.query<{ reltuples: number }>(`SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'things'`);
        expect(row!.reltuples).toBe(1000);
        expect(seen.some((t) => /^\s*analyze\b/i.test(t) || t.includes('50 + 0.1'))).toBe(false);
      } else {
        // the server's autovacuum does it (last_autoanalyze); Nudge leaves it alone
        await new Promise((r) => setTimeout(r, 300));
        expect(await analyzed()).toBe(false);
      }
    } finally {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, 60_000);
});
