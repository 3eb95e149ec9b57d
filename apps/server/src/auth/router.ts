import { and, eq, asc } from 'drizzle-orm';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { bearerToken, ROLES, type AuthUser } from '../http/auth.js';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { hashPassword, verifyPassword } from '../http/passwords.js';
import { createApiRouter } from '../http/route.js';
import { createSession, deleteSession, ensureAdminUser } from './service.js';
import { setting } from '../config.js';

// A valid hash of a random password, so unknown emails cost as much time as wrong passwords.
const dummyHash = hashPassword(Math.random().toString(36));

export const UserOut = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    teamId: z.string().uuid().nullable(),
    rights: z.array(z.string()),
  })
  .meta({ id: 'User' });

const LoginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) });
const LoginOut = z.object({ token: z.string(), expiresAt: z.string(), user: UserOut });

const publicUser = (u: AuthUser | typeof schema.users.$inferSelect) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  teamId: u.teamId,
  rights: u.rights,
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
      if (!u || !ok || !u.active) throw new HttpError(401, 'invalid_credentials', 'Wrong email or password.');
      const s = await createSession(ctx.db, u.id, nowOf(ctx));
      return { token: s.token, expiresAt: s.expiresAt.toISOString(), user: publicUser(u) };
    },
  });

  route({
    method: 'post',
    path: '/logout',
    summary: 'Sign out: the token stops working',
    status: 204,
    handler: async ({ req }) => {
      await deleteSession(ctx.db, bearerToken(req)!);
    },
  });

  route({
    method: 'get',
    path: '/me',
    summary: 'The signed-in user',
    response: UserOut,
    handler: ({ user }) => publicUser(user),
  });

  return router;
}

const CreateUserBody = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(8, 'at least 8 characters').max(1000),
  role: z.enum(ROLES),
  teamId: z.string().uuid().nullable().optional(),
  rights: z.array(z.string().min(1).max(100)).max(50).optional(),
});
const UpdateUserBody = CreateUserBody.partial().extend({ active: z.boolean().optional() });
const IdParams = z.object({ id: z.string().uuid() });
const TeamBody = z.object({ name: z.string().trim().min(1).max(200), timezone: z.string().max(64).optional() });

export function createUsersRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/users', 'Users');

  route({
    method: 'get',
    path: '/',
    summary: 'List users',
    roles: ['admin', 'manager'],
    response: z.object({ items: z.array(UserOut.extend({ active: z.boolean() })) }),
    handler: async () => {
      const rows = await ctx.db.db.select().from(schema.users).orderBy(asc(schema.users.email));
      return { items: rows.map((u) => ({ ...publicUser(u), active: u.active })) };
    },
  });

  route({
    method: 'post',
    path: '/',
    summary: 'Create a user',
    roles: ['admin'],
    body: CreateUserBody,
    response: UserOut,
    status: 201,
    handler: async ({ body }) => {
      const [u] = await ctx.db.db
        .insert(schema.users)
        .values({
          email: body.email,
          name: body.name,
          passwordHash: await hashPassword(body.password),
          role: body.role,
          teamId: body.teamId ?? null,
          rights: body.rights ?? [],
        })
        .returning();
      return publicUser(u!);
    },
  });

  route({
    method: 'patch',
    path: '/:id',
    summary: 'Change a user (role, team, rights, password, active)',
    roles: ['admin'],
    params: IdParams,
    body: UpdateUserBody,
    response: UserOut,
    handler: async ({ params, body, user }) => {
      if (params.id === user.id && (body.role && body.role !== 'admin' || body.active === false)) {
        throw badRequest('self_lockout', 'You cannot remove your own admin role or disable yourself.');
      }
      const { password, ...rest } = body;
      const values: Partial<typeof schema.users.$inferInsert> = { ...rest };
      if (password) values.passwordHash = await hashPassword(password);
      const [u] = await ctx.db.db.update(schema.users).set(values).where(eq(schema.users.id, params.id)).returning();
      if (!u) throw notFound('User', params.id);
      if (body.active === false || password) {
        await ctx.db.db.delete(schema.sessions).where(and(eq(schema.sessions.userId, u.id)));
      }
      return publicUser(u);
    },
  });

  return router;
}

export function createTeamsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/teams', 'Users');
  const TeamOut = z.object({ id: z.string(), name: z.string(), timezone: z.string().nullable() });
  route({
    method: 'get',
    path: '/',
    summary: 'List teams',
    response: z.object({ items: z.array(TeamOut) }),
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
    roles: ['admin'],
    body: TeamBody,
    response: TeamOut,
    status: 201,
    handler: async ({ body }) => {
      const [t] = await ctx.db.db.insert(schema.teams).values(body).returning();
      return { id: t!.id, name: t!.name, timezone: t!.timezone };
    },
  });
  return router;
}
