/**
 * What main.ts calls once the database is migrated: the first-run admin, and demo data on an
 * empty database (unless NUDGE_DEMO_DATA=0 or the number of demo customers is 0).
 */
import type { DbHandle } from '@nudge/db';
import { ensureAdminUser } from '../auth/service.js';
import { seedDemoData, type SeedResult } from './seed.js';
import { seedInboxDemo, type InboxSeedResult } from '../conversations/demo.js';
import { processEnv, setting, type Env } from '../config.js';

export async function prepareCustomerData(
  db: DbHandle,
  env: Env = processEnv,
): Promise<{ demo: SeedResult | null; inbox?: InboxSeedResult }> {
  await ensureAdminUser(db, env);
  const customers = setting('NUDGE_DEMO_DATA', env) === '0' ? 0 : setting('NUDGE_DEMO_CUSTOMERS', env);
  if (!customers) return { demo: null };
  const demo = await seedDemoData(db, { customers });
  // the inbox: team hours, agent profiles, the seeds' auto-reply rules, a few hundred conversations
  // (only with fresh demo customers: never on a database with real ones)
  if (demo.skipped) return { demo };
  const inbox = await seedInboxDemo(db, { conversations: setting('NUDGE_DEMO_CONVERSATIONS', env) });
  return { demo, inbox };
}
