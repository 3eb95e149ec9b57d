import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp } from '../http/testing.js';
import { hashPassword, verifyPassword } from '../http/passwords.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('auth', () => {
  it('hashes passwords with scrypt and verifies them', async () => {
    const h = await hashPassword('s3cret');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('s3cret', h)).toBe(true);
    expect(await verifyPassword('wrong', h)).toBe(false);
  });

  it('first run seeds the admin; login returns a token; /me works; logout invalidates it', async () => {
    const res = await t.http.post('/api/auth/login').send({ email: 'ADMIN@nudge.local', password: 'nudge-admin' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: 'admin@nudge.local', role: 'admin' });
    const token = res.body.token as string;
    expect(token.length).toBeGreaterThanOrEqual(40);
    // only the hash is stored
    const stored = await t.db.db.select().from(schema.sessions);
    expect(stored.some((s) => s.tokenHash === token)).toBe(false);

    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe('admin@nudge.local');

    expect((await t.http.post('/api/auth/logout').set('Authorization', `Bearer ${token}`)).status).toBe(204);
    const after = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const a = await t.http.post('/api/auth/login').send({ email: 'admin@nudge.local', password: 'nope' });
    const b = await t.http.post('/api/auth/login').send({ email: 'ghost@nudge.local', password: 'nope' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body).toEqual(b.body);
  });

  it('rejects a malformed body with 400 naming the field', async () => {
    const res = await t.http.post('/api/auth/login').send({ email: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.password' }));
  });

  it('invalid JSON → 400 invalid_json; unknown API route → 404', async () => {
    const bad = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const nf = await t.http.get('/api/nothing-here');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');
  });

  it('admin creates users; a manager may not (403, nothing created)', async () => {
    const admin = await t.user('admin');
    const manager = await t.user('manager');
    const body = { email: 'Agent.One@Example.com', name: 'Agent One', password: 'first-pass-42', role: 'agent' };
    const denied = await t.http.post('/api/users').set(manager.auth).send(body);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect(await t.db.db.select().from(schema.users).where(eq(schema.users.email, 'agent.one@example.com'))).toHaveLength(0);

    const ok = await t.http.post('/api/users').set(admin.auth).send(body);
    expect(ok.status).toBe(201);
    expect(ok.body.email).toBe('agent.one@example.com');
    const login = await t.http.post('/api/auth/login').send({ email: 'agent.one@example.com', password: 'first-pass-42' });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('agent');

    const dup = await t.http.post('/api/users').set(admin.auth).send(body);
    expect(dup.status).toBe(409);

    // disabling a user ends their sessions
    const off = await t.http.patch(`/api/users/${ok.body.id}`).set(admin.auth).send({ active: false });
    expect(off.status).toBe(200);
    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${login.body.token}`);
    expect(me.status).toBe(401);
  });

  it('limits repeated failed logins per address and email (429), successes do not count', async () => {
    const other = await t.http.post('/api/auth/login').send({ email: 'admin@nudge.local', password: 'nudge-admin' });
    expect(other.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await t.http.post('/api/auth/login').send({ email: 'victim@nudge.local', password: `guess-${i}` })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await t.http.post('/api/auth/login').send({ email: 'victim@nudge.local', password: 'again' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    // another account from the same address is not blocked
    expect((await t.http.post('/api/auth/login').send({ email: 'admin@nudge.local', password: 'nudge-admin' })).status).toBe(200);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await t.http.get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const login = res.body.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.properties).toHaveProperty('password');
    expect(res.body.paths['/api/users/{id}'].patch.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
  });
});
