/**
 * The periodic customer-data jobs: tag expiry, tag reminders, and removal of expired sessions. main.ts starts them with
 * `startCustomerJobs(ctx)`; a Temporal schedule may call `runCustomerJobs` instead.
 */
import { lt } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { nowOf, type AppContext } from '../context.js';
import { expireTags, issueTagReminders } from './service.js';

export async function runCustomerJobs(ctx: AppContext) {
  const now = nowOf(ctx);
  const expired = await expireTags(ctx.db, now, ctx.onEvent);
  const reminders = await issueTagReminders(ctx.db, now, ctx.onEvent);
  await ctx.db.db.delete(schema.sessions).where(lt(schema.sessions.expiresAt, now));
  return { expired: expired.removed.length, reminded: reminders.reminded.length };
}

/** Runs the jobs now and then every `everyMs` (default 60 s), never overlapping. */
export function startCustomerJobs(ctx: AppContext, opts: { everyMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = runCustomerJobs(ctx).catch((err) => console.error('[jobs] customer jobs failed:', err));
  };
  tick();
  const timer = setInterval(() => {
    if (!stopped) running.then(tick);
  }, opts.everyMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
