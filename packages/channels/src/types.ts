/** One adapter interface for every channel Nudge sends on. */
export type ChannelName = 'email' | 'whatsapp' | 'sms';

export interface OutboundMessage {
  /** email address, or phone / WhatsApp id in E.164 (with or without +) */
  to: string;
  /** email only */
  subject?: string;
  /** final text: variables are already filled in by the caller */
  text: string;
  /** email only */
  html?: string;
  /** WhatsApp approved template (needed outside the 24-hour window) */
  template?: { name: string; language: string; parameters: string[] };
  /** the values used to fill the text, kept for providers that render templates themselves */
  variables?: Record<string, string>;
  /** the same key never sends twice (see SendLedger in idempotency.ts) */
  idempotencyKey: string;
}

export interface SendResult {
  providerMessageId: string;
}

/**
 * How the ledger settles a send of this channel whose outcome is unknown (the process died
 * between handing it over and recording it):
 *  - `resend`: send again after `waitMs` — safe where the provider or the recipient's system
 *    de-duplicates on something derived from the key (e-mail Message-ID, an SMS gateway's reference);
 *  - `await_status`: wait up to `waitMs` for the provider's callback that echoes the key (WhatsApp's
 *    status webhook with `biz_opaque_callback_data`), then send again.
 */
export interface SettlementPolicy {
  kind: 'resend' | 'await_status';
  waitMs: number;
}

export interface ChannelAdapter {
  readonly channel: ChannelName;
  send(message: OutboundMessage): Promise<SendResult>;
  /** how an unknown outcome is settled (default: resend at once) */
  readonly unknownOutcome?: SettlementPolicy;
  close?(): Promise<void>;
}

/**
 * A send that failed. `retryable` says whether trying again later can succeed (a busy server,
 * a rate limit) or a person must fix something first (a bad address, a rejected template).
 */
export class ChannelSendError extends Error {
  override readonly name = 'ChannelSendError';
  constructor(
    message: string,
    readonly channel: ChannelName,
    readonly retryable: boolean,
    readonly code: string,
    readonly status?: number,
    /** the provider may have accepted the message before the call failed (a timeout after the request went out) */
    readonly maybeDelivered = false,
  ) {
    super(message);
  }
}
