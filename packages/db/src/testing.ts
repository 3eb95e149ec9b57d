/**
 * A clean database per test suite, on the driver the environment picks:
 * DATABASE_URL set → a fresh database created on that server (dropped on cleanup);
 * otherwise → an in-memory PGlite instance.
 *
 * Either way the database is a copy of a template made once (per migration set and PGlite build)
 * rather than an initdb + every migration per suite: a PGlite initdb costs seconds of CPU, so a
 * migrated PGlite data folder is kept as a tarball under the OS temp folder and loaded
 * (`loadDataDir`), and on PostgreSQL the database is `CREATE DATABASE … TEMPLATE` a migrated one.
 * The copy is byte-for-byte what initdb + migrate produced, so tests see the same database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createDb, isPostgresUrl, type DbHandle } from './client.js';
import { migrate, migrationsFolder } from './migrate.js';

export interface TestDb extends DbHandle {
  /** The URL a second process can open the same database with (postgres only; PGlite is in-memory). */
  url: string;
  cleanup(): Promise<void>;
}

export const testDriver = (): 'pglite' | 'postgres' =>
  isPostgresUrl(process.env.DATABASE_URL) ? 'postgres' : 'pglite';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** Names what a template holds: the migration files (names and contents), the PGlite build, migrated or not. */
function templateKey(migrated: boolean): string {
  const h = createHash('sha256');
  h.update(migrated ? 'migrated\0' : 'bare\0');
  h.update(fileURLToPath(import.meta.resolve('@electric-sql/pglite'))); // the pnpm store path names its version
  if (migrated) {
    for (const f of filesUnder(migrationsFolder)) {
      h.update(f.slice(migrationsFolder.length));
      h.update('\0');
      h.update(readFileSync(f));
    }
  }
  return h.digest('hex').slice(0, 16);
}

const templateDir = join(tmpdir(), 'nudge-test-db-templates');
const pgliteTemplates = new Map<boolean, Promise<Blob>>();

/** The PGlite data folder tarball to clone: read from the temp folder, or made there once. */
function pgliteTemplate(migrated: boolean): Promise<Blob> {
  let p = pgliteTemplates.get(migrated);
  if (!p) {
    p = (async () => {
      const file = join(templateDir, `pglite-${templateKey(migrated)}.tar`);
      if (existsSync(file) && statSync(file).size > 0) return new Blob([readFileSync(file)]);
      const handle = await createDb({ url: 'memory://' });
      try {
        if (migrated) await migrate(handle);
        const pg = (handle.db as unknown as { $client: PGlite }).$client;
        const dump = await pg.dumpDataDir('none');
        const bytes = new Uint8Array(await dump.arrayBuffer());
        mkdirSync(templateDir, { recursive: true });
        // written aside and renamed, so a parallel test file never reads half a tarball
        const part = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
        writeFileSync(part, bytes);
        renameSync(part, file);
        return new Blob([bytes]);
      } finally {
        await handle.close();
      }
    })();
    p.catch(() => pgliteTemplates.delete(migrated));
    pgliteTemplates.set(migrated, p);
  }
  return p;
}

/** The migrated template database on the server of `base`, created once under an advisory lock. */
async function postgresTemplate(base: string): Promise<string> {
  const name = `nudge_template_${templateKey(true)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const exists = async () => (await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`).length > 0;
    if (await exists()) return name;
    await admin`SELECT pg_advisory_lock(hashtext(${name}))`;
    try {
      if (await exists()) return name;
      // built under another name and renamed when complete: a crash mid-way leaves no half template
      const building = `${name}_building`;
      await admin.unsafe(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.unsafe(`CREATE DATABASE ${building}`);
      const u = new URL(base);
      u.pathname = `/${building}`;
      const handle = await createDb({ url: u.toString(), max: 1 });
      try {
        await migrate(handle);
      } finally {
        await handle.close();
      }
      await admin.unsafe(`ALTER DATABASE ${building} RENAME TO ${name}`);
      return name;
    } finally {
      await admin`SELECT pg_advisory_unlock(hashtext(${name}))`;
    }
  } finally {
    await admin.end();
  }
}

export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const migrated = options.migrate !== false;
  const base = process.env.DATABASE_URL;
  let handle: DbHandle;
  let url = 'memory://';
  let drop: () => Promise<void> = async () => {};
  if (isPostgresUrl(base)) {
    const template = migrated ? await postgresTemplate(base) : null;
    const name = `nudge_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
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
    handle = await createDb({ url: 'memory://', loadDataDir: await pgliteTemplate(migrated) });
  }
  return {
    ...handle,
    url,
    cleanup: async () => {
      await handle.close();
      await drop();
    },
  };
}


/**
 * A migrated PGlite data folder to copy (with `cpSync`) where a process wants a data folder of
 * its own, e.g. the product a browser test starts: made once per migration set and PGlite build
 * under the OS temp folder. The copy opens like a folder the product made and migrated itself.
 */
export async function pgliteTemplateFolder(): Promise<string> {
  const folder = join(templateDir, `pglite-folder-${templateKey(true)}`);
  if (existsSync(join(folder, 'PG_VERSION'))) return folder;
  mkdirSync(templateDir, { recursive: true });
  const part = `${folder}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  const handle = await createDb({ url: part });
  try {
    await migrate(handle);
  } finally {
    await handle.close();
  }
  try {
    renameSync(part, folder);
  } catch (err) {
    // another process made it first
    rmSync(part, { recursive: true, force: true });
    if (!existsSync(join(folder, 'PG_VERSION'))) throw err;
  }
  return folder;
}
