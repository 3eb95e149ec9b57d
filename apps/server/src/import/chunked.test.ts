/**
 * The write phase in chunks: other requests are answered between two chunks of a large import,
 * and an import killed (SIGKILL) in the middle of its writes is resumed at start-up with no row
 * lost and none written twice. On both drivers.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, schema, type DbHandle } from '@nudge/db';
import { createTestDb, pgliteTemplateFolder, testDriver, type TestDb } from '@nudge/db/testing';
import type { DomainEvent } from '../context.js';
import { hashPassword } from '../http/passwords.js';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { CHUNK } from './writing.js';
import { liveProgress, recoverInterruptedImports, waitForImport } from './service.js';

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 240_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** `n` new people (unique phones, a tag, a note on every tenth), then `dups` repeats of earlier rows written differently. */
function csvOf(n: number, dups: number, existing: { name: string; phone: string }[] = []) {
  const lines = ['name,phone,company,tags,notes'];
  for (let i = 0; i < n; i++) lines.push(`Chunk Person ${i},+886 913 ${String(100000 + i)},Company ${i % 40},batch-${i % 3},${i % 10 === 0 ? `note ${i}` : ''}`);
  for (let i = 0; i < dups; i++) lines.push(`CHUNK PERSON ${i * 3},0913-${String(100000 + i * 3).slice(0, 3)}-${String(100000 + i * 3).slice(3)},Company ${(i * 3) % 40},,`);
  for (const e of existing) lines.push(`${e.name},${e.phone},,vip,`);
  return `${lines.join('\n')}\n`;
}

describe('a large import writes in chunks that let other requests through', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.user('admin');
  });
  afterAll(() => t.close());

  it('answers a status check and a sign-in while the import is writing, before it finishes', async () => {
    const password = 'correct horse battery';
    const [colleague] = await t.db.db
      .insert(schema.users)
      .values({ email: 'colleague@chunks.test', name: 'Colleague', role: 'manager', passwordHash: await hashPassword(password) })
      .returning();
    expect(colleague).toBeTruthy();
    const rows = 20 * CHUNK; // 5,000 rows: the size at which a status check took 8.5 s
    const preview = await t.http.post('/api/import/preview').set(admin.auth).set('Content-Type', 'text/csv').send(Buffer.from(csvOf(rows, 0)));
    expect(preview.status).toBe(201);
    const start = await t.http.post('/api/import').set(admin.auth).send({ uploadId: preview.body.uploadId, backfill: true });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    const order: string[] = [];
    const finished = waitForImport(id).then(() => order.push('import finished'));

    // Once the first chunk has committed, ask for the status and sign in.
    await until(() => {
      const p = liveProgress(id);
      return !!p && p.phase === 'writing' && p.rowsProcessed > 0;
    }, 'the first chunk');
    const [status, login] = await Promise.all([
      t.http.get(`/api/import/${id}`).set(admin.auth).then((r) => (order.push('status answered'), r)),
      t.http.post('/api/auth/login').send({ email: 'colleague@chunks.test', password }).then((r) => (order.push('sign-in answered'), r)),
    ]);
    await finished;

    expect(status.status).toBe(200);
    expect(login.status).toBe(200);
    // Both were answered while the import was still writing, not after it.
    expect(status.body).toMatchObject({ status: 'running', phase: 'writing' });
    expect(status.body.rowsProcessed).toBeGreaterThan(0);
    expect(status.body.rowsProcessed).toBeLessThan(status.body.rowsTotal);
    expect(order.at(-1)).toBe('import finished');
    expect(order.slice(0, 2).sort()).toEqual(['sign-in answered', 'status answered']);

    const done = await t.http.get(`/api/import/${id}`).set(admin.auth);
    expect(done.body).toMatchObject({ status: 'completed', report: { totals: { created: rows } } });
    const [left] = await t.db.sql.query<{ n: string }>(`select count(*)::text as n from import_job_chunks where job_id = $1`, [id]);
    expect(left!.n).toBe('0');
  }, 300_000);
});

describe('a large upload is stored and read in parts that let other requests through', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.user('admin');
  });
  afterAll(() => t.close());

  it('answers a request while the file is half stored, before the preview answers', async () => {
    const bytes = Buffer.from(csvOf(40_000, 0)); // ≈ 2.5 MB: ten parts and more
    const order: string[] = [];
    const preview = t.http
      .post('/api/import/preview')
      .set(admin.auth)
      .set('Content-Type', 'text/csv')
      .send(bytes)
      .then((r) => (order.push('preview answered'), r));
    // Until the upload is half stored: a query that sees some parts but not all of them was
    // itself served between two parts (one query storing the whole file would never show this).
    let seen = { parts: 0, bytes: 0 };
    await until(async () => {
      const [r] = await t.db.sql.query<{ parts: number; bytes: number }>(
        `select count(*)::int as parts, coalesce(sum(length(bytes)), 0)::int as bytes from import_upload_parts`,
      );
      seen = r!;
      return order.length > 0 || (seen.parts > 0 && seen.bytes < bytes.length);
    }, 'a part of the upload');
    const list = await t.http.get('/api/import').set(admin.auth).then((r) => (order.push('list answered'), r));
    const done = await preview;

    expect(seen.parts).toBeGreaterThan(0);
    expect(seen.bytes).toBeLessThan(bytes.length);
    expect(list.status).toBe(200);
    expect(order).toEqual(['list answered', 'preview answered']);
    expect(done.status).toBe(201);
    expect(done.body.estimatedRows).toBe(40_000);
    // The parts put together are the file as uploaded.
    const [stored] = await t.db.sql.query<{ sha: string; size: number }>(
      `select encode(sha256(string_agg(p.bytes, ''::bytea order by p.seq)), 'hex') as sha, u.size from import_upload_parts p join import_uploads u on u.id = p.upload_id
       where u.id = $1 group by u.size`,
      [done.body.uploadId],
    );
    expect(stored).toEqual({ sha: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
  }, 300_000);
});

describe('an import killed with SIGKILL in the middle of its writes', () => {
  const serverDir = fileURLToPath(new URL('../..', import.meta.url));
  let dir: string | undefined;
  let testDb: TestDb | undefined;
  let url: string;
  let db: DbHandle;

  beforeAll(async () => {
    if (testDriver() === 'postgres') {
      testDb = await createTestDb();
      db = testDb;
      url = testDb.url;
    } else {
      dir = mkdtempSync(join(tmpdir(), 'nudge-import-crash-'));
      // a copy of a migrated data folder, not an initdb (packages/db/src/testing.ts)
      url = join(dir, 'db');
      cpSync(await pgliteTemplateFolder(), url, { recursive: true });
      db = await createDb({ url });
      await migrate(db);
    }
  });
  afterAll(async () => {
    if (testDb) await testDb.cleanup();
    else {
      await db.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is resumed at start-up: every row written once, nothing lost, nothing twice', async () => {
    const NEW = 10 * CHUNK;
    const DUPS = 100;
    // Customers already there, matched and filled (a tag) by the import.
    const existing = Array.from({ length: 50 }, (_, i) => ({ name: `Existing ${i}`, phone: `+886 914 ${String(200000 + i)}` }));
    await db.db.insert(schema.customers).values(existing.map((e) => ({ fullName: e.name, phone: e.phone.replace(/ /g, ''), phoneRaw: e.phone })));
    const csv = csvOf(NEW, DUPS, existing);
    const [upload] = await db.db
      .insert(schema.importUploads)
      .values({ bytes: Buffer.from(csv), size: csv.length, sha256: 'crash', fileName: 'crash.csv' })
      .returning({ id: schema.importUploads.id });
    const [job] = await db.db.insert(schema.importJobs).values({ uploadId: upload!.id, fileName: 'crash.csv', mode: 'all-or-nothing', defaultRegion: 'TW' }).returning();
    const jobId = job!.id;
    if (dir) await db.close(); // PGlite: one process at a time on a data folder

    // The child runs the import; it is killed once 3 chunks have committed.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/import/testing/import-child.ts', url, jobId], { cwd: serverDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killedAt: string | undefined;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /chunk (\d+)\/(\d+)\n/.exec(out.slice(out.lastIndexOf('chunk')));
      if (!killedAt && m && Number(m[1]) >= 3) {
        killedAt = m[0].trim();
        child.kill('SIGKILL');
      }
    });
    const signal = await exited;
    expect(signal, `the child was not killed; stdout:\n${out}\nstderr:\n${err}`).toBe('SIGKILL');
    expect(out).not.toContain('done');

    if (dir) db = await createDb({ url });
    const [mid] = await db.sql.query<{ status: string; chunks_total: number; customers: string; applied: string }>(
      `select status, chunks_total, (select count(*) from customers)::text as customers,
         (select count(*) from import_job_chunks where job_id = $1 and applied_at is not null)::text as applied
       from import_jobs where id = $1`,
      [jobId],
    );
    // Killed half-way: some chunks written, others not.
    expect(mid!.status).toBe('running');
    expect(Number(mid!.applied)).toBeGreaterThanOrEqual(3);
    expect(Number(mid!.applied)).toBeLessThan(mid!.chunks_total - 1);
    expect(Number(mid!.customers)).toBeGreaterThan(existing.length);
    expect(Number(mid!.customers)).toBeLessThan(existing.length + NEW);

    // "Start-up": the interrupted import is resumed.
    const events: DomainEvent[] = [];
    const recovered = await recoverInterruptedImports({ db, onEvent: (e) => void events.push(e) });
    expect(recovered.resumedJobs).toEqual([jobId]);
    await waitForImport(jobId);

    const [done] = await db.sql.query<{ status: string; report: { totals: Record<string, number> } }>(`select status, report from import_jobs where id = $1`, [jobId]);
    expect(done!.status).toBe('completed');
    expect(done!.report.totals).toMatchObject({ rows: NEW + DUPS + existing.length, created: NEW, merged: DUPS, updated: existing.length, customersCreated: NEW });
    const q = async (sql: string) => Number((await db.sql.query<{ n: string }>(sql, [jobId]))[0]!.n);
    expect(await q(`select count(*)::text as n from customers where $1::uuid is not null`)).toBe(existing.length + NEW);
    expect(await q(`select count(distinct phone)::text as n from customers where $1::uuid is not null`)).toBe(existing.length + NEW);
    // One system entry per customer the import touched, each note once, each tag link once.
    expect(await q(`select count(*)::text as n from interactions where kind = 'system' and payload->>'importId' = $1::text`)).toBe(NEW + existing.length);
    expect(await q(`select count(*)::text as n from (select customer_id from interactions where kind = 'system' and payload->>'importId' = $1::text group by 1 having count(*) > 1) d`)).toBe(0);
    expect(await q(`select count(*)::text as n from interactions where kind = 'note' and payload->>'importId' = $1::text`)).toBe(NEW / 10);
    expect(await q(`select count(*)::text as n from customer_tags ct join tags t on t.id = ct.tag_id where $1::uuid is not null and t.name like 'batch-%'`)).toBe(NEW);
    expect(await q(`select count(*)::text as n from customer_tags ct join tags t on t.id = ct.tag_id where $1::uuid is not null and t.name = 'vip'`)).toBe(existing.length);
    expect(await q(`select count(*)::text as n from audit_log where action = 'customer.import' and entity_id = $1::text`)).toBe(1);
    expect(await q(`select count(*)::text as n from import_job_chunks where job_id = $1`)).toBe(0);
    expect(await q(`select count(*)::text as n from import_uploads where $1::uuid is not null`)).toBe(0);
    // The flow engine hears of every customer created, including those written before the kill.
    expect(new Set(events.filter((e) => e.type === 'customer.created').map((e) => (e as { customerId: string }).customerId)).size).toBe(NEW);
  }, 300_000);
});
