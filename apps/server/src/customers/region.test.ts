// Customers added or changed by hand read a phone without +country code in the organisation's
// country (Settings → Import, PUT /api/import/settings), not the server's NUDGE_DEFAULT_REGION;
// a number not valid there is a field error, never a guess.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';

let t: TestApp;
let admin: TestUser, agent: TestUser, viewer: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
  agent = await t.user('agent');
  viewer = await t.user('viewer');
});
afterAll(() => t.close());

describe("hand-added customers and the organisation's country", () => {
  it('everyone who adds customers reads the country (with the list to choose from); viewers are not asked', async () => {
    const r = await t.http.get('/api/import/settings').set(agent.auth);
    expect(r.status).toBe(200);
    expect(r.body.defaultRegion).toBe('TW'); // unset: NUDGE_DEFAULT_REGION
    expect(r.body.regions).toEqual(expect.arrayContaining(['TW', 'ES', 'US']));
    expect((await t.http.get('/api/import/settings').set(viewer.auth)).status).toBe(403);
  });

  it('with Spain set, a Spanish local number is saved as +34 on create and on edit; a Taiwanese local one is a field error', async () => {
    expect((await t.http.put('/api/import/settings').set(admin.auth).send({ defaultRegion: 'ES' })).status).toBe(200);

    const ana = await t.http.post('/api/customers').set(agent.auth).send({ fullName: 'Ana Ruiz', phone: '612 345 679' });
    expect(ana.status).toBe(201);
    const stored = await t.http.get(`/api/customers/${ana.body.id}`).set(admin.auth);
    expect(stored.body.phone).toBe('+34612345679');

    const tw = await t.http.post('/api/customers').set(agent.auth).send({ fullName: '王小明', phone: '0912 345 678' });
    expect(tw.status).toBe(400);
    expect(tw.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.phone', code: 'invalid_phone_for_region', value: 'ES', message: expect.stringContaining('not a valid phone number in ES') }),
    ]);
    expect(tw.body.error.message).not.toMatch(/\+886/);

    // the same number with its own country chosen on the form is fine
    const twOk = await t.http.post('/api/customers').set(agent.auth).send({ fullName: '王小明', phone: '0912 345 678', phoneRegion: 'TW' });
    expect(twOk.status).toBe(201);
    expect((await t.http.get(`/api/customers/${twOk.body.id}`).set(admin.auth)).body.phone).toBe('+886912345678');

    // edit: a local number is read in the organisation's country too
    const edited = await t.http.patch(`/api/customers/${twOk.body.id}`).set(admin.auth).send({ phone: '699 111 222' });
    expect(edited.status).toBe(200);
    expect(edited.body.phone).toBe('+34699111222');
    const badEdit = await t.http.patch(`/api/customers/${twOk.body.id}`).set(admin.auth).send({ phone: '0912 345 678' });
    expect(badEdit.status).toBe(400);
    expect(badEdit.body.error.details[0]).toMatchObject({ path: 'body.phone', code: 'invalid_phone_for_region' });
    expect((await t.http.get(`/api/customers/${twOk.body.id}`).set(admin.auth)).body.phone).toBe('+34699111222');
  });

  it('a wrong number written with its +country code says so without naming a region', async () => {
    const r = await t.http.post('/api/customers').set(admin.auth).send({ fullName: 'Nobody', phone: '+34 12' });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatchObject({ path: 'body.phone', code: 'invalid_phone' });
  });
});
