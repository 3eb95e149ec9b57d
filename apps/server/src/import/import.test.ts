import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeText } from '@nudge/customer-import';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { onCustomersImported, type CustomersImportedEvent } from './events.js';
import { recoverInterruptedImports, runImportJob, waitForImport } from './service.js';
import { CHUNK } from './writing.js';

let t: TestApp;
let admin: TestUser;
const imported: CustomersImportedEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
  unsubscribe = onCustomersImported((e) => void imported.push(e));
});
afterAll(async () => {
  unsubscribe();
  await t.close();
});

async function upload(csv: string | Buffer, query: Record<string, string> = {}) {
  const res = await t.http
    .post('/api/import/preview')
    .query(query)
    .set(admin.auth)
    .set('Content-Type', 'text/csv')
    .send(typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv);
  return res;
}

async function runImport(csv: string | Buffer, body: Record<string, unknown> = {}) {
  const preview = await upload(csv, { fileName: 'customers.csv' });
  expect(preview.status).toBe(201);
  const start = await t.http.post('/api/import').set(admin.auth).send({ uploadId: preview.body.uploadId, ...body });
  expect(start.status).toBe(202);
  expect(start.body).toMatchObject({ status: 'queued', rowsTotal: expect.any(Number) });
  await waitForImport(start.body.id);
  const job = await t.http.get(`/api/import/${start.body.id}`).set(admin.auth);
  expect(job.status).toBe(200);
  return job.body;
}

const count = async (table: 'customers' | 'interactions' | 'audit_log') =>
  Number((await t.db.sql.query<{ n: string }>(`select count(*)::text as n from ${table}`))[0]!.n);

describe('POST /api/import/preview', () => {
  it('detects Big5, suggests the mapping and maps the first rows with their errors', async () => {
    const csv = '客戶姓名,電話,公司,電郵\n張大明,0912-345-678,台積電,DaMing@Example.TW\n陳小華,12345,鴻海,xiaohua@example.tw\n';
    const res = await upload(encodeText(csv, 'big5'), { defaultRegion: 'TW' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      encoding: { encoding: 'big5' },
      headers: ['客戶姓名', '電話', '公司', '電郵'],
      mapping: { 客戶姓名: 'fullName', 電話: 'phone', 公司: 'company', 電郵: 'email' },
      rows: [
        { line: 2, customer: { fullName: '張大明', phone: '+886912345678', email: 'daming@example.tw', company: '台積電' } },
        { line: 3, errors: [{ line: 3, column: '電話', field: 'phone' }] },
      ],
      errors: [{ line: 3, column: '電話', field: 'phone', message: expect.stringContaining('"12345" is not a valid phone number') }],
    });
    // A second preview of the same upload with another mapping.
    const again = await t.http.post(`/api/import/preview/${res.body.uploadId}`).set(admin.auth).send({ mapping: { 電話: 'ignore' } });
    expect(again.status).toBe(200);
    expect(again.body.errors).toEqual([]);
  });

  it('refuses a file in an encoding it cannot decide, with a clear message', async () => {
    const res = await upload(Buffer.from([0x4e, 0x2c, 0x50, 0x0a, 0xb0, 0xa1, 0x2c, 0x31, 0x0a]));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'encoding_undecidable', message: expect.stringContaining('UTF-8') });
  });

  it('reports a malformed CSV with its line', async () => {
    const res = await upload('name,phone\nAna,0912345678\n"Bea,0912345679\nCarl,0912345670\n');
    expect(res.status).toBe(201);
    expect(res.body.fatal).toMatchObject({ code: 'csv_malformed', line: 3 });
  });

  it('is refused to agents and to a JSON body', async () => {
    const agent = await t.user('agent');
    const res = await t.http.post('/api/import/preview').set(agent.auth).set('Content-Type', 'text/csv').send('name\nAna\n');
    expect(res.status).toBe(403);
    const json = await t.http.post('/api/import/preview').set(admin.auth).send({ name: 'Ana' });
    expect(json.status).toBe(415);
  });
});

describe('POST /api/import', () => {
  it('imports with in-file and existing duplicates, a bad row reported by line, conflicts on the timeline', async () => {
    const [existing] = await t.db.db
      .insert(schema.customers)
      .values({ fullName: 'María García', company: 'Telefónica', phone: '+34612345678', phoneRaw: '612 345 678' })
      .returning();
    const customersBefore = await count('customers');
    const csv = [
      'Nombre del Cliente,Teléfono,Empresa,Correo,Etiquetas,Notas',
      '張大明,0912-345-678,台積電,,潛在客戶,first call',
      '"Garcia, Maria",+34 612 345 678,Telefónica S.A.,maria@telefonica.es,VIP,',
      'Bad Phone,12345,Nowhere,,,',
      '张大明,+886 912 345 678,鴻海,daming@example.tw,,',
      'Ana Ruiz,+34 600 111 222,Repsol,ana@repsol.es,,',
    ].join('\n');
    const job = await runImport(csv, { mode: 'skip-invalid', defaultRegion: 'TW' });
    expect(job.status).toBe('completed');
    expect(job.report.totals).toMatchObject({ rows: 5, created: 2, merged: 1, updated: 1, skipped: 1, invalid: 1, conflicts: 1 });
    expect(job.report.skipped).toEqual([
      expect.objectContaining({ line: 4, reason: 'invalid', errors: [expect.objectContaining({ line: 4, column: 'Teléfono', field: 'phone' })] }),
    ]);
    expect(job.report.merged).toEqual([expect.objectContaining({ line: 5, intoLine: 2, matchedBy: expect.arrayContaining(['same phone +886912345678']) })]);
    expect(job.report.updated).toEqual([expect.objectContaining({ line: 3, customerId: existing!.id, filled: expect.arrayContaining(['email', 'tags']) })]);
    expect(job.report.conflicts).toEqual([expect.objectContaining({ field: 'company', kept: '台積電', incoming: '鴻海', line: 5 })]);
    expect(await count('customers')).toBe(customersBefore + 2);

    const [maria] = await t.db.sql.query<{ email: string; company: string; phone: string }>(`select email, company, phone from customers where id = $1`, [existing!.id]);
    expect(maria).toEqual({ email: 'maria@telefonica.es', company: 'Telefónica', phone: '+34612345678' });
    const daming = (await t.db.sql.query<{ id: string; full_name: string; email: string; company: string; phone: string }>(
      `select id, full_name, email, company, phone from customers where phone = '+886912345678'`,
    ))[0]!;
    expect(daming).toMatchObject({ full_name: '張大明', email: 'daming@example.tw', company: '台積電' });
    const timeline = await t.db.sql.query<{ kind: string; body: string }>(`select kind, body from interactions where customer_id = $1 order by kind`, [daming.id]);
    expect(timeline).toEqual([
      { kind: 'note', body: 'first call' },
      { kind: 'system', body: expect.stringContaining('company: kept "台積電", file had "鴻海" (line 5)') },
    ]);
    const tags = await t.db.sql.query<{ name: string }>(`select t.name from customer_tags ct join tags t on t.id = ct.tag_id where ct.customer_id = $1`, [existing!.id]);
    expect(tags).toEqual([{ name: 'VIP' }]);
    const audit = await t.db.sql.query<{ action: string; entity_id: string }>(`select action, entity_id from audit_log where action in ('customer.import', 'customer.merge') order by id`);
    expect(audit.map((a) => a.action).sort()).toEqual(['customer.import', 'customer.merge', 'customer.merge']);
    expect(imported.at(-1)).toMatchObject({ importId: job.id, createdIds: expect.arrayContaining([daming.id]), updatedIds: [existing!.id] });
    expect(t.events.filter((e) => e.type === 'customer.created' && e.customerId === daming.id)).toHaveLength(1);
    expect(t.events.filter((e) => e.type === 'customer.updated' && e.customerId === existing!.id)).toEqual([
      { type: 'customer.updated', customerId: existing!.id, changes: [{ field: 'email', old: null, new: 'maria@telefonica.es' }] },
    ]);
  });

  it('all-or-nothing: a bad row fails the import with its line and writes nothing', async () => {
    const before = await Promise.all([count('customers'), count('interactions'), count('audit_log')]);
    const job = await runImport('name,phone,email\nZoe,0912000111,zoe@x.tw\nYan,0912000112,not-an-email\n', { mode: 'all-or-nothing' });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'rows_invalid', line: 3, message: expect.stringMatching(/line 3, column "email": "not-an-email" is not a valid e-mail address.*Nothing was imported/) });
    expect(job.report.errors).toEqual([{ line: 3, column: 'email', field: 'email', message: '"not-an-email" is not a valid e-mail address', code: 'email_invalid', params: { value: 'not-an-email' } }]);
    expect(await Promise.all([count('customers'), count('interactions'), count('audit_log')])).toEqual(before);
    const csv = await t.http
      .get(`/api/import/${job.id}/errors.csv`)
      .set(admin.auth)
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => cb(null, text));
      });
    expect(csv.status).toBe(200);
    expect(csv.body).toBe('\uFEFFline,column,field,message\r\n3,email,email,"""not-an-email"" is not a valid e-mail address"\r\n');
    const fields = await t.http.get('/api/import/fields').set(admin.auth);
    expect(fields.body.fields).toContainEqual({ name: 'fullName', required: true });
    expect(fields.body.fields).toContainEqual({ name: 'ownerId', required: false });
    const list = await t.http.get('/api/import?limit=5').set(admin.auth);
    expect(list.status).toBe(200);
    expect(list.body[0]).toMatchObject({ id: job.id, status: 'failed', totals: { rows: 2, invalid: 1 } });
  });

  it('a malformed file fails with the line and writes nothing', async () => {
    const before = await count('customers');
    const job = await runImport('name,phone\nXia,0912000113\n"Wu,0912000114\nVal,0912000115\n');
    expect(job).toMatchObject({ status: 'failed', error: { code: 'csv_malformed', line: 3 } });
    expect(await count('customers')).toBe(before);
  });

  it('a write that keeps failing stops the import resumable: resumed, every row is written once', async () => {
    const before = await Promise.all([count('customers'), count('interactions'), count('audit_log')]);
    const rows = Array.from({ length: 2500 }, (_, i) => `Person ${i},+886 912 ${String(100000 + i)},Company ${i}`);
    const preview = await upload(`name,phone,company\n${rows.join('\n')}\n`);
    const [job] = await t.db.db
      .insert(schema.importJobs)
      .values({ uploadId: preview.body.uploadId, mode: 'all-or-nothing', defaultRegion: 'TW', createdBy: admin.id })
      .returning();
    const db = t.db;
    // The disk fills up after the third chunk: every later attempt fails.
    let chunksWritten = 0;
    const failing = {
      ...t.ctx,
      db: {
        ...db,
        sql: {
          ...db.sql,
          transaction: <T>(fn: (tx: typeof db.sql) => Promise<T>) =>
            db.sql.transaction((tx) =>
              fn({
                ...tx,
                query: (text: string, params?: readonly unknown[]) => {
                  if (!text.includes('insert into interactions')) return tx.query(text, params);
                  return chunksWritten >= 3 ? Promise.reject(new Error('disk full')) : (chunksWritten++, tx.query(text, params));
                },
              } as typeof db.sql),
            ),
        },
      },
    };
    await expect(runImportJob(failing, job!.id, null, { defaultRegion: 'TW', ownerId: null })).rejects.toThrow('disk full');
    const status = await t.http.get(`/api/import/${job!.id}`).set(admin.auth);
    expect(status.body).toMatchObject({ status: 'failed', phase: 'writing', error: { code: 'write_interrupted', message: expect.stringContaining('resume') } });
    // Three whole chunks are written (each customer with its timeline entry), nothing of the rest.
    const written = 3 * CHUNK;
    expect(status.body.error.message).toContain(`after ${written} of 2500 customers`);
    expect(await Promise.all([count('customers'), count('interactions')])).toEqual([before[0] + written, before[1] + written]);

    // Another import waits for this one to be resumed and writes nothing meanwhile.
    const other = await runImport('name,phone\nWaiting Person,0912 000 999\n');
    expect(other).toMatchObject({ status: 'failed', error: { code: 'import_pending', message: expect.stringContaining(`/api/import/${job!.id}/resume`) } });
    expect(await count('customers')).toBe(before[0] + written);

    const resumed = await t.http.post(`/api/import/${job!.id}/resume`).set(admin.auth);
    expect(resumed.status).toBe(202);
    expect(resumed.body).toMatchObject({ status: 'running', phase: 'writing' });
    await waitForImport(job!.id);
    const done = await t.http.get(`/api/import/${job!.id}`).set(admin.auth);
    expect(done.body).toMatchObject({ status: 'completed', report: { totals: { created: 2500 } } });
    expect(await Promise.all([count('customers'), count('interactions'), count('audit_log')])).toEqual([before[0] + 2500, before[1] + 2500, before[2] + 1]);
    const dupes = await t.db.sql.query(`select phone from customers group by phone having count(*) > 1`);
    expect(dupes).toEqual([]);
    const again = await t.http.post(`/api/import/${job!.id}/resume`).set(admin.auth);
    expect(again.status).toBe(409);
  });

  it('backfill imports without the customers-imported event, and a second run finds the duplicates', async () => {
    const csv = 'Customer name,Mobile,Company\nLi Wei,0912 555 001,Acme\nWang Fang,0912 555 002,Acme\n';
    const eventsBefore = imported.length;
    const first = await runImport(csv, { backfill: true });
    expect(first.report.totals).toMatchObject({ created: 2 });
    expect(imported.length).toBe(eventsBefore);
    const second = await runImport(csv.replace('0912 555 001', '+886-912-555-001'), { backfill: true });
    expect(second.report.totals).toMatchObject({ created: 0, skipped: 2 });
    expect(second.report.skipped).toEqual([
      expect.objectContaining({ line: 2, reason: 'no-new-data' }),
      expect.objectContaining({ line: 3, reason: 'no-new-data' }),
    ]);
  });

  it('rejects a bad start request with a clear error', async () => {
    const res = await t.http.post('/api/import').set(admin.auth).send({ uploadId: '00000000-0000-4000-8000-000000000000', mode: 'sometimes' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/mode/);
    const missing = await t.http.post('/api/import').set(admin.auth).send({ uploadId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
  });

  it('marks jobs interrupted by a crash as failed and removes stale uploads at start-up', async () => {
    const preview = await upload('name\nAna\n');
    const [job] = await t.db.db
      .insert(schema.importJobs)
      .values({ uploadId: preview.body.uploadId, mode: 'all-or-nothing', defaultRegion: 'TW', status: 'running', phase: 'writing' })
      .returning();
    const old = await upload('name\nBea\n');
    await t.db.sql.query(`update import_uploads set created_at = now() - interval '10 days' where id = $1`, [old.body.uploadId]);
    const result = await recoverInterruptedImports(t.ctx);
    expect(result.failedJobs).toBeGreaterThanOrEqual(1);
    expect(result.removedUploads).toBeGreaterThanOrEqual(1);
    const status = await t.http.get(`/api/import/${job!.id}`).set(admin.auth);
    expect(status.body).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
    const left = await t.db.sql.query(`select id from import_uploads where id = $1`, [old.body.uploadId]);
    expect(left).toEqual([]);
  });

  it('assigns owners named by e-mail or name, and reports an unknown owner with its line', async () => {
    const agent = await t.user('agent', { name: 'Lin Mei-ling' });
    const csv = `客戶姓名,電話,負責人\n周杰,0912 700 001,${agent.email.toUpperCase()}\n蔡依,0912 700 002,lin mei-ling\n林志,0912 700 003,nobody@nowhere.tw\n`;
    const job = await runImport(csv, { mode: 'skip-invalid' });
    expect(job.report.totals).toMatchObject({ created: 2, invalid: 1 });
    expect(job.report.errors).toEqual([
      { line: 4, column: '負責人', field: 'ownerId', message: '"nobody@nowhere.tw" is not an active user; write a user\'s e-mail or name', code: 'owner_unknown', params: { value: 'nobody@nowhere.tw' } },
    ]);
    const owners = await t.db.sql.query<{ full_name: string; owner_id: string }>(
      `select full_name, owner_id from customers where phone in ('+886912700001', '+886912700002') order by full_name`,
    );
    expect(owners).toEqual([
      { full_name: '周杰', owner_id: agent.id },
      { full_name: '蔡依', owner_id: agent.id },
    ]);
  });

  it('skip-invalid skips just the row with a NUL character, and imports the others', async () => {
    const csv = 'name,phone,notes\nNul Free,0912 710 001,ok\nNul\u0000Name,0912 710 002,x\nNote Nul,0912 710 003,a\u0000b\nAlso Fine,0912 710 004,\n';
    const job = await runImport(csv, { mode: 'skip-invalid', defaultRegion: 'TW' });
    expect(job.status).toBe('completed');
    expect(job.report.totals).toMatchObject({ created: 2, invalid: 2 });
    expect(job.report.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([[3, 'fullName'], [4, 'notes']]);
    expect(job.report.errors[0].message).toMatch(/NUL/);
    const rows = await t.db.sql.query<{ full_name: string }>(`select full_name from customers where phone like '+88691271000%' order by full_name`);
    expect(rows.map((r) => r.full_name)).toEqual(['Also Fine', 'Nul Free']);
  });

  it('matches again when a customer was added between matching and writing', async () => {
    const preview = await upload('name,phone,company\nRacing Person,0912 800 001,Acme\n');
    const [job] = await t.db.db
      .insert(schema.importJobs)
      .values({ uploadId: preview.body.uploadId, mode: 'all-or-nothing', defaultRegion: 'TW', createdBy: admin.id })
      .returning();
    const db = t.db;
    let raced = false;
    const racing = {
      ...t.ctx,
      db: {
        ...db,
        sql: {
          ...db.sql,
          transaction: async <T>(fn: (tx: typeof db.sql) => Promise<T>) => {
            // Someone creates the same customer while the import is matching (before its first transaction).
            if (!raced) await db.sql.query(`insert into customers (full_name, phone, phone_raw) values ('Racing Person', '+886912800001', '0912800001')`);
            raced = true;
            return db.sql.transaction(fn);
          },
        },
      },
    };
    await runImportJob(racing, job!.id, null, { defaultRegion: 'TW', ownerId: null });
    const status = await t.http.get(`/api/import/${job!.id}`).set(admin.auth);
    expect(status.body.report.totals).toMatchObject({ created: 0, updated: 1 });
    const rows = await t.db.sql.query(`select id from customers where phone = '+886912800001'`);
    expect(rows).toHaveLength(1);
  });

  it('documents the import routes in the OpenAPI document', async () => {
    const res = await t.http.get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/import/preview', '/api/import', '/api/import/{id}', '/api/import/{id}/errors.csv']));
  });
});
