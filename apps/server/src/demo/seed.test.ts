import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, isNotNull } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp } from '../http/testing.js';
import { seedDemoData } from './seed.js';
import { prepareCustomerData } from './startup.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('demo data', () => {
  it('loads realistic customers once (idempotent)', async () => {
    const first = await seedDemoData(t.db, { customers: 600 });
    expect(first).toMatchObject({ skipped: false, customers: 600 });
    expect(first.interactions).toBeGreaterThan(600);
    const again = await seedDemoData(t.db, { customers: 600 });
    expect(again.skipped).toBe(true);
    const [n] = await t.db.db.select({ n: count() }).from(schema.customers);
    expect(n!.n).toBe(600);

    const names = (await t.db.db.select({ n: schema.customers.fullName }).from(schema.customers)).map((r) => r.n);
    expect(names.some((n) => /\p{Script=Han}/u.test(n))).toBe(true);
    expect(names.some((n) => /[áéíóúñ]/i.test(n))).toBe(true);
    const raws = (await t.db.db.select({ r: schema.customers.phoneRaw, p: schema.customers.phone }).from(schema.customers).where(isNotNull(schema.customers.phoneRaw)));
    expect(raws.some((x) => /^09\d\d-\d{3}-\d{3}$/.test(x.r!))).toBe(true);
    expect(raws.some((x) => /^\(\d{3}\) \d{3}-\d{4}$/.test(x.r!))).toBe(true);
    expect(raws.every((x) => x.p === null || /^\+\d{8,15}$/.test(x.p))).toBe(true);

    // lastInteractionAt is consistent with the timeline
    const [mismatch] = await t.db.sql.query<{ n: number }>(
      'select count(*)::int as n from customers c where c.last_interaction_at is distinct from (select max(occurred_at) from interactions i where i.customer_id = c.id)',
    );
    expect(mismatch!.n).toBe(0);
  });

  it('the demo agents see their team’s customers through the API and the saved segment counts', async () => {
    const admin = await t.user('admin');
    const segs = await t.http.get('/api/segments').set(admin.auth);
    expect(segs.body.items[0].name).toBe('Cold potentials');
    const count = await t.http.get(`/api/segments/${segs.body.items[0].id}/count`).set(admin.auth);
    expect(count.body.count).toBeGreaterThan(0);
    const login = await t.http.post('/api/auth/login').send({ email: 'lucia.martin@nudge.local', password: 'nudge-demo' });
    expect(login.status).toBe(200);
    const list = await t.http.get('/api/customers?pageSize=200').set('Authorization', `Bearer ${login.body.token}`);
    expect(list.body.total).toBeGreaterThan(0);
    expect(list.body.items.every((c: { timezone: string }) => c.timezone === 'Europe/Madrid')).toBe(true);
    expect(list.body.items.every((c: { masked: boolean }) => c.masked)).toBe(true);
  });

  it('prepareCustomerData: first-run admin from env, demo data on an empty database only', async () => {
    const fresh = await createTestApp();
    try {
      const env = { NUDGE_ADMIN_EMAIL: 'Boss@Example.com', NUDGE_ADMIN_PASSWORD: 'boss-password', NUDGE_DEMO_CUSTOMERS: '40' };
      expect((await prepareCustomerData(fresh.db, env)).demo).toMatchObject({ skipped: false, customers: 40 });
      expect((await prepareCustomerData(fresh.db, env)).demo).toMatchObject({ skipped: true });
      const login = await fresh.http.post('/api/auth/login').send({ email: 'boss@example.com', password: 'boss-password' });
      expect(login.status).toBe(200);
      expect(login.body.user.role).toBe('admin');
      const none = await createTestApp();
      try {
        expect((await prepareCustomerData(none.db, { NUDGE_DEMO_DATA: '0' })).demo).toBeNull();
        const [n] = await none.db.db.select({ n: count() }).from(schema.customers);
        expect(n!.n).toBe(0);
      } finally {
        await none.close();
      }
    } finally {
      await fresh.close();
    }
  });
});
