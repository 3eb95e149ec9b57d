/**
 * What main.ts calls once the database is migrated: the first-run admin, and demo data on an
 * empty database (unless NUDGE_DEMO_DATA=0 or the number of demo customers is 0).
 */
import type { DbHandle } from '@nudge/db';
import { ensureAdminUser } from '../auth/service.js';
import { seedDemoData, type SeedResult } from './seed.js';
import { seedInboxDemo, type InboxSeedResult } from '../conversations/demo.js';

export async function prepareCustomerData(
  db: DbHandle,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ demo: SeedResult | null; inbox?: InboxSeedResult }> {
  await ensureAdminUser(db, env);
  const customers = env.NUDGE_DEMO_DATA === '0' ? 0 : Number(env.NUDGE_DEMO_CUSTOMERS ?? 3000);
  if (!customers) return { demo: null };
  const demo = await seedDemoData(db, { customers });
  // the inbox: team hours, agent profiles, the seeds' auto-reply rules, a few hundred conversations
  // (only with fresh demo customers: never on a database with real ones)
  if (demo.skipped) return { demo };
  const inbox = await seedInboxDemo(db, { conversations: Number(env.NUDGE_DEMO_CONVERSATIONS ?? 300) });
  return { demo, inbox };
}
