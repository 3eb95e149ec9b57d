// Masking is enforced in one place (http/masking.ts, installed by the route helper): this walks
// EVERY GET route of the OpenAPI document as a viewer and as an agent without `contact.unmask`,
// on data seeded so that the routes answer with phones and e-mails (timeline payloads, run step
// outputs, a test run, notifications, exports, error messages), and searches every answer for the
// unmasked values. An admin walking the same routes proves the values are really there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './testing.js';
import { findLeaks, realUrls, seedBoundaryData, SMS_TOKEN, WEBHOOK_SECRET, type BoundaryData } from './boundary-fixtures.js';
import { maskContacts, maskText } from './masking.js';

const isEventStream = (op: unknown) => !!(op as { responses?: Record<string, { content?: Record<string, unknown> }> }).responses?.['200']?.content?.['text/event-stream'];

let t: TestApp;
let d: BoundaryData;
let getUrls: string[];

const EXTRA_QUERY: Record<string, string> = {
  '/api/runs': '?test=all',
  '/api/flows/{id}/runs': '?test=all',
  '/api/customers/{id}/timeline': '?limit=200',
  '/api/tags/expiring': '?withinDays=30',
};

beforeAll(async () => {
  process.env.WHATSAPP_APP_SECRET = WEBHOOK_SECRET;
  process.env.SMS_WEBHOOK_TOKEN = SMS_TOKEN;
  t = await createTestApp();
  d = await seedBoundaryData(t);
  const doc = (await t.http.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  getUrls = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!ops.get || path.startsWith('/api/webhooks/')) continue;
    // an event stream never ends, so this walk can't read it to the end: events carry ids only,
    // and conversations/live.test.ts reads a masked agent's stream and searches it for contacts
    if (isEventStream(ops.get)) continue;
    for (const url of realUrls(path, d)) getUrls.push(url + (EXTRA_QUERY[path] ?? ''));
  }
}, 120_000);
afterAll(() => t?.close());

async function walk(auth: { Authorization: string }) {
  const leaks: string[] = [];
  const errors: string[] = [];
  const statuses = new Map<string, number>();
  for (const url of getUrls) {
    const res = await t.http.get(url).set(auth).buffer(true).parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => cb(null, text));
    });
    statuses.set(url, res.status);
    if (res.status >= 500) errors.push(`${url} → ${res.status}`);
    const found = findLeaks(String(res.body));
    if (found.length) leaks.push(`${url} (${res.status}): ${found.join(', ')}`);
  }
  return { leaks, errors, statuses };
}

describe('masking: every GET route as a masked role', () => {
  it('the seeded contact values are really in the answers (admin sees them unmasked)', async () => {
    const { leaks, errors } = await walk(d.admin.auth);
    expect(errors).toEqual([]);
    const routes = leaks.map((l) => l.split(' ')[0]!.split('?')[0]!);
    const id = d.ids;
    for (const must of [
      '/api/customers', `/api/customers/${id.customerA}`, `/api/customers/${id.customerA}/timeline`, `/api/customers/${id.customerA}/export`,
      '/api/customers/export.csv', `/api/runs/${id.run}`, `/api/runs/${id.testRun}`, '/api/runs', `/api/flows/${id.flow}/runs`,
      '/api/notifications', '/api/tags/expiring', '/api/suppressions', `/api/flows/${id.flow}/suppressions`,
    ]) expect(routes, `expected ${must} to carry contact values`).toContain(must);
  });

  for (const who of ['viewer', 'agent'] as const) {
    it(`${who}: no answer of any GET route carries an unmasked phone or e-mail`, async () => {
      const { leaks, errors, statuses } = await walk(d[who].auth);
      expect(errors).toEqual([]);
      expect(leaks).toEqual([]);
      // the walk really reached the data (not a wall of 403s)
      expect(statuses.get(`/api/customers/${d.ids.customerA}/timeline?limit=200`)).toBe(200);
      expect(statuses.get(`/api/runs/${d.ids.run}`)).toBe(200);
      expect(statuses.get('/api/notifications')).toBe(200);
      if (who === 'agent') expect(statuses.get('/api/customers/export.csv')).toBe(200);
    });
  }

  it('error messages are masked too (an agent refused by contact value)', async () => {
    const other = await t.user('agent');
    const res = await t.http.post('/api/inbound/messages').set(other.auth).send({ channel: 'email', from: 'ana.lopez@example.com', text: 'hi' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('an***@example.com');
    expect(findLeaks(JSON.stringify(res.body))).toEqual([]);
  });
});

describe('maskText', () => {
  it('masks phones in any format and e-mails, and leaves ids, dates, times and amounts alone', () => {
    expect(maskText('from 886933444555, 0933-444-555, +886 933 444 555, (02) 2345-6789, tel:0933444555.')).toBe(
      'from 8869***555, 0933***555, +886***555, 0223***789, tel:0933***555.',
    );
    expect(maskText('Ana.Lopez@Example.com wrote')).toBe('An***@Example.com wrote');
    for (const keep of ['123e4567-e89b-12d3-a456-426614174000', '2026-12-01', '2026-12-01T11:13:45.000Z', '2026-12-01 11:13:45', '1200000.50', 'abc1234567890', '+886***555', 'an***@example.com']) {
      expect(maskText(keep)).toBe(keep);
    }
    expect(maskContacts({ a: [{ from: '886933444555' }], n: 886933444555 })).toEqual({ a: [{ from: '8869***555' }], n: 886933444555 });
  });
});
