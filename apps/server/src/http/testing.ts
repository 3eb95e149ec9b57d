/** Test helpers: an app on a clean database (PGlite, or Postgres when DATABASE_URL is set) and users per role. */
import { randomBytes } from 'node:crypto';
import { createTestDb, type TestDb } from '@nudge/db/testing';
import { schema } from '@nudge/db';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../app.js';
import type { AppContext, DomainEvent } from '../context.js';
import { createSession } from '../auth/service.js';
import type { Role } from './auth.js';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  role: Role;
  teamId: string | null;
  auth: { Authorization: string };
}

export interface TestApp {
  db: TestDb;
  ctx: AppContext;
  app: Express;
  events: DomainEvent[];
  http: ReturnType<typeof request>;
  /** Creates a user with a session (no password hashing: tests stay fast). */
  user(role: Role, opts?: { teamId?: string | null; rights?: string[]; name?: string }): Promise<TestUser>;
  team(name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createTestApp(extra: Partial<AppContext> = {}): Promise<TestApp> {
  const db = await createTestDb();
  const events: DomainEvent[] = [];
  const ctx: AppContext = { db, onEvent: (e) => void events.push(e), ...extra };
  const app = createApp(ctx);
  return {
    db,
    ctx,
    app,
    events,
    http: request(app),
    async user(role, opts = {}) {
      const email = `${role}-${randomBytes(4).toString('hex')}@test.local`;
      const [u] = await db.db
        .insert(schema.users)
        .values({
          email,
          name: opts.name ?? `${role} ${email.slice(role.length + 1, role.length + 5)}`,
          passwordHash: 'scrypt$unusable',
          role,
          teamId: opts.teamId ?? null,
          rights: opts.rights ?? [],
        })
        .returning();
      const s = await createSession(db, u!.id, new Date());
      return { id: u!.id, email, token: s.token, role, teamId: u!.teamId, auth: { Authorization: `Bearer ${s.token}` } };
    },
    async team(name) {
      const [t] = await db.db
        .insert(schema.teams)
        .values({ name: name ?? `team-${randomBytes(3).toString('hex')}` })
        .returning();
      return t!.id;
    },
    close: () => db.cleanup(),
  };
}
