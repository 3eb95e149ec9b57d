/** Signing in and the users and teams the API names (POST /api/auth/login, /api/users, /api/teams). */
import { z } from 'zod';
import { USER_ROLES } from '@nudge/db/schema';

export const ROLES = USER_ROLES;
export type Role = (typeof ROLES)[number];

export const UserOut = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    teamId: z.string().uuid().nullable(),
    rights: z.array(z.string()),
    mustChangePassword: z.boolean().describe('the user must choose a new password before anything else answers'),
  })
  .meta({ id: 'User' });
export type UserOut = z.infer<typeof UserOut>;

export const LoginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) });
export const LoginOut = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: UserOut,
  passwordChangeRequired: z.boolean().describe('true: call POST /api/auth/password first; other routes answer 403 password_change_required'),
});

export const UserListOut = z.object({ items: z.array(UserOut.extend({ active: z.boolean() })) });

export const TeamOut = z.object({ id: z.string(), name: z.string(), timezone: z.string().nullable() });
export const TeamListOut = z.object({ items: z.array(TeamOut) });
