// The import's country: the organisation's setting (else NUDGE_DEFAULT_REGION), shown in the
// preview, overridable per import; a local number is read in it, one not valid there is a row error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { waitForImport } from './service.js';

let t: TestApp;
let admin: TestUser;
let manager: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
  manager = await t.user('manager');
});
afterAll(async () => {
  await t.close();
});

const csv = 'Name,Phone,Owner\nAna Ruiz,612 345 679,\nLi Wei,0912 345 678,\n';
const preview = (body?: Record<string, string>) =>
  t.http.post('/api/import/preview').query(body ?? {}).set(admin.auth).set('Content-Type', 'text/csv').send(Buffer.from(csv, 'utf8'));

describe("the import's country", () => {
  it('starts from the server default, lists the countries, and is set by an admin only', async () => {
    expect((await t.http.get('/api/import/settings').set(manager.auth)).body).toEqual({ defaultRegion: 'TW', regions: expect.arrayContaining(['TW', 'ES']) });
    const fields = await t.http.get('/api/import/fields').set(admin.auth);
    expect(fields.body.regions).toEqual(expect.arrayContaining(['ES', 'TW', 'CN', 'MX', 'US']));
    expect((await preview()).body.defaultRegion).toBe('TW');

    expect((await t.http.put('/api/import/settings').set(manager.auth).send({ defaultRegion: 'ES' })).status).toBe(403);
    const bad = await t.http.put('/api/import/settings').set(admin.auth).send({ defaultRegion: 'XX' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/country code/);
    const ok = await t.http.put('/api/import/settings').set(admin.auth).send({ defaultRegion: 'es' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ defaultRegion: 'ES' });
    expect((await t.http.get('/api/import/settings').set(admin.auth)).body).toMatchObject({ defaultRegion: 'ES' });
  });

  it("reads local numbers in the organisation's country and reports one not valid there, never guessing", async () => {
    const res = await preview();
    expect(res.status).toBe(201);
    expect(res.body.defaultRegion).toBe('ES');
    expect(res.body.mapping).toMatchObject({ Name: 'fullName', Phone: 'phone', Owner: 'ownerId' });
    expect(res.body.rows[0].customer.phone).toBe('+34612345679');
    expect(res.body.errors).toEqual([
      {
        line: 3, column: 'Phone', field: 'phone', code: 'phone_invalid', params: { value: '0912 345 678', country: 'ES', example: expect.stringMatching(/^\+34 /) },
        message: expect.stringMatching(/^"0912 345 678" is not a valid phone number for country ES; .*e\.g\. \+34 /),
      },
    ]);
    // the import's own choice wins over the organisation's
    const tw = await t.http.post(`/api/import/preview/${res.body.uploadId}`).set(admin.auth).send({ defaultRegion: 'TW' });
    expect(tw.body.defaultRegion).toBe('TW');
    expect(tw.body.rows[1].customer.phone).toBe('+886912345678');
  });

  it('imports with the chosen country: the Spanish number saved as +34, the other row skipped as invalid', async () => {
    const up = await preview();
    const start = await t.http.post('/api/import').set(admin.auth).send({ uploadId: up.body.uploadId, mode: 'skip-invalid', defaultRegion: 'ES' });
    expect(start.status).toBe(202);
    await waitForImport(start.body.id);
    const job = (await t.http.get(`/api/import/${start.body.id}`).set(admin.auth)).body;
    expect(job.defaultRegion).toBe('ES');
    expect(job.report.totals).toMatchObject({ created: 1, invalid: 1 });
    const rows = await t.db.sql.query<{ full_name: string; phone: string }>(`select full_name, phone from customers where full_name in ('Ana Ruiz', 'Li Wei')`);
    expect(rows).toEqual([{ full_name: 'Ana Ruiz', phone: '+34612345679' }]);
  });
});
