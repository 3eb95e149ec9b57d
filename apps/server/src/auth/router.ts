import { randomBytes } from 'node:crypto';
import { and, eq, asc, desc, gt, isNull, ne } from 'drizzle-orm';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { bearerToken, hashToken, ROLES, type AuthUser } from '../http/auth.js';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { hashPassword, verifyPassword } from '../http/passwords.js';
import { createApiRouter } from '../http/route.js';
import { LoginBody, LoginOut, TeamListOut, TeamOut, UserOut } from '@nudge/contracts';
import { forgetInboxSettings } from '../conversations/settings.js';
import { AgentProfileBody, AgentProfileOut, ensureAgentProfile, profileOut, saveAgentProfile, TimezoneSchema, WeeklyPeriodsSchema } from './agent-profile.js';
import { PASSWORD_PROBLEM_TEXT, PASSWORD_RULE, passwordProblem, type PasswordProblem } from './password-policy.js';
import { createSession, deleteSession, ensureAdminUser } from './service.js';
import { setting } from '../config.js';
import { INVITE_LANGUAGES, InviteLanguageSchema, inviteByToken, issueInvite, publicBaseUrl, sendInviteMail, type InviteLanguage, type InviteState } from './invite.js';
import { maskEmail } from '../http/masking.js';

// A valid hash of a random password, so unknown emails cost as much time as wrong passwords.
const dummyHash = hashPassword(Math.random().toString(36));

const PasswordBody = z.object({ currentPassword: z.string().min(1).max(1000), newPassword: z.string().max(1000) });

/** 400 weak_password at the given field, saying what a password needs. */
export function weakPassword(problem: PasswordProblem, path: string): HttpError {
  const message = PASSWORD_PROBLEM_TEXT[problem];
  return new HttpError(400, 'weak_password', `${path}: ${message}.`, [{ path, code: 'weak_password', reason: problem, rule: PASSWORD_RULE, message }]);
}

export function emailTaken(path = 'body.email'): HttpError {
  return new HttpError(409, 'email_taken', `${path}: a user with this e-mail already exists.`, [{ path, code: 'email_taken', message: 'a user with this e-mail already exists' }]);
}

const publicUser = (u: AuthUser | typeof schema.users.$inferSelect) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  teamId: u.teamId,
  rights: u.rights,
  mustChangePassword: u.mustChangePassword ?? false,
});

/**
 * Failed logins are limited per address and email (express-rate-limit, in-process store): after
 * NUDGE_LOGIN_MAX_FAILURES (default 10) failures in 15 minutes, 429 until the window passes.
 */
function loginLimiter() {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit: setting('NUDGE_LOGIN_MAX_FAILURES'),
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${email}`;
    },
    handler: (_req, res, _next, options) => {
      res.status(429).json({
        error: { code: 'rate_limited', message: `Too many failed sign-ins; try again in ${Math.ceil(options.windowMs / 60_000)} minutes.` },
      });
    },
  });
}

export function createAuthRouter(ctx: AppContext) {
  const { router, route, publicRoute } = createApiRouter(ctx, '/api/auth', 'Auth');
  router.post('/login', loginLimiter());

  publicRoute({
    method: 'post',
    path: '/login',
    summary: 'Sign in with email and password; returns a bearer token',
    body: LoginBody,
    response: LoginOut,
    handler: async ({ body }) => {
      await ensureAdminUser(ctx.db);
      const email = body.email.toLowerCase();
      const [u] = await ctx.db.db.select().from(schema.users).where(eq(schema.users.email, email)).limit(1);
      const ok = await verifyPassword(body.password, u?.passwordHash ?? (await dummyHash));
      if (!u || !ok) throw new HttpError(401, 'invalid_credentials', 'Wrong email or password.');
      // only told to someone who knows the password, so it reveals nothing to a guesser
      if (!u.active) throw new HttpError(403, 'account_disabled', 'This account is disabled; ask an administrator.');
      const s = await createSession(ctx.db, u.id, nowOf(ctx));
      return { token: s.token, expiresAt: s.expiresAt.toISOString(), user: publicUser(u), passwordChangeRequired: u.mustChangePassword };
    },
  });

  route({
    method: 'post',
    path: '/password',
    summary: 'Change my password (required after an admin set it); other sessions end',
    allowPendingPassword: true,
    body: PasswordBody,
    response: UserOut,
    handler: async ({ body, user, req }) => {
      const [u] = await ctx.db.db.select().from(schema.users).where(eq(schema.users.id, user.id)).limit(1);
      if (!u || !(await verifyPassword(body.currentPassword, u.passwordHash))) {
        throw new HttpError(400, 'wrong_password', 'body.currentPassword: this is not your current password.', [
          { path: 'body.currentPassword', code: 'wrong_password', message: 'is not your current password' },
        ]);
      }
      const problem = body.newPassword === body.currentPassword ? 'same_as_current' : passwordProblem(body.newPassword, u);
      if (problem) throw weakPassword(problem, 'body.newPassword');
      const [next] = await ctx.db.db
        .update(schema.users)
        .set({ passwordHash: await hashPassword(body.newPassword), mustChangePassword: false })
        .where(eq(schema.users.id, u.id))
        .returning();
      // every other session of this user ends; this one stays
      await ctx.db.db
        .delete(schema.sessions)
        .where(and(eq(schema.sessions.userId, u.id), ne(schema.sessions.tokenHash, hashToken(bearerToken(req)!))));
      return publicUser(next!);
    },
  });

  route({
    method: 'post',
    path: '/logout',
    summary: 'Sign out: the token stops working',
    allowPendingPassword: true,
    status: 204,
    handler: async ({ req }) => {
      await deleteSession(ctx.db, bearerToken(req)!);
    },
  });

  route({
    method: 'get',
    path: '/me',
    summary: 'The signed-in user',
    allowPendingPassword: true,
    response: UserOut,
    handler: ({ user }) => publicUser(user),
  });

  publicRoute({
    method: 'post',
    path: '/invite/check',
    summary: 'What an invitation link is worth (before choosing a password): the invitee\'s name, masked e-mail and language',
    body: InviteTokenBody,
    response: InviteCheckOut,
    handler: async ({ body }) => {
      const { state, row } = await inviteByToken(ctx, body.token);
      if (state !== 'valid' || !row) throw inviteRefused(state);
      return { name: row.user.name, email: maskEmail(row.user.email)!, language: row.invite.language as InviteLanguage, expiresAt: row.invite.expiresAt.toISOString() };
    },
  });

  publicRoute({
    method: 'post',
    path: '/invite/accept',
    summary: 'Accept an invitation: choose a password (the link then stops working) and be signed in',
    body: InviteTokenBody.extend({ password: z.string().max(1000) }),
    response: LoginOut,
    handler: async ({ body }) => {
      const { state, row } = await inviteByToken(ctx, body.token);
      if (state !== 'valid' || !row) throw inviteRefused(state);
      const problem = passwordProblem(body.password, row.user);
      if (problem) throw weakPassword(problem, 'body.password');
      const passwordHash = await hashPassword(body.password);
      const now = nowOf(ctx);
      const u = await ctx.db.db.transaction(async (tx) => {
        // one use: only the request that flips used_at goes on (a second click, a race, a newer link → refused)
        const [used] = await tx
          .update(schema.userInvites)
          .set({ usedAt: now })
          .where(and(eq(schema.userInvites.id, row.invite.id), isNull(schema.userInvites.usedAt), isNull(schema.userInvites.revokedAt), gt(schema.userInvites.expiresAt, now)))
          .returning({ id: schema.userInvites.id });
        if (!used) return null;
        const [next] = await tx
          .update(schema.users)
          .set({ passwordHash, mustChangePassword: false, invitationPending: false })
          .where(and(eq(schema.users.id, row.user.id), eq(schema.users.active, true)))
          .returning();
        return next ?? null;
      });
      if (!u) throw inviteRefused((await inviteByToken(ctx, body.token)).state);
      const s = await createSession(ctx.db, u.id, now);
      return { token: s.token, expiresAt: s.expiresAt.toISOString(), user: publicUser(u), passwordChangeRequired: false };
    },
  });

  return router;
}

const InviteTokenBody = z.object({ token: z.string().min(10).max(200) });
const InviteCheckOut = z.object({ name: z.string(), email: z.string(), language: z.enum(INVITE_LANGUAGES), expiresAt: z.string() });

/** Why a link does not work, as a code the editor words in the reader's language. */
function inviteRefused(state: InviteState): HttpError {
  switch (state) {
    case 'expired':
      return new HttpError(410, 'invite_expired', 'This invitation link has expired (links work for 7 days); ask an administrator to send a new one.');
    case 'used':
      return new HttpError(410, 'invite_used', 'This invitation link was already used; sign in with the password chosen then.');
    case 'revoked':
      return new HttpError(410, 'invite_replaced', 'A newer invitation was sent for this account; use the link in the latest e-mail.');
    case 'disabled':
      return new HttpError(403, 'account_disabled', 'This account is disabled; ask an administrator.');
    default:
      return new HttpError(404, 'invite_unknown', 'This invitation link is not valid; check that it was copied whole, or ask for a new one.');
  }
}

const CreateUserBody = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  name: z.string().trim().min(1).max(200),
  /** a first password the user must change at first login; checked by password-policy.ts */
  password: z.string().max(1000),
  role: z.enum(ROLES),
  teamId: z.string().uuid().nullable().optional(),
  rights: z.array(z.string().min(1).max(100)).max(50).optional(),
  /** routing profile (skills, languages, working hours…); agents get a default one anyway */
  agent: AgentProfileBody.optional(),
});
const InviteUserBody = CreateUserBody.omit({ password: true }).extend({
  /** the invitee's language (the e-mail and the accept screen); default: the inviter's, as the editor sends it, else English */
  language: InviteLanguageSchema.optional(),
});
const ResendInviteBody = z.object({ language: InviteLanguageSchema.optional() }).optional();
const InviteOut = z.object({ expiresAt: z.string(), sent: z.boolean(), error: z.string().nullable() });
const USER_STATUSES = ['invited', 'active', 'disabled'] as const;
const statusOf = (u: { active: boolean; invitationPending: boolean }) => (!u.active ? 'disabled' : u.invitationPending ? 'invited' : 'active');
const UpdateUserBody = CreateUserBody.omit({ agent: true }).partial().extend({ active: z.boolean().optional() });
const IdParams = z.object({ id: z.string().uuid() });
const TeamBody = z.object({ name: z.string().trim().min(1).max(200), timezone: z.string().max(64).optional() });

const isUniqueViolation = (e: unknown) => {
  for (let x: unknown = e, d = 0; x && d < 4; x = (x as { cause?: unknown }).cause, d++) if ((x as { code?: unknown }).code === '23505') return true;
  return false;
};

export function createUsersRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/users', 'Users');
  const emailInUse = async (email: string) =>
    (await ctx.db.db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.email, email)).limit(1)).length > 0;
  const checkTeam = async (teamId: string | null | undefined) => {
    if (!teamId) return;
    const [t] = await ctx.db.db.select({ id: schema.teams.id }).from(schema.teams).where(eq(schema.teams.id, teamId)).limit(1);
    if (!t) throw new HttpError(400, 'unknown_team', `body.teamId: no team ${teamId}.`, [{ path: 'body.teamId', code: 'unknown_team', message: 'no such team' }]);
  };

  route({
    method: 'get',
    path: '/',
    summary: 'List users',
    action: 'user.list',
    response: z.object({
      items: z.array(
        UserOut.extend({
          active: z.boolean(),
          status: z.enum(USER_STATUSES).describe('invited: has not chosen a password from the invitation yet'),
          /** the open invitation link's expiry (invited users only) */
          inviteExpiresAt: z.string().nullable(),
          createdAt: z.string(),
          agent: AgentProfileOut.nullable(),
        }),
      ),
    }),
    handler: async () => {
      const rows = await ctx.db.db
        .select({ u: schema.users, p: schema.agentProfiles, inviteExpiresAt: schema.userInvites.expiresAt })
        .from(schema.users)
        .leftJoin(schema.agentProfiles, eq(schema.agentProfiles.userId, schema.users.id))
        // at most one open link per user (a new one revokes the others)
        .leftJoin(schema.userInvites, and(eq(schema.userInvites.userId, schema.users.id), isNull(schema.userInvites.usedAt), isNull(schema.userInvites.revokedAt)))
        .orderBy(asc(schema.users.name), asc(schema.users.email));
      return {
        items: rows.map(({ u, p, inviteExpiresAt }) => ({
          ...publicUser(u),
          active: u.active,
          status: statusOf(u),
          inviteExpiresAt: u.invitationPending && inviteExpiresAt ? inviteExpiresAt.toISOString() : null,
          createdAt: u.createdAt.toISOString(),
          agent: p ? profileOut(p) : null,
        })),
      };
    },
  });

  route({
    method: 'get',
    path: '/directory',
    summary: 'Colleagues by name (any signed-in role): to show an owner, assignee or author as a name, not an id',
    response: z.object({
      items: z.array(z.object({ id: z.string().uuid(), name: z.string(), role: z.enum(ROLES), teamId: z.string().uuid().nullable(), active: z.boolean() })),
    }),
    handler: async () => {
      const rows = await ctx.db.db
        .select({ id: schema.users.id, name: schema.users.name, role: schema.users.role, teamId: schema.users.teamId, active: schema.users.active })
        .from(schema.users)
        .orderBy(asc(schema.users.name));
      return { items: rows };
    },
  });

  route({
    method: 'post',
    path: '/',
    summary: 'Create a user',
    action: 'user.manage',
    body: CreateUserBody,
    response: UserOut,
    status: 201,
    handler: async ({ body }) => {
      if (await emailInUse(body.email)) throw emailTaken();
      const problem = passwordProblem(body.password, body);
      if (problem) throw weakPassword(problem, 'body.password');
      await checkTeam(body.teamId);
      try {
        const [u] = await ctx.db.db
          .insert(schema.users)
          .values({
            email: body.email,
            name: body.name,
            passwordHash: await hashPassword(body.password),
            role: body.role,
            teamId: body.teamId ?? null,
            rights: body.rights ?? [],
            mustChangePassword: true,
          })
          .returning();
        if (body.agent) await saveAgentProfile(ctx, u!.id, body.agent);
        else if (u!.role === 'agent') await ensureAgentProfile(ctx.db.db, u!.id, u!.teamId);
        return publicUser(u!);
      } catch (e) {
        if (isUniqueViolation(e)) throw emailTaken(); // a concurrent add of the same e-mail
        throw e;
      }
    },
  });


  route({
    method: 'post',
    path: '/invite',
    summary: 'Invite a user by e-mail: a one-time link (7 days) to choose a password; the same invite sent twice makes one user',
    action: 'user.manage',
    body: InviteUserBody,
    response: UserOut.extend({ status: z.enum(USER_STATUSES), invite: InviteOut }),
    status: 201,
    handler: async ({ body, user, req }) => {
      if (await emailInUse(body.email)) throw emailTaken();
      await checkTeam(body.teamId);
      const language = body.language ?? 'en';
      const now = nowOf(ctx);
      // no password of their own until they accept: an unguessable one nobody knows
      const placeholder = await hashPassword(randomBytes(32).toString('base64url'));
      const made = await ctx.db.db.transaction(async (tx) => {
        // the unique e-mail index decides between concurrent invites: one user, one link, one mail
        const [u] = await tx
          .insert(schema.users)
          .values({ email: body.email, name: body.name, passwordHash: placeholder, role: body.role, teamId: body.teamId ?? null, rights: body.rights ?? [], invitationPending: true })
          .onConflictDoNothing({ target: schema.users.email })
          .returning();
        if (!u) return null;
        const { token, invite } = await issueInvite(tx, { userId: u.id, language, invitedBy: user.id, now });
        return { u, token, invite };
      });
      if (!made) throw emailTaken();
      const { u, token, invite } = made;
      if (body.agent) await saveAgentProfile(ctx, u.id, body.agent);
      else if (u.role === 'agent') await ensureAgentProfile(ctx.db.db, u.id, u.teamId);
      const sent = await sendInviteMail(ctx, {
        inviteId: invite.id, token, expiresAt: invite.expiresAt, language, to: u.email, name: u.name, role: u.role, inviter: user.name, baseUrl: publicBaseUrl(req),
      });
      return { ...publicUser(u), status: statusOf(u), invite: sent };
    },
  });

  route({
    method: 'post',
    path: '/:id/invite',
    summary: 'Resend an invitation: a new link (7 days) in a new e-mail; the old link stops working',
    action: 'user.manage',
    params: IdParams,
    body: ResendInviteBody,
    response: InviteOut,
    handler: async ({ params, body, user, req }) => {
      const now = nowOf(ctx);
      const made = await ctx.db.db.transaction(async (tx) => {
        // one resend at a time per user: the row lock orders them, so exactly one link stays open
        const [u] = await tx.select().from(schema.users).where(eq(schema.users.id, params.id)).for('update');
        if (!u) throw notFound('User', params.id);
        if (!u.active) throw new HttpError(409, 'user_disabled', `${u.name} is disabled: enable the account before sending an invitation.`);
        if (!u.invitationPending) throw new HttpError(409, 'not_invited', `${u.name} has already chosen a password: there is no invitation to resend.`);
        const [last] = await tx
          .select({ language: schema.userInvites.language })
          .from(schema.userInvites)
          .where(eq(schema.userInvites.userId, u.id))
          .orderBy(desc(schema.userInvites.createdAt))
          .limit(1);
        const language = body?.language ?? InviteLanguageSchema.catch('en').parse(last?.language);
        const { token, invite } = await issueInvite(tx, { userId: u.id, language, invitedBy: user.id, now });
        return { u, token, invite, language };
      });
      return sendInviteMail(ctx, {
        inviteId: made.invite.id, token: made.token, expiresAt: made.invite.expiresAt, language: made.language,
        to: made.u.email, name: made.u.name, role: made.u.role, inviter: user.name, baseUrl: publicBaseUrl(req),
      });
    },
  });

  route({
    method: 'patch',
    path: '/:id',
    summary: 'Change a user (role, team, rights, password, active)',
    action: 'user.manage',
    params: IdParams,
    body: UpdateUserBody,
    response: UserOut,
    handler: async ({ params, body, user }) => {
      if (params.id === user.id && (body.role && body.role !== 'admin' || body.active === false)) {
        throw badRequest('self_lockout', 'You cannot remove your own admin role or disable yourself.');
      }
      const [before] = await ctx.db.db.select().from(schema.users).where(eq(schema.users.id, params.id)).limit(1);
      if (!before) throw notFound('User', params.id);
      if (body.email && body.email !== before.email && (await emailInUse(body.email))) throw emailTaken();
      const { password, ...rest } = body;
      const values: Partial<typeof schema.users.$inferInsert> = { ...rest };
      if (password !== undefined) {
        const problem = passwordProblem(password, { email: body.email ?? before.email, name: body.name ?? before.name });
        if (problem) throw weakPassword(problem, 'body.password');
        values.passwordHash = await hashPassword(password);
        // a password an admin set is a first password again: the user must change it
        values.mustChangePassword = params.id !== user.id;
        // and it replaces a pending invitation: its link stops working
        values.invitationPending = false;
      }
      if (body.teamId !== undefined) await checkTeam(body.teamId);
      let u: typeof schema.users.$inferSelect | undefined;
      try {
        [u] = await ctx.db.db.update(schema.users).set(values).where(eq(schema.users.id, params.id)).returning();
      } catch (e) {
        if (isUniqueViolation(e)) throw emailTaken();
        throw e;
      }
      if (!u) throw notFound('User', params.id);
      if (body.active === false || password !== undefined) {
        await ctx.db.db.delete(schema.sessions).where(and(eq(schema.sessions.userId, u.id)));
      }
      if (password !== undefined) {
        await ctx.db.db
          .update(schema.userInvites)
          .set({ revokedAt: nowOf(ctx) })
          .where(and(eq(schema.userInvites.userId, u.id), isNull(schema.userInvites.usedAt), isNull(schema.userInvites.revokedAt)));
      }
      if (u.role === 'agent') await ensureAgentProfile(ctx.db.db, u.id, u.teamId);
      return publicUser(u);
    },
  });

  route({
    method: 'put',
    path: '/:id/agent-profile',
    summary: 'Set an agent\'s skills, languages, working hours, timezone and load cap (read by assignment)',
    action: 'user.manage',
    params: IdParams,
    body: AgentProfileBody,
    response: AgentProfileOut,
    handler: async ({ params, body }) => saveAgentProfile(ctx, params.id, body),
  });

  return router;
}

const teamNameTaken = () =>
  new HttpError(409, 'team_name_taken', 'body.name: a team with this name already exists.', [{ path: 'body.name', code: 'team_name_taken', message: 'a team with this name already exists' }]);

export function createTeamsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/teams', 'Users');
  route({
    method: 'get',
    path: '/',
    summary: 'List teams',
    response: TeamListOut,
    handler: async () => ({
      items: (await ctx.db.db.select().from(schema.teams).orderBy(asc(schema.teams.name))).map((t) => ({
        id: t.id,
        name: t.name,
        timezone: t.timezone,
      })),
    }),
  });
  route({
    method: 'post',
    path: '/',
    summary: 'Create a team',
    action: 'team.manage',
    body: TeamBody,
    response: TeamOut,
    status: 201,
    handler: async ({ body }) => {
      try {
        const [t] = await ctx.db.db.insert(schema.teams).values(body).returning();
        return { id: t!.id, name: t!.name, timezone: t!.timezone };
      } catch (e) {
        if (isUniqueViolation(e)) throw teamNameTaken();
        throw e;
      }
    },
  });
  route({
    method: 'patch',
    path: '/:id',
    summary: 'Rename a team or change its timezone',
    action: 'team.manage',
    params: IdParams,
    body: TeamBody.partial(),
    response: TeamOut,
    handler: async ({ params, body }) => {
      try {
        const [t] = await ctx.db.db.update(schema.teams).set(body).where(eq(schema.teams.id, params.id)).returning();
        if (!t) throw notFound('Team', params.id);
        return { id: t.id, name: t.name, timezone: t.timezone };
      } catch (e) {
        if (isUniqueViolation(e)) throw teamNameTaken();
        throw e;
      }
    },
  });
  const InboxSettingsBody = z.object({
    timezone: TimezoneSchema,
    periods: WeeklyPeriodsSchema,
    holidays: z.array(z.iso.date('a date as yyyy-mm-dd')).max(400),
    routingKeywords: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
    skill: z.string().trim().min(1).max(60).nullable().default(null),
    isDefault: z.boolean().default(false),
  });
  const InboxSettingsOut = InboxSettingsBody.extend({ teamId: z.string(), configured: z.boolean() }).meta({ id: 'TeamInboxSettings' });
  const findTeam = async (id: string) => {
    const [t] = await ctx.db.db.select().from(schema.teams).where(eq(schema.teams.id, id)).limit(1);
    if (!t) throw notFound('Team', id);
    return t;
  };
  const settingsOut = (teamId: string, s: typeof schema.teamInboxSettings.$inferSelect | undefined, fallbackTz: string | null) => ({
    teamId,
    configured: !!s,
    timezone: s?.timezone ?? fallbackTz ?? 'UTC',
    periods: s?.periods ?? [],
    holidays: s?.holidays ?? [],
    routingKeywords: s?.routingKeywords ?? [],
    skill: s?.skill ?? null,
    isDefault: s?.isDefault ?? false,
  });
  route({
    method: 'get',
    path: '/:id/inbox-settings',
    summary: 'A team\'s business hours (several periods a day), holidays, timezone and routing keywords',
    action: 'team.inboxSettings',
    params: IdParams,
    response: InboxSettingsOut,
    handler: async ({ params }) => {
      const team = await findTeam(params.id);
      const [s] = await ctx.db.db.select().from(schema.teamInboxSettings).where(eq(schema.teamInboxSettings.teamId, team.id)).limit(1);
      return settingsOut(team.id, s, team.timezone);
    },
  });
  route({
    method: 'put',
    path: '/:id/inbox-settings',
    summary: 'Set a team\'s business hours, holidays, timezone and routing keywords (auto-replies and SLAs use them at once)',
    action: 'team.inboxSettings',
    params: IdParams,
    body: InboxSettingsBody,
    response: InboxSettingsOut,
    handler: async ({ params, body }) => {
      const team = await findTeam(params.id);
      const values = { ...body, holidays: [...new Set(body.holidays)].sort() };
      const row = await ctx.db.db.transaction(async (tx) => {
        // one default team: the one whose hours apply when a conversation has no team
        if (values.isDefault) await tx.update(schema.teamInboxSettings).set({ isDefault: false }).where(ne(schema.teamInboxSettings.teamId, team.id));
        const [r] = await tx
          .insert(schema.teamInboxSettings)
          .values({ teamId: team.id, ...values })
          .onConflictDoUpdate({ target: schema.teamInboxSettings.teamId, set: values })
          .returning();
        return r!;
      });
      forgetInboxSettings(ctx);
      return settingsOut(team.id, row, team.timezone);
    },
  });
  return router;
}
