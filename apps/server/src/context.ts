/**
 * What every router gets. Extensible: areas add optional members (temporal client, channels…)
 * rather than reaching for globals.
 */
import type { Channels } from '@nudge/channels';
import type { DbHandle } from '@nudge/db';
import type { TemporalEngine } from './engine/temporal.js';

/** Domain events the customer-data API emits; the flow engine subscribes to start event triggers. */
export type DomainEvent =
  | { type: 'customer.created'; customerId: string; source: string; backfill?: boolean }
  | {
      type: 'customer.updated';
      customerId: string;
      changes: { field: string; old: unknown; new: unknown }[];
    }
  | { type: 'customer.erased'; customerId: string }
  | { type: 'tag.added'; customerId: string; tagId: string; tagName: string; expiresAt: Date | null }
  | { type: 'tag.removed'; customerId: string; tagId: string; tagName: string; reason: 'manual' | 'expired' }
  | { type: 'tag.reminder_due'; customerId: string; tagId: string; tagName: string; ownerId: string | null };

export interface AppContext {
  db: DbHandle;
  /** The durable engine (a Temporal cluster, or the embedded temporal-lite). Absent in API-only tests. */
  temporal?: TemporalEngine;
  /** The flow runtime, once started: inbound messages reach waiting runs and message triggers through it. */
  flows?: {
    routeInboundMessage(message: { customerId: string; channel: string; text: string; messageId?: string }): Promise<{ started: number; signalled: number }>;
  };
  /** The channels to send with (the flow runtime's, over the send ledger); absent: built from the environment when first needed. */
  channels?: Channels;
  /** The clock; tests and time-skipping runs replace it. Defaults to `new Date()`. */
  now?: () => Date;
  /** Called after a change is committed. Errors are logged, never fail the request. */
  onEvent?: (event: DomainEvent) => void | Promise<void>;
}

export const nowOf = (ctx: Pick<AppContext, 'now'>): Date => (ctx.now ? ctx.now() : new Date());

export async function emitEvents(ctx: AppContext, events: DomainEvent[]): Promise<void> {
  if (!ctx.onEvent) return;
  for (const e of events) {
    try {
      await ctx.onEvent(e);
    } catch (err) {
      console.error(`[events] handler failed for ${e.type}:`, err);
    }
  }
}
