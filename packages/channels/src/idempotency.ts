/**
 * At-most-once sending. Before a send the key is claimed; after it, the provider's message id is
 * recorded. A second send with the same key returns the recorded result without sending. A send
 * that fails releases the key so a retry may send. A send whose outcome is unknown (the process
 * died between claiming and recording) stays claimed: after `inFlightTimeoutMs` it fails for good
 * rather than risk a duplicate message.
 */
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';
import { ChannelSendError } from './types.js';

export type ClaimResult =
  | { state: 'claimed' }
  | { state: 'sent'; result: SendResult }
  | { state: 'in_flight'; since: number };

export interface IdempotencyStore {
  /** atomically: claim the key if unseen, else report what it holds */
  claim(key: string, channel: string, now: number): Promise<ClaimResult>;
  complete(key: string, result: SendResult): Promise<void>;
  release(key: string): Promise<void>;
}

type Entry = { state: 'in_flight'; since: number } | { state: 'sent'; result: SendResult };

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, Entry>();

  async claim(key: string, _channel: string, now: number): Promise<ClaimResult> {
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { state: 'in_flight', since: now });
      return { state: 'claimed' };
    }
    return entry.state === 'sent' ? { state: 'sent', result: entry.result } : { state: 'in_flight', since: entry.since };
  }

  async complete(key: string, result: SendResult): Promise<void> {
    this.entries.set(key, { state: 'sent', result });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.state === 'in_flight') this.entries.delete(key);
  }
}

export interface IdempotencyOptions {
  now?: () => number;
  inFlightTimeoutMs?: number;
}

export function withIdempotency(
  adapter: ChannelAdapter,
  store: IdempotencyStore,
  options: IdempotencyOptions = {},
): ChannelAdapter {
  const now = options.now ?? Date.now;
  const inFlightTimeoutMs = options.inFlightTimeoutMs ?? 10 * 60_000;
  return {
    channel: adapter.channel,
    async send(message: OutboundMessage): Promise<SendResult> {
      if (!message.idempotencyKey) {
        throw new ChannelSendError('A message needs an idempotency key', adapter.channel, false, 'missing_idempotency_key');
      }
      const key = `${adapter.channel}:${message.idempotencyKey}`;
      const claim = await store.claim(key, adapter.channel, now());
      if (claim.state === 'sent') return claim.result;
      if (claim.state === 'in_flight') {
        const stuck = now() - claim.since > inFlightTimeoutMs;
        throw new ChannelSendError(
          stuck
            ? `A ${adapter.channel} send with key ${message.idempotencyKey} started ${Math.round((now() - claim.since) / 60_000)} min ago and never finished; it may have been delivered, so it is not sent again. Check the provider's log.`
            : `A ${adapter.channel} send with key ${message.idempotencyKey} is in progress`,
          adapter.channel,
          !stuck,
          stuck ? 'outcome_unknown' : 'send_in_progress',
        );
      }
      let result: SendResult;
      try {
        result = await adapter.send(message);
      } catch (error) {
        await store.release(key);
        throw error;
      }
      await store.complete(key, result);
      return result;
    },
    ...(adapter.close ? { close: () => adapter.close!() } : {}),
  };
}
