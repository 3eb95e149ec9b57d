import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { maskEmail, maskPhone } from './access.js';
import { adjustPoints } from './index.js';

let t: TestApp;
let admin: TestUser, manager: TestUser, viewer: TestUser, agentA: TestUser, agentA2: TestUser, agentB: TestUser, agentUnmask: TestUser;
let teamA: string;

beforeAll(async () => {
  t = await createTestApp();
  teamA = await t.team('Team A');
  const teamB = await t.team('Team B');
  admin = await t.user('admin');
  manager = await t.user('manager');
  viewer = await t.user('viewer', { rights: ['contact.unmask'] }); // viewers stay masked even with the right
  agentA = await t.user('agent', { teamId: teamA });
  agentA2 = await t.user('agent', { teamId: teamA });
  agentB = await t.user('agent', { teamId: teamB });
  agentUnmask = await t.user('agent', { teamId: teamB, rights: ['contact.unmask'] });
});
afterAll(() => t.close());

const auditCount = async (action: string, entityId?: string) => {
  const [r] = await t.db.db
    .select({ n: count() })
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), entityId ? eq(schema.auditLog.entityId, entityId) : undefined));
  return r!.n;
};

describe('masking helpers', () => {
  it('masks phones and emails like 0912***678', () => {
    expect(maskPhone('0912-345-678')).toBe('0912***678');
    expect(maskPhone('+886912345678')).toBe('+886***678');
    expect(maskEmail('john.doe@example.com')).toBe('jo***@example.com');
    expect(maskPhone(null)).toBeNull();
  });
});

describe('customers API', () => {
  let id: string;

  it('creates a customer: phone → E.164 + raw, email lower-cased, Unicode kept', async () => {
    const res = await t.http.post('/api/customers').set(admin.auth).send({
      fullName: '張大明',
      company: '大明貿易',
      phone: '0912-345-678',
      email: 'DaMing@Example.COM',
      tier: 'A',
      budgetMin: 100000,
      budgetMax: 500000,
      budgetCurrency: 'TWD',
      preferredContactSlots: [{ weekday: 1, part: 'morning' }],
      timezone: 'Asia/Taipei',
      birthday: '1980-05-04',
      ownerId: agentA.id,
      teamId: teamA,
      productsOfInterest: ['ERP', 'CRM'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ fullName: '張大明', phone: '+886912345678', phoneRaw: '0912-345-678', email: 'daming@example.com', masked: false });
    id = res.body.id;
    expect(t.events).toContainEqual({ type: 'customer.created', customerId: id, source: 'manual' });
  });

  it('stores what was sent as typed (the insert is a statement prepared once per shape): nulls are SQL NULL, jsonb and arrays encoded, the audit row beside it', async () => {
    const [row] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, id));
    expect(row).toMatchObject({ productsOfInterest: ['ERP', 'CRM'], preferredContactSlots: [{ weekday: 1, part: 'morning' }], customFields: {}, timezone: 'Asia/Taipei', source: 'manual' });
    expect(row!.createdAt).toBeInstanceOf(Date);
    const [audit] = await t.db.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.action, 'customer.create'), eq(schema.auditLog.entityId, id)));
    expect(audit).toMatchObject({ actorId: admin.id, entityType: 'customer', details: null });
    expect(audit!.fields).toEqual(expect.arrayContaining(['fullName', 'phone', 'email', 'productsOfInterest']));
    // the same shape with other values and explicit nulls: a null is SQL NULL (not jsonb `null`)
    const again = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Ana Null', company: null, email: null, tier: 'B' });
    expect(again.status).toBe(201);
    const [raw] = await t.db.sql.query<{ company_null: boolean; email_null: boolean; details_null: boolean }>(
      `select c.company is null as company_null, c.email is null as email_null, a.details is null as details_null
         from customers c join audit_log a on a.entity_id = c.id::text and a.action = 'customer.create' where c.id = $1`,
      [again.body.id],
    );
    expect(raw).toEqual({ company_null: true, email_null: true, details_null: true });
    const third = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Ana Dos', company: 'Dos SL', email: 'ana.dos@example.com', tier: 'C' });
    expect(third.body).toMatchObject({ company: 'Dos SL', email: 'ana.dos@example.com', tier: 'C' });
    await t.db.db.delete(schema.customers).where(inArray(schema.customers.id, [again.body.id, third.body.id])); // the tests below count customers
  });

  it('bad input → 400 naming the field, nothing stored', async () => {
    const before = await t.db.db.select({ n: count() }).from(schema.customers);
    const bad = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'X', phone: '12', email: 'not-an-email', productsOfInterest: ['a', 'b', 'c'] });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.productsOfInterest']));
    const badPhone = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'X', phone: '0000' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.details[0].path).toBe('body.phone');
    const budget = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'X', budgetMin: 10, budgetMax: 5 });
    expect(budget.status).toBe(400);
    expect(budget.body.error.details[0].path).toBe('body.budgetMax');
    const unknown = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'X', favouriteColour: 'red' });
    expect(unknown.status).toBe(400);
    const after = await t.db.db.select({ n: count() }).from(schema.customers);
    expect(after).toEqual(before);
  });

  it('masks contacts per role: admin/manager clear, agent without right and viewer masked', async () => {
    const get = (u: TestUser) => t.http.get(`/api/customers/${id}`).set(u.auth);
    expect((await get(admin)).body.phone).toBe('+886912345678');
    expect((await get(manager)).body.email).toBe('daming@example.com');
    const v = await get(viewer);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ phone: '+886***678', phoneRaw: '0912***678', email: 'da***@example.com', masked: true });
    const a = await get(agentA);
    expect(a.body).toMatchObject({ phone: '+886***678', masked: true });
  });

  it('agents see only their own or their team’s customers; others get 403', async () => {
    expect((await t.http.get(`/api/customers/${id}`).set(agentA2.auth)).status).toBe(200); // same team
    const other = await t.http.get(`/api/customers/${id}`).set(agentB.auth);
    expect(other.status).toBe(403);
    const list = await t.http.get('/api/customers').set(agentB.auth);
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    // agent with the unmask right sees their own customer unmasked
    const own = await t.http.post('/api/customers').set(agentUnmask.auth).send({ fullName: 'María García', phone: '+34 612 34 56 78' });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ ownerId: agentUnmask.id, phone: '+34612345678', masked: false });
  });

  it('forbidden changes → 403 and nothing changed', async () => {
    const v = await t.http.patch(`/api/customers/${id}`).set(viewer.auth).send({ company: 'Hacked' });
    expect(v.status).toBe(403);
    const b = await t.http.patch(`/api/customers/${id}`).set(agentB.auth).send({ company: 'Hacked' });
    expect(b.status).toBe(403);
    const del = await t.http.delete(`/api/customers/${id}`).set(agentA.auth);
    expect(del.status).toBe(403);
    const reassign = await t.http.patch(`/api/customers/${id}`).set(agentA.auth).send({ ownerId: agentB.id });
    expect(reassign.status).toBe(403);
    const [row] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, id));
    expect(row!.company).toBe('大明貿易');
    expect(row!.ownerId).toBe(agentA.id);
  });

  it('updates, emits field changes with old and new value, audits the fields changed', async () => {
    t.events.length = 0;
    const res = await t.http.patch(`/api/customers/${id}`).set(agentA.auth).send({ tier: 'strategic', winProbability: 60, company: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: 'strategic', winProbability: 60, company: null });
    const ev = t.events.find((e) => e.type === 'customer.updated');
    expect(ev).toMatchObject({ changes: expect.arrayContaining([{ field: 'tier', old: 'A', new: 'strategic' }]) });
    const [a] = await t.db.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.action, 'customer.update'), eq(schema.auditLog.entityId, id)));
    expect(a!.fields).toEqual(expect.arrayContaining(['tier', 'winProbability', 'company']));
    expect(a!.actorId).toBe(agentA.id);
  });

  it('audits views of unmasked sensitive fields, not masked views', async () => {
    const before = await auditCount('customer.view_sensitive', id);
    await t.http.get(`/api/customers/${id}`).set(viewer.auth);
    expect(await auditCount('customer.view_sensitive', id)).toBe(before);
    await t.http.get(`/api/customers/${id}`).set(admin.auth);
    expect(await auditCount('customer.view_sensitive', id)).toBe(before + 1);
  });

  it('field-level rights: restricted custom fields hidden and refused without the right', async () => {
    const def = await t.http.post('/api/customers/fields').set(admin.auth).send({ key: 'discount_rate', label: 'Discount %', type: 'number', requiredRight: 'finance' });
    expect(def.status).toBe(201);
    await t.http.post('/api/customers/fields').set(admin.auth).send({ key: 'source_campaign', label: 'Campaign', type: 'text' });
    const set = await t.http.patch(`/api/customers/${id}`).set(manager.auth).send({ customFields: { discount_rate: 12.5, source_campaign: 'spring' } });
    expect(set.status).toBe(200);
    expect(set.body.customFields).toEqual({ discount_rate: 12.5, source_campaign: 'spring' });
    const agentView = await t.http.get(`/api/customers/${id}`).set(agentA.auth);
    expect(agentView.body.customFields).toEqual({ source_campaign: 'spring' });
    const refused = await t.http.patch(`/api/customers/${id}`).set(agentA.auth).send({ customFields: { discount_rate: 50 } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('discount_rate');
    const typeErr = await t.http.patch(`/api/customers/${id}`).set(manager.auth).send({ customFields: { discount_rate: 'lots' } });
    expect(typeErr.status).toBe(400);
    expect(typeErr.body.error.details[0].path).toBe('body.customFields.discount_rate');
    const unknown = await t.http.patch(`/api/customers/${id}`).set(manager.auth).send({ customFields: { nope: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body.customFields.nope');
    const [row] = await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, id));
    expect(row!.customFields).toEqual({ discount_rate: 12.5, source_campaign: 'spring' });
  });

  it('changes custom field definitions without orphaning stored values', async () => {
    await t.http.post('/api/customers/fields').set(admin.auth).send({ key: 'size', label: 'Size', type: 'select', options: ['S', 'M', 'L'] });
    await t.http.patch(`/api/customers/${id}`).set(admin.auth).send({ customFields: { size: 'M' } });
    const inUse = await t.http.patch('/api/customers/fields/size').set(admin.auth).send({ options: ['S', 'L'] });
    expect(inUse.status).toBe(400);
    expect(inUse.body.error.code).toBe('option_in_use');
    const ok = await t.http.patch('/api/customers/fields/size').set(admin.auth).send({ options: ['S', 'M', 'L', 'XL'], label: 'T-shirt size' });
    expect(ok.body).toMatchObject({ label: 'T-shirt size', options: ['S', 'M', 'L', 'XL'] });
    expect((await t.http.patch('/api/customers/fields/discount_rate').set(admin.auth).send({ options: ['x'] })).status).toBe(400);
    expect((await t.http.patch('/api/customers/fields/size').set(agentA.auth).send({ label: 'x' })).status).toBe(403);
    expect((await t.http.patch('/api/customers/fields/nope').set(admin.auth).send({ label: 'x' })).status).toBe(404);
  });

  it('industry must come from the managed list once there is one', async () => {
    await t.http.post('/api/customers/industries').set(admin.auth).send({ names: ['Manufacturing', 'Retail'] });
    const bad = await t.http.patch(`/api/customers/${id}`).set(admin.auth).send({ industry: 'Spaceships' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body.industry');
    const ok = await t.http.patch(`/api/customers/${id}`).set(admin.auth).send({ industry: 'Retail' });
    expect(ok.body.industry).toBe('Retail');
  });

  it('timeline: notes and interactions newest first, cursor paging, order spend and follow-up dates', async () => {
    const post = (body: object) => t.http.post(`/api/customers/${id}/interactions`).set(agentA.auth).send(body);
    expect((await post({ kind: 'message_in', channel: 'whatsapp', body: '價格?', occurredAt: '2026-01-01T10:00:00Z' })).status).toBe(201);
    expect((await post({ kind: 'call', channel: 'phone', body: 'called back', occurredAt: '2026-01-02T10:00:00Z' })).status).toBe(201);
    expect((await post({ kind: 'order', payload: { amount: 1200.5, currency: 'TWD' }, occurredAt: '2026-01-03T10:00:00Z' })).status).toBe(201);
    const badOrder = await post({ kind: 'order', payload: {} });
    expect(badOrder.status).toBe(400);
    expect(badOrder.body.error.details[0].path).toBe('body.payload.amount');
    expect((await t.http.post(`/api/customers/${id}/notes`).set(agentA.auth).send({ body: 'prefers LINE' })).status).toBe(201);
    expect((await t.http.post(`/api/customers/${id}/notes`).set(viewer.auth).send({ body: 'x' })).status).toBe(403);

    const p1 = await t.http.get(`/api/customers/${id}/timeline?limit=2`).set(agentA.auth);
    expect(p1.status).toBe(200);
    expect(p1.body.items).toHaveLength(2);
    const p2 = await t.http.get(`/api/customers/${id}/timeline?limit=50&before=${p1.body.nextCursor}`).set(agentA.auth);
    const all = [...p1.body.items, ...p2.body.items];
    const times = all.map((i: { occurredAt: string }) => i.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.map((i: { kind: string }) => i.kind)).toEqual(expect.arrayContaining(['note', 'order', 'call', 'message_in']));
    expect(p2.body.nextCursor).toBeNull();

    const c = (await t.http.get(`/api/customers/${id}`).set(admin.auth)).body;
    expect(c.totalSpend).toBeCloseTo(1200.5);
    expect(c.lastFollowUpAt).toBe('2026-01-02T10:00:00.000Z');
    expect(c.lastInteractionAt >= '2026-01-03').toBe(true);
    const onlyOrders = await t.http.get(`/api/customers/${id}/timeline?kind=order`).set(agentA.auth);
    expect(onlyOrders.body.items.map((i: { kind: string }) => i.kind)).toEqual(['order']);
  });

  it('search, filters and paging', async () => {
    for (const [fullName, phone, phoneRegion] of [['John Smith', '(415) 555-0100', 'US'], ['José Pérez', '+34 612 34 56 79'], ['李小龍', '+886 912 345 679']]) {
      const r = await t.http.post('/api/customers').set(admin.auth).send({ fullName, phone, phoneRegion, tier: 'B' });
      expect(r.status).toBe(201);
    }
    const us = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Jane Roe', phone: '(415) 555-0100' });
    expect(us.status).toBe(400); // TW assumed without phoneRegion: not a valid number there
    const byName = await t.http.get('/api/customers?q=smith').set(admin.auth);
    expect(byName.body.items.map((c: { fullName: string }) => c.fullName)).toEqual(['John Smith']);
    const byPhone = await t.http.get('/api/customers?q=0912-345-679').set(admin.auth);
    expect(byPhone.body.items.map((c: { fullName: string }) => c.fullName)).toEqual(['李小龍']);
    const byCompanyAndName = await t.http.get('/api/customers?q=大明').set(admin.auth);
    expect(byCompanyAndName.body.items.length).toBeGreaterThanOrEqual(1);
    const byEmail = await t.http.get('/api/customers?q=DAMING@example').set(admin.auth);
    expect(byEmail.body.items.map((c: { fullName: string }) => c.fullName)).toEqual(['張大明']);
    const wildcard = await t.http.get('/api/customers?q=%25').set(admin.auth); // a literal %, not "everything"
    expect(wildcard.body.total).toBe(0);
    // trigram indexes for this search on both drivers: PostgreSQL's contrib pg_trgm (0006, 0016), PGlite's bundled one (0024)
    const trgm = await t.db.sql.query<{ indexname: string }>("select indexname from pg_indexes where indexname like 'customers_search_%'");
    expect(trgm.map((r) => r.indexname).sort()).toEqual(['customers_search_contact_trgm', 'customers_search_folded_trgm']);
    // a viewer sees phones masked, so cannot search by them either
    expect((await t.http.get('/api/customers?q=0912-345-679').set(viewer.auth)).body.items).toEqual([]);
    const tierB = await t.http.get('/api/customers?tier=B&pageSize=2&page=1&sort=name').set(admin.auth);
    expect(tierB.body.total).toBe(3);
    expect(tierB.body.items).toHaveLength(2);
    const page2 = await t.http.get('/api/customers?tier=B&pageSize=2&page=2&sort=name').set(admin.auth);
    expect(page2.body.items).toHaveLength(1);
    const bad = await t.http.get('/api/customers?pageSize=1000').set(admin.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.pageSize');
  });

  it('exports one customer’s data (audited); agents without the right get 403', async () => {
    expect((await t.http.get(`/api/customers/${id}/export`).set(agentA.auth)).status).toBe(403);
    const before = await auditCount('customer.export', id);
    const res = await t.http.get(`/api/customers/${id}/export`).set(manager.auth);
    expect(res.status).toBe(200);
    expect(res.body.customer.phone).toBe('+886912345678');
    expect(res.body.timeline.length).toBeGreaterThanOrEqual(4);
    expect(await auditCount('customer.export', id)).toBe(before + 1);
  });

  it('exports the filtered list as CSV: formula injection neutralised, masked without the right, audited', async () => {
    const evil = await t.http.post('/api/customers').set(admin.auth).send({ fullName: '=HYPERLINK("http://x","click")', company: '@SUM(A1)', phone: '+886 912 000 111', tier: 'C', ownerId: agentA.id, teamId: teamA });
    expect(evil.status).toBe(201);
    expect((await t.http.get('/api/customers/export.csv').set(viewer.auth)).status).toBe(403);
    expect((await t.http.get('/api/customers/export.csv').set(agentA.auth)).status).toBe(403);
    const res = await t.http.get('/api/customers/export.csv?tier=C').set(manager.auth).buffer(true).parse((r, cb) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (data += d));
      r.on('end', () => cb(null, data));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const text = res.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]!.startsWith('id,fullName,company')).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"",""click"")"`);
    expect(lines[1]).toContain(`'@SUM(A1)`);
    expect(lines[1]).toContain('+886912000111');
    const [entry] = await t.db.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, 'customer.export'), eq(schema.auditLog.actorId, manager.id), isNull(schema.auditLog.entityId)));
    expect(entry!.details).toMatchObject({ count: 1, masked: false });
    // an agent with the export right but not the unmask right gets masked phones
    const exporter = await t.user('agent', { teamId: teamA, rights: ['customers.export'] });
    const masked = await t.http.get('/api/customers/export.csv?tier=C').set(exporter.auth).buffer(true).parse((r, cb) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (data += d));
      r.on('end', () => cb(null, data));
    });
    expect(masked.body).toContain('+886***111');
    expect(masked.body).not.toContain('+886912000111');
    await t.db.db.delete(schema.customers).where(eq(schema.customers.id, evil.body.id));
  });

  it('merges a duplicate: empty fields filled, conflicts kept on the timeline, audited', async () => {
    const dup = await t.http.post('/api/customers').set(admin.auth).send({ fullName: '张大明', company: 'Other Co', whatsappId: '886912345678', points: 5 });
    await t.http.post(`/api/customers/${dup.body.id}/notes`).set(admin.auth).send({ body: 'note on the duplicate' });
    const res = await t.http.post(`/api/customers/${id}/merge`).set(admin.auth).send({ sourceId: dup.body.id });
    expect(res.status).toBe(200);
    expect(res.body.customer.whatsappId).toBe('886912345678');
    expect(res.body.conflicts.map((c: { field: string }) => c.field)).toContain('fullName');
    const tl = await t.http.get(`/api/customers/${id}/timeline?limit=200`).set(admin.auth);
    expect(tl.body.items.some((i: { body: string }) => i.body === 'note on the duplicate')).toBe(true);
    const sys = tl.body.items.find((i: { payload: { event?: string } }) => i.payload.event === 'merge');
    expect(sys.payload.conflicts).toContainEqual({ field: 'fullName', kept: '張大明', other: '张大明' });
    expect((await t.http.get(`/api/customers/${dup.body.id}`).set(admin.auth)).status).toBe(404);
    expect(await auditCount('customer.merge', id)).toBe(1);
    expect((await t.http.post(`/api/customers/${id}/merge`).set(agentA.auth).send({ sourceId: id })).status).toBe(403);
  });

  it('adjustPoints adds and spends atomically, never below zero, with a timeline entry', async () => {
    const [row] = await t.db.db.select({ points: schema.customers.points }).from(schema.customers).where(eq(schema.customers.id, id));
    const start = row!.points;
    expect(await adjustPoints(t.ctx, null, id, 120, 'birthday bonus')).toBe(start + 120);
    expect(await adjustPoints(t.ctx, null, id, -20)).toBe(start + 100);
    await expect(adjustPoints(t.ctx, null, id, -(start + 101))).rejects.toThrow(/cannot take/);
    const [after] = await t.db.db.select({ points: schema.customers.points }).from(schema.customers).where(eq(schema.customers.id, id));
    expect(after!.points).toBe(start + 100);
    const tl = await t.http.get(`/api/customers/${id}/timeline?kind=system`).set(admin.auth);
    expect(tl.body.items.some((i: { body: string }) => i.body.includes('+120 points: birthday bonus'))).toBe(true);
  });

  it('archive and restore', async () => {
    const a = await t.http.post(`/api/customers/${id}/archive`).set(agentA.auth);
    expect(a.body.archivedAt).not.toBeNull();
    const list = await t.http.get('/api/customers').set(admin.auth);
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    const archived = await t.http.get('/api/customers?archived=true').set(admin.auth);
    expect(archived.body.items.map((c: { id: string }) => c.id)).toContain(id);
    const r = await t.http.post(`/api/customers/${id}/restore`).set(agentA.auth);
    expect(r.body.archivedAt).toBeNull();
  });

  it('erases a customer on request: row, tags and timeline gone; audit keeps no personal data', async () => {
    const res = await t.http.delete(`/api/customers/${id}?reason=GDPR%20request`).set(admin.auth);
    expect(res.status).toBe(204);
    expect(await t.db.db.select().from(schema.customers).where(eq(schema.customers.id, id))).toHaveLength(0);
    expect(await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.customerId, id))).toHaveLength(0);
    const entries = await t.db.db.select().from(schema.auditLog).where(eq(schema.auditLog.entityId, id));
    expect(entries.find((e) => e.action === 'customer.erase')).toBeTruthy();
    expect(JSON.stringify(entries)).not.toContain('0912');
    expect(t.events).toContainEqual({ type: 'customer.erased', customerId: id });
    expect((await t.http.delete(`/api/customers/${id}`).set(admin.auth)).status).toBe(404);
  });

  it('the audit log is readable by admins and managers, filtered and paged', async () => {
    expect((await t.http.get('/api/audit').set(agentA.auth)).status).toBe(403);
    const res = await t.http.get(`/api/audit?entityId=${id}&limit=2`).set(manager.auth);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0].action).toBe('customer.erase');
    const next = await t.http.get(`/api/audit?entityId=${id}&before=${res.body.nextBefore}&limit=500`).set(manager.auth);
    const actions = [...res.body.items, ...next.body.items].map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['customer.create', 'customer.update', 'customer.view_sensitive', 'customer.export', 'customer.merge', 'customer.erase']));
  });

  it('requires a session', async () => {
    const res = await t.http.get('/api/customers');
    expect(res.status).toBe(401);
  });
});
