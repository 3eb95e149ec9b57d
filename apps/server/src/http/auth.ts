/** Who is calling: bearer-token sessions, roles and rights. */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { and, eq, gt } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { forbidden, HttpError, unauthorized } from './errors.js';

export type Role = schema.UserRole;
export const ROLES = schema.USER_ROLES;

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  teamId: string | null;
  rights: string[];
  /** Added by an admin (or password reset) and not yet changed: only /api/auth/{me,password,logout} answer. */
  mustChangePassword?: boolean;
}

/** Rights a user may hold beyond the role; admins and managers hold them all. */
export const RIGHTS = {
  /** See phone numbers, emails and WhatsApp ids unmasked (agents need it; viewers never get it). */
  unmaskContact: 'contact.unmask',
  /** Export customer data. */
  export: 'customers.export',
} as const;

export function hasRight(user: AuthUser, right: string): boolean {
  if (user.role === 'admin' || user.role === 'manager') return true;
  if (user.role === 'viewer' && right === RIGHTS.unmaskContact) return false;
  return user.rights.includes(right);
}

export function requireRole(user: AuthUser, roles: readonly Role[], action: string): void {
  if (!roles.includes(user.role)) {
    throw forbidden(`Your role (${user.role}) may not ${action}; this needs one of: ${roles.join(', ')}.`);
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

export async function authenticate(ctx: AppContext, req: Request): Promise<AuthUser> {
  const token = bearerToken(req);
  if (!token) throw unauthorized();
  const { sessions, users } = schema;
  const rows = await ctx.db.db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      teamId: users.teamId,
      rights: users.rights,
      active: users.active,
      mustChangePassword: users.mustChangePassword,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, nowOf(ctx))))
    .limit(1);
  const u = rows[0];
  if (!u) throw unauthorized('Your session is unknown or expired; sign in again with POST /api/auth/login.');
  if (!u.active) throw new HttpError(401, 'account_disabled', 'This account is disabled; ask an administrator.');
  return { id: u.id, email: u.email, name: u.name, role: u.role, teamId: u.teamId, rights: u.rights, mustChangePassword: u.mustChangePassword };
}
