/**
 * What main.ts calls once the database is migrated: the first-run admin, and demo data on an
 * empty database (unless NUDGE_DEMO_DATA=0 or the number of demo customers is 0).
 */
import type { DbHandle } from '@nudge/db';
import { ensureAdminUser } from '../auth/service.js';
import { seedDemoData, type SeedResult } from './seed.js';

export async function prepareCustomerData(
  db: DbHandle,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ demo: SeedResult | null }> {
  await ensureAdminUser(db, env);
  const customers = env.NUDGE_DEMO_DATA === '0' ? 0 : Number(env.NUDGE_DEMO_CUSTOMERS ?? 3000);
  if (!customers) return { demo: null };
  return { demo: await seedDemoData(db, { customers }) };
}
