// Malformed input is refused at the boundary with a 4xx that names the field (code and path kept):
// the cases an independent test run found answering 500. Runs on PGlite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { createTestApp, type TestApp, type TestUser } from './testing.js';

let t: TestApp;
let admin: TestUser;
let ids: { user: string; tag: string; group: string; customer: string; flow: string };
const NONE = '00000000-0000-4000-8000-00000000dead';

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
  const other = await t.user('agent');
  const group = await t.http.post('/api/tags/groups').set(admin.auth).send({ name: 'G', dimension: 'attribute' });
  const tag = await t.http.post('/api/tags').set(admin.auth).send({ name: 'vip' });
  await t.http.post('/api/customers/fields').set(admin.auth).send({ key: 'note_field', label: 'Note', type: 'text' });
  const customer = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Bea' });
  const flow = await t.http.post('/api/flows').set(admin.auth).send({
    name: 'F',
    graph: {
      nodes: [step('trigger', 'trigger.tag_added@1', { tag: 'vip' }), step('done', 'control.end@1')],
      edges: [edge('trigger', 'next', 'done')],
    },
  });
  ids = { user: other.id, tag: tag.body.id, group: group.body.id, customer: customer.body.id, flow: flow.body.id };
});
afterAll(() => t?.close());

const json = (req: ReturnType<TestApp['http']['post']>, raw: string) => req.set('Content-Type', 'application/json').send(raw);
function expectField(res: { status: number; body: any }, path: string, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.message).toContain(path);
  const detail = (res.body.error.details as { path: string; code?: string }[]).find((x) => x.path.startsWith(path));
  expect(detail, JSON.stringify(res.body.error.details)).toBeDefined();
  if (code) expect(detail!.code).toBe(code);
}

describe('NUL characters', () => {
  it('unauthenticated login with a NUL e-mail: 400 naming body.email', async () => {
    const res = await json(t.http.post('/api/auth/login'), '{"email":"\\u0000","password":"x"}');
    expectField(res, 'body.email', 'nul_character');
  });

  it('?tag=%00 on the customer list, the export and expiring tags: 400 naming query.tag', async () => {
    for (const url of ['/api/customers?tag=%00', '/api/customers/export.csv?tag=%00', '/api/tags/expiring?tag=%00']) {
      expectField(await t.http.get(url).set(admin.auth), 'query.tag', 'nul_character');
    }
  });

  it('NUL in a note, a custom field value and a JSON key', async () => {
    expectField(await json(t.http.post(`/api/customers/${ids.customer}/notes`).set(admin.auth), '{"body":"a\\u0000b"}'), 'body.body', 'nul_character');
    expectField(await json(t.http.patch(`/api/customers/${ids.customer}`).set(admin.auth), '{"customFields":{"note_field":"\\u0000"}}'), 'body.customFields.note_field', 'nul_character');
    expectField(await json(t.http.post(`/api/customers/${ids.customer}/interactions`).set(admin.auth), '{"kind":"call","payload":{"k\\u0000":1}}'), 'body.payload.k', 'nul_character');
  });
});

describe('empty PATCH bodies', () => {
  it('{} on users, tags, tag groups and custom fields — existing or not — is a 400 saying what can change', async () => {
    for (const url of [`/api/users/${ids.user}`, `/api/tags/${ids.tag}`, `/api/tags/groups/${ids.group}`, '/api/customers/fields/note_field',
      `/api/users/${NONE}`, `/api/tags/${NONE}`, `/api/tags/groups/${NONE}`, '/api/customers/fields/no_such_field']) {
      const res = await t.http.patch(url).set(admin.auth).send({});
      expectField(res, 'body', 'empty_patch');
      expect(res.body.error.message).toMatch(/nothing to change — give at least one of: \w+/);
    }
  });
});

describe('numbers too large for their column', () => {
  it('budgetMin: 18446744073709551616 (beyond 2^53) — 400 naming body.budgetMin', async () => {
    const res = await json(t.http.post('/api/customers').set(admin.auth), '{"fullName":"Big","budgetMin":18446744073709551616}');
    expectField(res, 'body.budgetMin', 'number_too_large');
  });

  it('a number JavaScript holds but the column cannot (numeric(14,2), integer) — the database error is mapped, naming the field', async () => {
    const res = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Big', budgetMin: 10_000_000_000_000 });
    expectField(res, 'body.budgetMin', 'number_out_of_range');
    const pts = await t.http.patch(`/api/customers/${ids.customer}`).set(admin.auth).send({ points: 3_000_000_000 });
    expectField(pts, 'body.points', 'number_out_of_range');
  });
});

describe('lone surrogates', () => {
  it('"\\ud800" in a flow name and in a publish note: 400 naming the field', async () => {
    expectField(await json(t.http.put(`/api/flows/${ids.flow}`).set(admin.auth), '{"name":"x\\ud800"}'), 'body.name', 'invalid_unicode');
    expectField(await json(t.http.post('/api/flows').set(admin.auth), '{"name":"\\ud800","graph":{"nodes":[],"edges":[]}}'), 'body.name', 'invalid_unicode');
    expectField(await json(t.http.post(`/api/flows/${ids.flow}/publish`).set(admin.auth), '{"note":"\\udc00 note"}'), 'body.note', 'invalid_unicode');
  });
});

describe('deep nesting', () => {
  it('an interaction payload nested 5,000 levels deep: 400 naming body.payload', async () => {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const res = await json(t.http.post(`/api/customers/${ids.customer}/interactions`).set(admin.auth), `{"kind":"call","payload":${deep}}`);
    expectField(res, 'body.payload', 'too_deep');
    expect(res.body.error.message.length).toBeLessThan(2000);
  });
});

describe('the error mapper', () => {
  it('maps database data errors to 400 with the machine code and the path', async () => {
    const { errorHandler } = await import('./errors.js');
    const answer = (code: string, body: unknown, extra: Record<string, unknown> = {}) => {
      let status = 0;
      let payload: any;
      const res = { headersSent: false, locals: {}, status(s: number) { status = s; return this; }, json(p: unknown) { payload = p; return this; } };
      const err = Object.assign(new Error('db'), { cause: Object.assign(new Error('pg'), { code, ...extra }) });
      errorHandler(err, { body, query: {}, params: {} } as never, res as never, () => {});
      return { status, body: payload };
    };
    expect(answer('22003', { a: 1, budgetMax: 5e15 })).toMatchObject({ status: 400, body: { error: { code: 'number_out_of_range', details: [{ path: 'body.budgetMax' }] } } });
    expect(answer('22P05', { text: 'a\u0000' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_text', details: [{ path: 'body.text' }] } } });
    expect(answer('22021', { name: 'x\ud800' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_text', details: [{ path: 'body.name' }] } } });
    expect(answer('54001', {})).toMatchObject({ status: 400, body: { error: { code: 'too_deep' } } });
    expect(answer('22P02', {})).toMatchObject({ status: 400, body: { error: { code: 'invalid_value' } } });
    expect(answer('2201W', {})).toMatchObject({ status: 400, body: { error: { code: 'invalid_value' } } });
    expect(answer('23502', {}, { column: 'full_name' })).toMatchObject({ status: 400, body: { error: { code: 'required', details: [{ path: 'body.fullName' }] } } });
    expect(answer('23505', {}, { constraint: 'x_uq', detail: 'Key (a)=(b) already exists.' })).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(answer('23503', {})).toMatchObject({ status: 400, body: { error: { code: 'invalid_reference' } } });
  });
});
