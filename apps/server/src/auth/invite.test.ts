// Invitations by e-mail through the real SMTP adapter and the local SMTP stand-in: the link works
// once, for 7 days, not after a resend; the same invite posted 3 times at once makes one user and
// one mail; the e-mail is in the invite's language; an admin may still set a password instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createChannels, SqlIdempotencyStore } from '@nudge/channels';
import { startSmtpStandIn, type ReceivedEmail, type SmtpStandIn } from '@nudge/channels/standins';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';
import { hashToken } from '../http/auth.js';

let t: TestApp;
let admin: TestUser;
let smtp: SmtpStandIn;
beforeAll(async () => {
  smtp = await startSmtpStandIn({ port: 0 });
  t = await createTestApp();
  t.ctx.channels = createChannels(
    { email: { host: smtp.host, port: smtp.port, from: 'Nudge <noreply@nudge.test>', ignoreTLS: true } },
    { store: new SqlIdempotencyStore(t.db.sql) },
  );
  admin = await t.user('admin', { name: 'Ada Admin' });
});
afterAll(async () => {
  await t.ctx.channels?.close();
  await t.close();
  await smtp.close();
});

let n = 0;
const newEmail = () => `invitee${++n}.${Date.now()}@example.com`;
const mailsTo = (email: string) => smtp.messages.filter((m) => m.envelopeTo.includes(email));
async function mailTo(email: string, count = 1): Promise<ReceivedEmail> {
  for (let i = 0; i < 100 && mailsTo(email).length < count; i++) await new Promise((r) => setTimeout(r, 50));
  const all = mailsTo(email);
  expect(all.length).toBe(count);
  return all[count - 1]!;
}
const tokenOf = (m: ReceivedEmail) => {
  const link = /https?:\/\/\S+\/#\/invite\/([A-Za-z0-9_-]+)/.exec(m.text);
  expect(link, m.text).not.toBeNull();
  return link![1]!;
};
const listed = async (id: string) => {
  const r = await t.http.get('/api/users').set(admin.auth);
  return r.body.items.find((u: { id: string }) => u.id === id);
};

describe('invite a user by e-mail', () => {
  it('invited → mail with a one-time link → choose a password → signed in; the link then refuses', async () => {
    const email = newEmail();
    const res = await t.http.post('/api/users/invite').set(admin.auth).set('Host', 'nudge.example.com').send({ email, name: 'Inés Ruiz', role: 'agent', language: 'es' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email, status: 'invited', mustChangePassword: false, invite: { sent: true, error: null } });
    const expires = Date.parse(res.body.invite.expiresAt);
    expect(expires - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);

    const mail = await mailTo(email);
    expect(mail.subject).toBe('Ada Admin te ha invitado a Nudge');
    expect(mail.text).toContain('Hola, Inés Ruiz');
    expect(mail.text).toContain('como agente');
    expect(mail.text).toContain('http://nudge.example.com/#/invite/');
    const token = tokenOf(mail);
    // only the hash is stored
    const [row] = await t.db.db.select().from(schema.userInvites).where(eq(schema.userInvites.userId, res.body.id));
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    expect(await listed(res.body.id)).toMatchObject({ status: 'invited', active: true, inviteExpiresAt: res.body.invite.expiresAt });
    // no password works before accepting
    expect((await t.http.post('/api/auth/login').send({ email, password: 'anything-at-all-1' })).status).toBe(401);

    const check = await t.http.post('/api/auth/invite/check').send({ token });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ name: 'Inés Ruiz', language: 'es' });
    expect(check.body.email).toMatch(/^in\*\*\*@example\.com$/); // masked: a leaked link shows no address

    const weak = await t.http.post('/api/auth/invite/accept').send({ token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details[0]).toMatchObject({ path: 'body.password', code: 'weak_password', reason: 'too_short' });

    const ok = await t.http.post('/api/auth/invite/accept').send({ token, password: 'my-own-secret-77' });
    expect(ok.status).toBe(200);
    expect(ok.body.passwordChangeRequired).toBe(false);
    const me = await t.http.get('/api/auth/me').set({ Authorization: `Bearer ${ok.body.token}` });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, mustChangePassword: false });
    expect((await t.http.get('/api/conversations').set({ Authorization: `Bearer ${ok.body.token}` })).status).toBe(200);
    expect(await listed(res.body.id)).toMatchObject({ status: 'active', inviteExpiresAt: null });
    expect((await t.http.post('/api/auth/login').send({ email, password: 'my-own-secret-77' })).status).toBe(200);

    // one use
    const again = await t.http.post('/api/auth/invite/accept').send({ token, password: 'another-secret-88' });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('invite_used');
    expect((await t.http.post('/api/auth/invite/check').send({ token })).body.error.code).toBe('invite_used');
    expect((await t.http.post('/api/auth/login').send({ email, password: 'another-secret-88' })).status).toBe(401);
    // nothing to resend once accepted
    const resend = await t.http.post(`/api/users/${res.body.id}/invite`).set(admin.auth).send({});
    expect(resend.status).toBe(409);
    expect(resend.body.error.code).toBe('not_invited');
  });

  it('"Resend invite" makes a new link in a new mail and the old link stops working', async () => {
    const email = newEmail();
    const res = await t.http.post('/api/users/invite').set(admin.auth).send({ email, name: '陳小美', role: 'viewer', language: 'zh-Hant' });
    expect(res.status).toBe(201);
    const first = await mailTo(email);
    expect(first.subject).toBe('Ada Admin 邀請您加入 Nudge');
    expect(first.text).toContain('唯讀使用者');
    const old = tokenOf(first);

    const resend = await t.http.post(`/api/users/${res.body.id}/invite`).set(admin.auth).send({});
    expect(resend.status).toBe(200);
    expect(resend.body.sent).toBe(true);
    const second = await mailTo(email, 2);
    expect(second.subject).toBe('Ada Admin 邀請您加入 Nudge'); // the invite's language is kept
    const fresh = tokenOf(second);
    expect(fresh).not.toBe(old);
    expect(second.messageId).not.toBe(first.messageId);

    const stale = await t.http.post('/api/auth/invite/accept').send({ token: old, password: 'a-good-secret-31' });
    expect(stale.status).toBe(410);
    expect(stale.body.error.code).toBe('invite_replaced');
    expect((await t.http.post('/api/auth/invite/accept').send({ token: fresh, password: 'a-good-secret-31' })).status).toBe(200);
    // exactly one open link existed, and now none
    const open = (await t.db.db.select().from(schema.userInvites).where(eq(schema.userInvites.userId, res.body.id))).filter((r) => !r.usedAt && !r.revokedAt);
    expect(open).toEqual([]);
  });

  it('a link older than 7 days is refused as expired; an unknown one as unknown', async () => {
    const email = newEmail();
    const res = await t.http.post('/api/users/invite').set(admin.auth).send({ email, name: 'Late Larry', role: 'agent' });
    const token = tokenOf(await mailTo(email));
    expect((await mailTo(email)).subject).toBe('Ada Admin invited you to Nudge'); // no language given: English
    const real = t.ctx.now;
    t.ctx.now = () => new Date(Date.now() + 7 * 86_400_000 + 1000);
    try {
      const late = await t.http.post('/api/auth/invite/accept').send({ token, password: 'a-good-secret-31' });
      expect(late.status).toBe(410);
      expect(late.body.error.code).toBe('invite_expired');
      expect((await t.http.post('/api/auth/invite/check').send({ token })).body.error.code).toBe('invite_expired');
    } finally {
      t.ctx.now = real;
    }
    expect(await listed(res.body.id)).toMatchObject({ status: 'invited' });
    const unknown = await t.http.post('/api/auth/invite/check').send({ token: 'x'.repeat(43) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('invite_unknown');
    expect((await t.http.post('/api/auth/invite/accept').send({ password: 'a-good-secret-31' })).status).toBe(400);
  });

  it('the same invite posted 3 times at once → one user, one link, one e-mail', async () => {
    const email = newEmail();
    const body = { email, name: 'Triple Tom', role: 'agent', language: 'zh-Hans' };
    const answers = await Promise.all([1, 2, 3].map(() => t.http.post('/api/users/invite').set(admin.auth).send(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('email_taken');
    expect(await t.db.db.select().from(schema.users).where(eq(schema.users.email, email))).toHaveLength(1);
    const id = answers.find((a) => a.status === 201)!.body.id as string;
    expect(await t.db.db.select().from(schema.userInvites).where(eq(schema.userInvites.userId, id))).toHaveLength(1);
    const mail = await mailTo(email);
    expect(mail.subject).toBe('Ada Admin 邀请您加入 Nudge');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('an admin may still set a password instead: the user is active (must change it) and the link stops working', async () => {
    const email = newEmail();
    const res = await t.http.post('/api/users/invite').set(admin.auth).send({ email, name: 'Pat Password', role: 'agent' });
    const token = tokenOf(await mailTo(email));
    const set = await t.http.patch(`/api/users/${res.body.id}`).set(admin.auth).send({ password: 'first-pass-42' });
    expect(set.status).toBe(200);
    expect(await listed(res.body.id)).toMatchObject({ status: 'active', mustChangePassword: true });
    expect((await t.http.post('/api/auth/invite/accept').send({ token, password: 'a-good-secret-31' })).body.error.code).toBe('invite_replaced');
    const login = await t.http.post('/api/auth/login').send({ email, password: 'first-pass-42' });
    expect(login.body.passwordChangeRequired).toBe(true);
    // the old flow is untouched: a user added with a password
    const classic = await t.http.post('/api/users').set(admin.auth).send({ email: newEmail(), name: 'Classic Cal', role: 'viewer', password: 'first-pass-42' });
    expect(classic.status).toBe(201);
    expect(await listed(classic.body.id)).toMatchObject({ status: 'active', mustChangePassword: true });
  });

  it('a disabled invitee cannot accept; only admins invite; bad input is a 4xx', async () => {
    const email = newEmail();
    const res = await t.http.post('/api/users/invite').set(admin.auth).send({ email, name: 'Dis Abled', role: 'agent' });
    const token = tokenOf(await mailTo(email));
    await t.http.patch(`/api/users/${res.body.id}`).set(admin.auth).send({ active: false });
    expect(await listed(res.body.id)).toMatchObject({ status: 'disabled' });
    const refused = await t.http.post('/api/auth/invite/accept').send({ token, password: 'a-good-secret-31' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_disabled');
    expect((await t.http.post(`/api/users/${res.body.id}/invite`).set(admin.auth).send({})).body.error.code).toBe('user_disabled');

    const manager = await t.user('manager');
    expect((await t.http.post('/api/users/invite').set(manager.auth).send({ email: newEmail(), name: 'X', role: 'agent' })).status).toBe(403);
    const bad = await t.http.post('/api/users/invite').set(admin.auth).send({ email: 'not-an-address', name: 'X', role: 'agent', language: 'fr' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.email', 'body.language']);
  });
});
