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
  /** the same key never sends twice (see withIdempotency) */
  idempotencyKey: string;
}

export interface SendResult {
  providerMessageId: string;
}

export interface ChannelAdapter {
  readonly channel: ChannelName;
  send(message: OutboundMessage): Promise<SendResult>;
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
  ) {
    super(message);
  }
}
