import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { schema, type DbHandle } from '@nudge/db';
import { hashPassword } from '../http/passwords.js';
import { hashToken } from '../http/auth.js';
import { processEnv, setting, type Env } from '../config.js';

export { hashPassword, verifyPassword } from '../http/passwords.js';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * First run: when there are no users at all, create the admin from NUDGE_ADMIN_EMAIL /
 * NUDGE_ADMIN_PASSWORD (default admin@nudge.local / nudge-admin). Safe to call at every start.
 */
export async function ensureAdminUser(db: DbHandle, env: Env = processEnv): Promise<void> {
  const [row] = await db.db.select({ n: count() }).from(schema.users);
  if (row && row.n > 0) return;
  const email = setting('NUDGE_ADMIN_EMAIL', env).trim().toLowerCase();
  const password = setting('NUDGE_ADMIN_PASSWORD', env);
  await db.db
    .insert(schema.users)
    .values({ email, name: 'Administrator', passwordHash: await hashPassword(password), role: 'admin' })
    .onConflictDoNothing();
}

/** A new session: 256 random bits, base64url; only the SHA-256 is stored. */
export async function createSession(db: DbHandle, userId: string, now: Date) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.db.insert(schema.sessions).values({ userId, tokenHash: hashToken(token), expiresAt, createdAt: now });
  return { token, expiresAt };
}

export async function deleteSession(db: DbHandle, token: string) {
  await db.db.delete(schema.sessions).where(eq(schema.sessions.tokenHash, hashToken(token)));
}
