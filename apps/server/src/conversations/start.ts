/** The inbox's background work in the server process: the outbox drainer and the sweep (SLA, snooze, backlog). */
import type { Channels } from '@nudge/channels';
import type { AppContext } from '../context.js';
import { startInboxJobs } from './jobs.js';
import { startOutbox } from './outbox.js';
import { setting } from '../config.js';

export function startInbox(ctx: AppContext, channels: Channels): { stop(): Promise<void> } {
  const outbox = startOutbox(ctx, { channels });
  const jobs = startInboxJobs(ctx, setting('NUDGE_INBOX_SWEEP_MS'));
  return {
    async stop() {
      await jobs.stop();
      await outbox.stop();
    },
  };
}
