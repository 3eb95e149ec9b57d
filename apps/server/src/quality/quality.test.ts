import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';

const NOW = new Date('2026-09-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
let t: TestApp;
let manager: TestUser, agent: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp({ now: () => NOW });
  manager = await t.user('manager');
  agent = await t.user('agent');
  const complete = { company: 'Acme', industry: 'Retail', tier: 'B' as const, ownerId: agent.id, firstContactAt: daysAgo(400), createdAt: daysAgo(400) };
  const rows = await t.db.db
    .insert(schema.customers)
    .values([
      { fullName: 'Fresh Complete', phone: '+886912000001', ...complete, lastFollowUpAt: daysAgo(2), lastInteractionAt: daysAgo(2) },
      { fullName: 'Overdue Complete', email: 'o@x.com', ...complete, lastFollowUpAt: daysAgo(20), lastInteractionAt: daysAgo(20) },
      { fullName: 'Stale Lost', phone: '+886912000003', ...complete, lastInteractionAt: daysAgo(201), lastFollowUpAt: daysAgo(201), winProbability: 5 },
      { fullName: 'Stale But Hot', phone: '+886912000004', ...complete, lastInteractionAt: daysAgo(200), lastFollowUpAt: daysAgo(200), winProbability: 80 },
      { fullName: 'Incomplete', createdAt: daysAgo(1) },
      // duplicates: Traditional vs Simplified with the same company; same phone, different format stored as E.164
      { ...complete, fullName: '張大明', company: '大明貿易有限公司', lastFollowUpAt: daysAgo(1), lastInteractionAt: daysAgo(1) },
      { fullName: '张大明', company: '大明贸易', createdAt: daysAgo(1), lastFollowUpAt: daysAgo(1) },
      { fullName: 'Maria Garcia', phone: '+34612345678', createdAt: daysAgo(1), lastFollowUpAt: daysAgo(1) },
      { fullName: 'María García', phone: '+34612345678', createdAt: daysAgo(1), lastFollowUpAt: daysAgo(1) },
    ])
    .returning();
  for (const r of rows) ids[r.fullName] = r.id;
});
afterAll(() => t.close());

describe('data-quality report', () => {
  it('completeness vs 95 %, overdue follow-ups, stale records, duplicates', async () => {
    const res = await t.http.get('/api/quality/report').set(manager.auth);
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.totalCustomers).toBe(9);
    expect(r.completeness.target).toBe(0.95);
    expect(r.completeness.completeShare).toBeCloseTo(4 / 9);
    expect(r.completeness.status).toBe('red');
    expect(r.completeness.fields.find((f: { field: string }) => f.field === 'fullName').share).toBe(1);
    expect(r.overdueFollowUps.items.map((o: { fullName: string }) => o.fullName)).toEqual(['Stale Lost', 'Stale But Hot', 'Overdue Complete']);
    expect(r.overdueFollowUps.items[2].daysOverdue).toBe(13);
    expect(r.staleRecords.items.map((s: { fullName: string }) => s.fullName)).toEqual(['Stale Lost']);
    const pairs = r.duplicates.items.map((p: { a: { fullName: string }; b: { fullName: string } }) => [p.a.fullName, p.b.fullName].sort().join(' / '));
    expect(pairs).toEqual(expect.arrayContaining(['张大明 / 張大明', 'Maria Garcia / María García']));
    expect(r.duplicates).toMatchObject({ count: 2, scanned: 9, complete: true });
    // a bounded scan covers the most recent customers only, and says so
    const partial = (await t.http.get('/api/quality/report?duplicateScan=3').set(manager.auth)).body.duplicates;
    expect(partial).toMatchObject({ scanned: 3, complete: false });
  });

  it('duplicate reasons quote contacts only to users who may see them', async () => {
    const viewer = await t.user('viewer');
    const clear = (await t.http.get('/api/quality/report').set(manager.auth)).body.duplicates.items.flatMap((p: { reasons: string[] }) => p.reasons);
    expect(clear).toContain('same phone +34612345678');
    const masked = (await t.http.get('/api/quality/report').set(viewer.auth)).body.duplicates.items.flatMap((p: { reasons: string[] }) => p.reasons);
    expect(masked).toContain('same phone +346***678');
    expect(JSON.stringify(masked)).not.toContain('+34612345678');
  });

  it('agents get the report for their own customers only', async () => {
    const r = (await t.http.get('/api/quality/report').set(agent.auth)).body;
    expect(r.totalCustomers).toBe(5);
    expect(r.duplicates.count).toBe(0);
  });

  it('archives the proposed stale records (managers only; non-stale ids are left alone)', async () => {
    const ids2 = [ids['Stale Lost']!, ids['Stale But Hot']!];
    expect((await t.http.post('/api/quality/stale/archive').set(agent.auth).send({ ids: ids2 })).status).toBe(403);
    const res = await t.http.post('/api/quality/stale/archive').set(manager.auth).send({ ids: ids2 });
    expect(res.body).toEqual({ archived: 1 });
    const [hot] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, ids['Stale But Hot']!));
    expect(hot!.archivedAt).toBeNull();
    const bad = await t.http.post('/api/quality/stale/archive').set(manager.auth).send({ ids: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body.ids.0');
  });
});
