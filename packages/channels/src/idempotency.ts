/**
 * The send ledger: every outbound message of every channel goes through it, keyed by an
 * idempotency key derived from what asked for it (run + step + visit; inbound message + rule;
 * broadcast + recipient).
 *
 *   claim (with a lease) → hand to the provider (the lease is renewed while it runs) → record
 *
 * - A key that was recorded as sent returns the recorded result without sending.
 * - A key whose lease is live belongs to another attempt (a concurrent duplicate, a zombie worker):
 *   the caller waits for it to be recorded, and never sends beside it.
 * - A send that failed (the provider refused it) releases the key, so a retry may send.
 * - A claim whose lease ran out (the process died between claiming and recording) is *unknown*:
 *   it may or may not have reached the provider. It is settled by the channel's own policy
 *   (`ChannelAdapter.unknownOutcome`): e-mail resends at once with the same Message-ID (the
 *   recipient's mail system de-duplicates on it); WhatsApp waits a bounded time for the status
 *   webhook that echoes the key (`settle()`), then resends; SMS resends with the same reference
 *   after a bounded wait. It is never dropped, and never repeated while a lease is live.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelAdapter, ChannelName, OutboundMessage, SendResult, SettlementPolicy } from './types.js';
import { ChannelSendError } from './types.js';

/** One row of the ledger. `state` is stored; `unknown` is derived (in_flight with its lease run out). */
export interface SendRecord {
  key: string;
  channel: string;
  state: 'in_flight' | 'sent';
  /** the attempt holding the claim */
  owner: string | null;
  claimedAtMs: number;
  /** null for claims written before leases existed: treated as run out */
  leaseUntilMs: number | null;
  /** when an attempt first found the lease run out (the wait of `await_status` counts from here) */
  unknownSinceMs: number | null;
  /** how many times the message was handed to the provider (claims taken) */
  claims: number;
  providerMessageId: string | null;
  sentAtMs: number | null;
  /** provider (the send call answered), resend (after an unknown outcome), status_webhook, … */
  settledBy: string | null;
}

export type ClaimResult =
  | { state: 'claimed'; claims: number; resend: boolean }
  | { state: 'sent'; result: SendResult }
  | { state: 'in_progress'; leaseUntilMs: number }
  | { state: 'unknown'; sinceMs: number; resendAtMs: number | null };

export interface ClaimRequest {
  key: string;
  channel: string;
  owner: string;
  nowMs: number;
  leaseMs: number;
  /** how long an unknown outcome waits to be settled before it is taken over and resent; null: never */
  settleWaitMs: number | null;
}

/**
 * Where the ledger lives. Every method is atomic on its own (a database store does each in one
 * statement): `claim` inserts a new claim, or takes over one whose lease ran out and whose wait
 * is over, or reports what the key holds.
 */
export interface IdempotencyStore {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** extends the lease while the provider call runs; false when the claim is not ours any more */
  renew(key: string, owner: string, leaseUntilMs: number): Promise<boolean>;
  /** records the result (whoever holds the claim: the message did go out); answers the recorded one */
  complete(key: string, result: SendResult, nowMs: number, settledBy: string): Promise<SendResult>;
  /** the provider refused the message: forget our claim so a retry may send */
  release(key: string, owner: string): Promise<void>;
  /** the provider call ended without an answer (a timeout): the outcome is unknown from now */
  abandon(key: string, owner: string, nowMs: number): Promise<void>;
  /** a provider's callback says the message went out: record it unless already recorded */
  settle(key: string, result: SendResult, nowMs: number, settledBy: string): Promise<boolean>;
  get(key: string): Promise<SendRecord | null>;
  /** claims not recorded as sent, oldest first */
  unsettled(limit?: number): Promise<SendRecord[]>;
  /** several `claim`s at once (distinct keys), each as `claim` would answer it; a database store does them in one statement */
  claimMany?(requests: ClaimRequest[]): Promise<ClaimResult[]>;
  /** several `complete`s at once (distinct keys), answers in the same order */
  completeMany?(items: { key: string; result: SendResult; settledBy: string }[], nowMs: number): Promise<SendResult[]>;
}

export const ledgerKey = (channel: string, idempotencyKey: string) => `${channel}:${idempotencyKey}`;

/** What a record means now: sending (lease live), unknown (lease ran out), or sent. */
export function sendStateOf(record: SendRecord, nowMs: number): 'sending' | 'unknown' | 'sent' {
  if (record.state === 'sent') return 'sent';
  return record.leaseUntilMs !== null && record.leaseUntilMs > nowMs ? 'sending' : 'unknown';
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, SendRecord>();

  async claim(r: ClaimRequest): Promise<ClaimResult> {
    const row = this.entries.get(r.key);
    if (!row) {
      this.entries.set(r.key, {
        key: r.key, channel: r.channel, state: 'in_flight', owner: r.owner, claimedAtMs: r.nowMs, leaseUntilMs: r.nowMs + r.leaseMs,
        unknownSinceMs: null, claims: 1, providerMessageId: null, sentAtMs: null, settledBy: null,
      });
      return { state: 'claimed', claims: 1, resend: false };
    }
    if (row.state === 'sent') return { state: 'sent', result: { providerMessageId: row.providerMessageId ?? '' } };
    if (row.leaseUntilMs !== null && row.leaseUntilMs > r.nowMs) return { state: 'in_progress', leaseUntilMs: row.leaseUntilMs };
    const since = row.unknownSinceMs ?? r.nowMs;
    if (r.settleWaitMs !== null && since + r.settleWaitMs <= r.nowMs) {
      Object.assign(row, { owner: r.owner, leaseUntilMs: r.nowMs + r.leaseMs, unknownSinceMs: null, claims: row.claims + 1 });
      return { state: 'claimed', claims: row.claims, resend: true };
    }
    row.unknownSinceMs = since;
    return { state: 'unknown', sinceMs: since, resendAtMs: r.settleWaitMs === null ? null : since + r.settleWaitMs };
  }

  async renew(key: string, owner: string, leaseUntilMs: number): Promise<boolean> {
    const row = this.entries.get(key);
    if (!row || row.state !== 'in_flight' || row.owner !== owner) return false;
    row.leaseUntilMs = Math.max(row.leaseUntilMs ?? 0, leaseUntilMs);
    return true;
  }

  async complete(key: string, result: SendResult, nowMs: number, settledBy: string): Promise<SendResult> {
    const row = this.entries.get(key);
    if (row?.state === 'sent') return { providerMessageId: row.providerMessageId ?? '' };
    if (row) Object.assign(row, { state: 'sent', providerMessageId: result.providerMessageId, sentAtMs: nowMs, settledBy, unknownSinceMs: null });
    return result;
  }

  async release(key: string, owner: string): Promise<void> {
    const row = this.entries.get(key);
    if (row?.state === 'in_flight' && row.owner === owner) this.entries.delete(key);
  }

  async abandon(key: string, owner: string, nowMs: number): Promise<void> {
    const row = this.entries.get(key);
    if (row?.state === 'in_flight' && row.owner === owner) row.leaseUntilMs = nowMs;
  }

  async settle(key: string, result: SendResult, nowMs: number, settledBy: string): Promise<boolean> {
    const row = this.entries.get(key);
    if (!row || row.state === 'sent') return false;
    Object.assign(row, { state: 'sent', providerMessageId: result.providerMessageId, sentAtMs: nowMs, settledBy, unknownSinceMs: null });
    return true;
  }

  async get(key: string): Promise<SendRecord | null> {
    const row = this.entries.get(key);
    return row ? { ...row } : null;
  }

  async claimMany(requests: ClaimRequest[]): Promise<ClaimResult[]> {
    const out: ClaimResult[] = [];
    for (const r of requests) out.push(await this.claim(r));
    return out;
  }

  async completeMany(items: { key: string; result: SendResult; settledBy: string }[], nowMs: number): Promise<SendResult[]> {
    const out: SendResult[] = [];
    for (const d of items) out.push(await this.complete(d.key, d.result, nowMs, d.settledBy));
    return out;
  }

  async unsettled(limit = 100): Promise<SendRecord[]> {
    return [...this.entries.values()].filter((r) => r.state === 'in_flight').sort((a, b) => a.claimedAtMs - b.claimedAtMs).slice(0, limit).map((r) => ({ ...r }));
  }
}

/** What a caller is told while its send waits: another attempt holds a live lease, or the outcome is unknown. */
export interface SendWaiting {
  state: 'in_progress' | 'unknown';
  channel: ChannelName;
  idempotencyKey: string;
  /** unknown: since when; in_progress: when the other attempt's lease ends */
  sinceMs: number | null;
  leaseUntilMs: number | null;
  /** unknown: when it is resent unless a provider callback settles it first (null: never by itself) */
  resendAtMs: number | null;
}

export interface SendOptions {
  /** how long this call may wait for another attempt or a settlement before it gives up (a retryable error) */
  maxWaitMs?: number;
  /** told when the send starts waiting, and again when what it waits for changes */
  onWaiting?: (waiting: SendWaiting) => void | Promise<void>;
}

export interface LedgerOptions {
  now?: () => number;
  /** how long a claim holds without renewal (default 30 s); renewed every third of it while the provider call runs */
  leaseMs?: number;
  /** how often a waiting send looks again (default 250 ms) */
  pollMs?: number;
  /** default for SendOptions.maxWaitMs (20 s) */
  maxWaitMs?: number;
  /** per-channel override of the adapters' `unknownOutcome` */
  settlement?: Partial<Record<ChannelName, SettlementPolicy>>;
}

const DEFAULT_POLICY: SettlementPolicy = { kind: 'resend', waitMs: 0 };

/** The ledger over a store: `send` for every channel, `settle` for provider callbacks, `get` / `unsettled` for ops. */
export class SendLedger {
  readonly now: () => number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxWaitMs: number;

  constructor(
    readonly store: IdempotencyStore,
    private readonly options: LedgerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 250;
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
  }

  policyFor(adapter: ChannelAdapter): SettlementPolicy {
    return this.options.settlement?.[adapter.channel] ?? adapter.unknownOutcome ?? DEFAULT_POLICY;
  }

  async send(adapter: ChannelAdapter, message: OutboundMessage, options: SendOptions = {}): Promise<SendResult> {
    const channel = adapter.channel;
    if (!message.idempotencyKey) {
      throw new ChannelSendError('A message needs an idempotency key', channel, false, 'missing_idempotency_key');
    }
    const key = ledgerKey(channel, message.idempotencyKey);
    const policy = this.policyFor(adapter);
    const owner = randomUUID();
    const deadline = this.now() + (options.maxWaitMs ?? this.maxWaitMs);
    let told: string | null = null;
    let claim: ClaimResult;
    for (;;) {
      claim = await this.store.claim({ key, channel, owner, nowMs: this.now(), leaseMs: this.leaseMs, settleWaitMs: policy.waitMs });
      if (claim.state === 'sent') return claim.result;
      if (claim.state === 'claimed') break;
      const waiting: SendWaiting =
        claim.state === 'unknown'
          ? { state: 'unknown', channel, idempotencyKey: message.idempotencyKey, sinceMs: claim.sinceMs, leaseUntilMs: null, resendAtMs: claim.resendAtMs }
          : { state: 'in_progress', channel, idempotencyKey: message.idempotencyKey, sinceMs: null, leaseUntilMs: claim.leaseUntilMs, resendAtMs: null };
      const what = `${waiting.state}:${waiting.resendAtMs ?? ''}`;
      if (told !== what) {
        told = what;
        await options.onWaiting?.(waiting);
      }
      const left = deadline - this.now();
      if (left <= 0) throw waitingError(waiting);
      await new Promise((r) => setTimeout(r, Math.min(this.pollMs, left)));
    }
    const renewEvery = Math.max(Math.floor(this.leaseMs / 3), 10);
    const renewal = setInterval(() => {
      void this.store.renew(key, owner, this.now() + this.leaseMs).catch(() => {});
    }, renewEvery);
    let result: SendResult;
    try {
      result = await adapter.send(message);
    } catch (error) {
      clearInterval(renewal);
      return this.failed(key, owner, error);
    }
    clearInterval(renewal);
    return this.store.complete(key, result, this.now(), claim.resend ? 'resend' : 'provider');
  }

  /**
   * A send that threw: a claim whose message may have gone out (`maybeDelivered`) becomes
   * unknown, settled by the channel's policy; any other is released for a new attempt. Rethrows.
   */
  async failed(key: string, owner: string, error: unknown): Promise<never> {
    if (error instanceof ChannelSendError && error.maybeDelivered) await this.store.abandon(key, owner, this.now());
    else await this.store.release(key, owner);
    throw error;
  }

  /**
   * Several sends with one claim and one record for all of them (the inbox drainer's replies of a
   * group commit): `claim` takes every key in one store call, `send` hands a claimed message to its
   * adapter without its own claim or record (any other key, or one the batch did not get, goes
   * through `send` above: waits, recorded results), `finish` records every result in one store call
   * and releases what was claimed but never sent. Exactly-once is the single send's: a claim is
   * held (and its lease renewed) from `claim` to `finish`; a crash in between leaves the claims
   * unknown, settled by the channel's policy.
   */
  async batch(entries: { adapter: ChannelAdapter; idempotencyKey: string }[]): Promise<SendBatch> {
    const owner = randomUUID();
    const nowMs = this.now();
    const seen = new Set<string>();
    const requests: (ClaimRequest & { adapter: ChannelAdapter })[] = [];
    for (const e of entries) {
      const key = ledgerKey(e.adapter.channel, e.idempotencyKey);
      if (seen.has(key)) continue;
      seen.add(key);
      requests.push({ key, channel: e.adapter.channel, owner, nowMs, leaseMs: this.leaseMs, settleWaitMs: this.policyFor(e.adapter).waitMs, adapter: e.adapter });
    }
    const plain = requests.map(({ adapter: _a, ...r }) => r);
    const results = !plain.length ? [] : this.store.claimMany ? await this.store.claimMany(plain) : await Promise.all(plain.map((r) => this.store.claim(r)));
    const claimed = new Map<string, { resend: boolean }>();
    const known = new Map<string, SendResult>();
    for (const [i, r] of results.entries()) {
      if (r.state === 'claimed') claimed.set(plain[i]!.key, { resend: r.resend });
      else if (r.state === 'sent') known.set(plain[i]!.key, r.result);
    }
    return new SendBatch(this, owner, claimed, known, this.leaseMs);
  }

  /** A provider callback (a status webhook echoing the key) says this message went out. */
  settle(channel: ChannelName, idempotencyKey: string, result: SendResult, settledBy = 'status_webhook'): Promise<boolean> {
    return this.store.settle(ledgerKey(channel, idempotencyKey), result, this.now(), settledBy);
  }

  async get(channel: ChannelName, idempotencyKey: string): Promise<(SendRecord & { now: 'sending' | 'unknown' | 'sent' }) | null> {
    const record = await this.store.get(ledgerKey(channel, idempotencyKey));
    return record ? { ...record, now: sendStateOf(record, this.now()) } : null;
  }

  async unsettled(limit?: number): Promise<(SendRecord & { now: 'sending' | 'unknown' | 'sent' })[]> {
    const nowMs = this.now();
    return (await this.store.unsettled(limit)).map((r) => ({ ...r, now: sendStateOf(r, nowMs) }));
  }
}

/** See `SendLedger.batch`. */
export class SendBatch {
  private readonly done: { key: string; result: SendResult; settledBy: string }[] = [];
  private readonly renewal: ReturnType<typeof setInterval> | null;

  constructor(
    private readonly ledger: SendLedger,
    private readonly owner: string,
    /** claimed by this batch and not yet handed to the provider */
    private readonly claimed: Map<string, { resend: boolean }>,
    /** recorded as sent before the batch: answered without sending */
    private readonly known: Map<string, SendResult>,
    leaseMs: number,
  ) {
    this.renewal = claimed.size
      ? setInterval(() => {
        const until = this.ledger.now() + leaseMs;
        for (const key of [...this.claimed.keys(), ...this.done.map((d) => d.key)]) void this.ledger.store.renew(key, this.owner, until).catch(() => {});
      }, Math.max(Math.floor(leaseMs / 3), 10))
      : null;
    this.renewal?.unref?.();
  }

  /** claimed by this batch: sent now, recorded by `finish`; else through the ledger as usual */
  async send(adapter: ChannelAdapter, message: OutboundMessage, options: SendOptions = {}): Promise<SendResult> {
    if (!message.idempotencyKey) return this.ledger.send(adapter, message, options);
    const key = ledgerKey(adapter.channel, message.idempotencyKey);
    const known = this.known.get(key);
    if (known) return known;
    const claim = this.claimed.get(key);
    if (!claim) return this.ledger.send(adapter, message, options);
    this.claimed.delete(key);
    let result: SendResult;
    try {
      result = await adapter.send(message);
    } catch (error) {
      return this.ledger.failed(key, this.owner, error);
    }
    this.done.push({ key, result, settledBy: claim.resend ? 'resend' : 'provider' });
    return result;
  }

  /**
   * Records what was sent (one store call) and releases the claims never used. Answers the
   * recorded result per ledger key (`channel:idempotencyKey`): the one recorded first when
   * another attempt (a status webhook) recorded it meanwhile.
   */
  async finish(): Promise<Map<string, SendResult>> {
    if (this.renewal) clearInterval(this.renewal);
    const unused = [...this.claimed.keys()];
    this.claimed.clear();
    const out = new Map<string, SendResult>();
    try {
      if (this.done.length) {
        const store = this.ledger.store;
        const nowMs = this.ledger.now();
        const recorded = store.completeMany ? await store.completeMany(this.done, nowMs) : await Promise.all(this.done.map((d) => store.complete(d.key, d.result, nowMs, d.settledBy)));
        for (const [i, d] of this.done.entries()) out.set(d.key, recorded[i] ?? d.result);
      }
    } finally {
      await Promise.all(unused.map((key) => this.ledger.store.release(key, this.owner)));
    }
    return out;
  }
}

function waitingError(w: SendWaiting): ChannelSendError {
  if (w.state === 'in_progress') {
    return new ChannelSendError(
      `A ${w.channel} send with key ${w.idempotencyKey} is being sent by another attempt (its lease runs until ${new Date(w.leaseUntilMs ?? 0).toISOString()}); this attempt waits for it instead of sending again.`,
      w.channel,
      true,
      'send_in_progress',
    );
  }
  return new ChannelSendError(
    `A ${w.channel} send with key ${w.idempotencyKey} has an unknown outcome since ${new Date(w.sinceMs ?? 0).toISOString()} (the process sending it stopped); ${
      w.resendAtMs === null ? 'it waits for the provider to confirm it' : `it is resent at ${new Date(w.resendAtMs).toISOString()} unless the provider confirms it first`
    }.`,
    w.channel,
    true,
    'send_outcome_unknown',
  );
}

/** An adapter whose every send goes through the ledger. */
export function withIdempotency(adapter: ChannelAdapter, store: IdempotencyStore | SendLedger, options: LedgerOptions = {}): ChannelAdapter & { sendWith(message: OutboundMessage, options?: SendOptions): Promise<SendResult> } {
  const ledger = store instanceof SendLedger ? store : new SendLedger(store, options);
  return {
    channel: adapter.channel,
    ...(adapter.unknownOutcome ? { unknownOutcome: adapter.unknownOutcome } : {}),
    send: (message: OutboundMessage) => ledger.send(adapter, message),
    sendWith: (message: OutboundMessage, sendOptions?: SendOptions) => ledger.send(adapter, message, sendOptions),
    ...(adapter.close ? { close: () => adapter.close!() } : {}),
  };
}
