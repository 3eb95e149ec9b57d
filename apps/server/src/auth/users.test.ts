// The rules of users and roles: first password changed at first login, disabled users locked
// out, admins only, duplicate e-mails and weak passwords refused at their field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { passwordProblem } from './password-policy.js';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
});
afterAll(() => t.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
let n = 0;
const newEmail = () => `colleague${++n}.${Date.now()}@example.com`;

async function invite(role = 'viewer', password = 'first-pass-42') {
  const email = newEmail();
  const res = await t.http.post('/api/users').set(admin.auth).send({ email, name: `Colleague ${n}`, role, password });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, email, password };
}

describe('users and roles', () => {
  it('a user an admin added must change the first password before anything else answers', async () => {
    const u = await invite('viewer');
    const login = await t.http.post('/api/auth/login').send({ email: u.email, password: u.password });
    expect(login.status).toBe(200);
    expect(login.body.passwordChangeRequired).toBe(true);
    expect(login.body.user.mustChangePassword).toBe(true);
    const token = login.body.token as string;

    // everything but me / password / logout refuses with a clear code
    for (const path of ['/api/flows', '/api/customers', '/api/conversations']) {
      const r = await t.http.get(path).set(bearer(token));
      expect(r.status, path).toBe(403);
      expect(r.body.error.code).toBe('password_change_required');
    }
    expect((await t.http.get('/api/auth/me').set(bearer(token))).body.mustChangePassword).toBe(true);

    // a second session (another tab) that must end when the password changes
    const other = await t.http.post('/api/auth/login').send({ email: u.email, password: u.password });

    const wrong = await t.http.post('/api/auth/password').set(bearer(token)).send({ currentPassword: 'not-it-at-all', newPassword: 'a-fresh-secret-9' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('wrong_password');
    expect(wrong.body.error.details[0].path).toBe('body.currentPassword');

    const same = await t.http.post('/api/auth/password').set(bearer(token)).send({ currentPassword: u.password, newPassword: u.password });
    expect(same.status).toBe(400);
    expect(same.body.error.details[0]).toMatchObject({ path: 'body.newPassword', code: 'weak_password', reason: 'same_as_current' });

    const weak = await t.http.post('/api/auth/password').set(bearer(token)).send({ currentPassword: u.password, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('weak_password');
    expect(weak.body.error.details[0]).toMatchObject({ path: 'body.newPassword', reason: 'too_short' });
    expect(weak.body.error.message).toMatch(/at least 8 characters/);

    const ok = await t.http.post('/api/auth/password').set(bearer(token)).send({ currentPassword: u.password, newPassword: 'a-fresh-secret-9' });
    expect(ok.status).toBe(200);
    expect(ok.body.mustChangePassword).toBe(false);
    expect((await t.http.get('/api/flows').set(bearer(token))).status).toBe(200);
    expect((await t.http.get('/api/auth/me').set(bearer(other.body.token))).status).toBe(401);

    expect((await t.http.post('/api/auth/login').send({ email: u.email, password: u.password })).status).toBe(401);
    const again = await t.http.post('/api/auth/login').send({ email: u.email, password: 'a-fresh-secret-9' });
    expect(again.status).toBe(200);
    expect(again.body.passwordChangeRequired).toBe(false);
  });

  it('a password an admin resets must be changed again; the old sessions end', async () => {
    const u = await invite('agent');
    const first = await t.http.post('/api/auth/login').send({ email: u.email, password: u.password });
    await t.http.post('/api/auth/password').set(bearer(first.body.token)).send({ currentPassword: u.password, newPassword: 'mine-and-only-mine' });
    const reset = await t.http.patch(`/api/users/${u.id}`).set(admin.auth).send({ password: 'temporary-77-x' });
    expect(reset.status).toBe(200);
    expect(reset.body.mustChangePassword).toBe(true);
    expect((await t.http.get('/api/auth/me').set(bearer(first.body.token))).status).toBe(401);
    const login = await t.http.post('/api/auth/login').send({ email: u.email, password: 'temporary-77-x' });
    expect(login.body.passwordChangeRequired).toBe(true);
  });

  it('a disabled user cannot sign in and their sessions stop; enabled again they can', async () => {
    const u = await invite('agent');
    const login = await t.http.post('/api/auth/login').send({ email: u.email, password: u.password });
    const token = login.body.token as string;
    const off = await t.http.patch(`/api/users/${u.id}`).set(admin.auth).send({ active: false });
    expect(off.status).toBe(200);
    expect((await t.http.get('/api/auth/me').set(bearer(token))).status).toBe(401);
    const refused = await t.http.post('/api/auth/login').send({ email: u.email, password: u.password });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_disabled');
    // a wrong password still says only "wrong e-mail or password"
    expect((await t.http.post('/api/auth/login').send({ email: u.email, password: 'guess-guess' })).body.error.code).toBe('invalid_credentials');
    const list = await t.http.get('/api/users').set(admin.auth);
    expect(list.body.items.find((x: { id: string }) => x.id === u.id).active).toBe(false);

    expect((await t.http.patch(`/api/users/${u.id}`).set(admin.auth).send({ active: true })).status).toBe(200);
    expect((await t.http.post('/api/auth/login').send({ email: u.email, password: u.password })).status).toBe(200);
  });

  it('a disabled user whose session survived (a race) is still refused', async () => {
    const u = await t.user('agent');
    await t.db.db.update(schema.users).set({ active: false }).where(eq(schema.users.id, u.id));
    const r = await t.http.get('/api/flows').set(u.auth);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('account_disabled');
  });

  it('only admins add or change users (403 for the others, nothing changed)', async () => {
    const target = await invite('agent');
    for (const role of ['manager', 'agent', 'viewer'] as const) {
      const who = await t.user(role);
      const add = await t.http.post('/api/users').set(who.auth).send({ email: newEmail(), name: 'X', role: 'admin', password: 'first-pass-42' });
      expect(add.status, role).toBe(403);
      expect(add.body.error.code).toBe('forbidden');
      const patch = await t.http.patch(`/api/users/${target.id}`).set(who.auth).send({ role: 'admin' });
      expect(patch.status, role).toBe(403);
      if (role !== 'manager') expect((await t.http.get('/api/users').set(who.auth)).status, role).toBe(403);
    }
    const [row] = await t.db.db.select().from(schema.users).where(eq(schema.users.id, target.id));
    expect(row!.role).toBe('agent');
  });

  it('a duplicate e-mail is refused at the e-mail field, whatever its case', async () => {
    const u = await invite('agent');
    const dup = await t.http.post('/api/users').set(admin.auth).send({ email: u.email.toUpperCase(), name: 'Twin', role: 'agent', password: 'first-pass-42' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('email_taken');
    expect(dup.body.error.details).toEqual([expect.objectContaining({ path: 'body.email', code: 'email_taken' })]);
    const other = await invite('agent');
    const rename = await t.http.patch(`/api/users/${other.id}`).set(admin.auth).send({ email: u.email });
    expect(rename.status).toBe(409);
    expect(rename.body.error.details[0].path).toBe('body.email');
    // keeping one's own e-mail is not a duplicate
    expect((await t.http.patch(`/api/users/${u.id}`).set(admin.auth).send({ email: u.email, name: 'Same mail' })).status).toBe(200);
  });

  it('a weak first password is refused saying what is required; nothing is created', async () => {
    const email = newEmail();
    for (const [password, reason] of [['short1', 'too_short'], ['password123', 'common'], ['aaaaaaaaaa', 'common'], [`${email.split('@')[0]}!`, 'personal']] as const) {
      const r = await t.http.post('/api/users').set(admin.auth).send({ email, name: 'Weak', role: 'viewer', password });
      expect(r.status, password).toBe(400);
      expect(r.body.error.code).toBe('weak_password');
      expect(r.body.error.details[0]).toMatchObject({ path: 'body.password', reason });
    }
    expect(await t.db.db.select().from(schema.users).where(eq(schema.users.email, email))).toHaveLength(0);
  });

  it('an unknown team is refused at the team field; a team is kept', async () => {
    const bad = await t.http.post('/api/users').set(admin.auth).send({ email: newEmail(), name: 'T', role: 'agent', password: 'first-pass-42', teamId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'body.teamId', code: 'unknown_team' });
    const team = await t.team();
    const ok = await t.http.post('/api/users').set(admin.auth).send({ email: newEmail(), name: 'T', role: 'agent', password: 'first-pass-42', teamId: team });
    expect(ok.body.teamId).toBe(team);
  });

  it('an admin cannot disable or demote themselves', async () => {
    expect((await t.http.patch(`/api/users/${admin.id}`).set(admin.auth).send({ active: false })).body.error.code).toBe('self_lockout');
    expect((await t.http.patch(`/api/users/${admin.id}`).set(admin.auth).send({ role: 'viewer' })).body.error.code).toBe('self_lockout');
  });

  it('password policy', () => {
    expect(passwordProblem('correct horse')).toBeNull();
    expect(passwordProblem('七個字的密碼不行')).toBeNull(); // 8 characters
    expect(passwordProblem('七個字的密碼')).toBe('too_short');
    expect(passwordProblem('Maria Lopez 1', { name: 'María López' })).toBeNull(); // accents differ: not the same string
    expect(passwordProblem('marialopez1', { name: 'Maria Lopez' })).toBe('personal');
  });
});

describe('agent details and teams', () => {
  it('a new agent gets a routing profile with the team\'s hours; an admin sets skills, languages and hours; assignment reads them', async () => {
    const team = await t.team();
    await t.db.db.insert(schema.teamInboxSettings).values({ teamId: team, timezone: 'Asia/Taipei', periods: [{ weekday: 1, start: '09:00', end: '12:00' }] });
    const add = await t.http.post('/api/users').set(admin.auth).send({ email: newEmail(), name: 'New Agent', role: 'agent', password: 'first-pass-42', teamId: team });
    const list = await t.http.get('/api/users').set(admin.auth);
    const row = list.body.items.find((x: { id: string }) => x.id === add.body.id);
    expect(row.agent).toMatchObject({ timezone: 'Asia/Taipei', workingHours: [{ weekday: 1, start: '09:00', end: '12:00' }], maxOpen: 6, skills: [] });

    const body = {
      skills: ['technical', 'product:machines', 'technical'],
      languages: ['zh-Hant', 'en'],
      workingHours: [{ weekday: 1, start: '09:00', end: '12:00' }, { weekday: 1, start: '13:30', end: '18:00' }],
      timezone: 'Asia/Taipei',
      maxOpen: 5,
    };
    const put = await t.http.put(`/api/users/${add.body.id}/agent-profile`).set(admin.auth).send(body);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ skills: ['technical', 'product:machines'], languages: ['zh-Hant', 'en'], maxOpen: 5, supervisor: false });
    const { loadCandidates } = await import('../conversations/assignment.js');
    const monday1000Taipei = new Date('2026-11-30T02:00:00Z');
    const sunday = new Date('2026-11-29T02:00:00Z');
    const c = (await loadCandidates(t.db.db, monday1000Taipei, team)).find((x) => x.userId === add.body.id)!;
    expect(c).toMatchObject({ skills: ['technical', 'product:machines'], languages: ['zh-Hant', 'en'], maxOpen: 5, onShift: true });
    expect((await loadCandidates(t.db.db, sunday, team)).find((x) => x.userId === add.body.id)!.onShift).toBe(false);
  });

  it('bad working hours, an unknown time zone or language are refused at their field; others may not edit', async () => {
    const u = await invite('agent');
    const ok = { skills: [], languages: ['en'], workingHours: [], timezone: 'UTC', maxOpen: 6 };
    const cases: [Record<string, unknown>, string][] = [
      [{ workingHours: [{ weekday: 1, start: '18:00', end: '09:00' }] }, 'body.workingHours.0.end'],
      [{ workingHours: [{ weekday: 8, start: '09:00', end: '10:00' }] }, 'body.workingHours.0.weekday'],
      [{ workingHours: [{ weekday: 2, start: '9am', end: '10:00' }] }, 'body.workingHours.0.start'],
      [{ workingHours: [{ weekday: 2, start: '09:00', end: '12:00' }, { weekday: 2, start: '11:00', end: '13:00' }] }, 'body.workingHours.1.start'],
      [{ timezone: 'Mars/Olympus' }, 'body.timezone'],
      [{ languages: ['fr'] }, 'body.languages.0'],
      [{ maxOpen: 0 }, 'body.maxOpen'],
    ];
    for (const [change, path] of cases) {
      const r = await t.http.put(`/api/users/${u.id}/agent-profile`).set(admin.auth).send({ ...ok, ...change });
      expect(r.status, path).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path), path).toContain(path);
    }
    const manager = await t.user('manager');
    expect((await t.http.put(`/api/users/${u.id}/agent-profile`).set(manager.auth).send(ok)).status).toBe(403);
    expect((await t.http.put('/api/users/00000000-0000-4000-8000-000000000000/agent-profile').set(admin.auth).send(ok)).status).toBe(404);
  });

  it('teams: create, rename; a taken name is refused at the name field; only admins', async () => {
    const a = await t.http.post('/api/teams').set(admin.auth).send({ name: 'Support North' });
    expect(a.status).toBe(201);
    await t.http.post('/api/teams').set(admin.auth).send({ name: 'Support South' });
    const dup = await t.http.post('/api/teams').set(admin.auth).send({ name: 'Support South' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details[0]).toMatchObject({ path: 'body.name', code: 'team_name_taken' });
    const clash = await t.http.patch(`/api/teams/${a.body.id}`).set(admin.auth).send({ name: 'Support South' });
    expect(clash.status).toBe(409);
    const renamed = await t.http.patch(`/api/teams/${a.body.id}`).set(admin.auth).send({ name: 'Support Centre' });
    expect(renamed.body.name).toBe('Support Centre');
    const agent = await t.user('agent');
    expect((await t.http.patch(`/api/teams/${a.body.id}`).set(agent.auth).send({ name: 'Mine' })).status).toBe(403);
    expect((await t.http.post('/api/teams').set(agent.auth).send({ name: 'Mine' })).status).toBe(403);
  });
});

describe('business hours per team', () => {
  it('an admin sets periods with a lunch break and a holiday; the rule tester and auto-replies use them at once', async () => {
    const team = await t.team();
    const before = await t.http.get(`/api/teams/${team}/inbox-settings`).set(admin.auth);
    expect(before.body).toMatchObject({ configured: false, periods: [] });
    const body = {
      timezone: 'Asia/Taipei',
      periods: [{ weekday: 1, start: '09:00', end: '12:00' }, { weekday: 1, start: '13:30', end: '18:00' }],
      holidays: ['2026-12-07', '2026-12-07'],
      isDefault: true,
    };
    const put = await t.http.put(`/api/teams/${team}/inbox-settings`).set(admin.auth).send(body);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ configured: true, timezone: 'Asia/Taipei', holidays: ['2026-12-07'], isDefault: true });
    const test = async (at: string) => (await t.http.post('/api/auto-replies/test').set(admin.auth).send({ text: 'hello', at, teamId: team })).body.inHours;
    expect(await test('2026-11-30T02:00:00Z')).toBe(true); // Monday 10:00 Taipei
    expect(await test('2026-11-30T05:00:00Z')).toBe(false); // Monday 13:00: lunch
    expect(await test('2026-11-30T06:00:00Z')).toBe(true); // Monday 14:00
    expect(await test('2026-12-07T02:00:00Z')).toBe(false); // Monday, a holiday
    // a second default team takes the flag over
    const other = await t.team();
    await t.http.put(`/api/teams/${other}/inbox-settings`).set(admin.auth).send({ ...body, isDefault: true });
    expect((await t.http.get(`/api/teams/${team}/inbox-settings`).set(admin.auth)).body.isDefault).toBe(false);
  });

  it('overlapping periods, a bad date or time zone are refused at their field; unknown team 404; agents 403', async () => {
    const team = await t.team();
    const ok = { timezone: 'UTC', periods: [], holidays: [] };
    for (const [change, path] of [
      [{ periods: [{ weekday: 3, start: '09:00', end: '12:00' }, { weekday: 3, start: '11:30', end: '14:00' }] }, 'body.periods.1.start'],
      [{ holidays: ['7/12/2026'] }, 'body.holidays.0'],
      [{ timezone: 'Taipei' }, 'body.timezone'],
    ] as const) {
      const r = await t.http.put(`/api/teams/${team}/inbox-settings`).set(admin.auth).send({ ...ok, ...change });
      expect(r.status, path).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await t.http.put('/api/teams/00000000-0000-4000-8000-000000000000/inbox-settings').set(admin.auth).send(ok)).status).toBe(404);
    const agent = await t.user('agent');
    expect((await t.http.put(`/api/teams/${team}/inbox-settings`).set(agent.auth).send(ok)).status).toBe(403);
  });
});

describe('the colleague directory', () => {
  it('any role reads names (not e-mails) so owners and assignees show as names', async () => {
    const viewerUser = await t.user('viewer', { name: 'Vicky Viewer' });
    const r = await t.http.get('/api/users/directory').set(viewerUser.auth);
    expect(r.status).toBe(200);
    const me = r.body.items.find((x: { id: string }) => x.id === viewerUser.id);
    expect(me).toEqual({ id: viewerUser.id, name: 'Vicky Viewer', role: 'viewer', teamId: null, active: true });
    expect(JSON.stringify(r.body)).not.toContain('@');
    // the full list stays for admins and managers
    expect((await t.http.get('/api/users').set(viewerUser.auth)).status).toBe(403);
  });
});
