/** Adapters chosen by configuration, each wrapped with the idempotency store. */
import { z } from 'zod';
import { createSmtpAdapter, smtpConfigSchema } from './email.js';
import type { IdempotencyStore, LedgerOptions, SendOptions } from './idempotency.js';
import { MemoryIdempotencyStore, SendLedger, ledgerKey, type SendBatch } from './idempotency.js';
import { createSmsAdapter, smsConfigSchema } from './sms.js';
import type { ChannelAdapter, ChannelName, OutboundMessage, SendResult } from './types.js';
import { ChannelSendError } from './types.js';
import { createWhatsAppAdapter, whatsappConfigSchema } from './whatsapp.js';

export const channelsConfigSchema = z.object({
  email: smtpConfigSchema.optional(),
  whatsapp: whatsappConfigSchema.optional(),
  sms: smsConfigSchema.optional(),
});
export type ChannelsConfig = z.input<typeof channelsConfigSchema>;

const bool = (v: string | undefined) => v === 'true' || v === '1';

/**
 * Reads SMTP_HOST / SMTP_PORT / SMTP_SECURE / SMTP_USER / SMTP_PASS / SMTP_FROM / SMTP_IGNORE_TLS,
 * WHATSAPP_API_URL / WHATSAPP_API_VERSION / WHATSAPP_PHONE_NUMBER_ID / WHATSAPP_ACCESS_TOKEN,
 * SMS_API_URL / SMS_API_TOKEN / SMS_FROM. A channel is configured when its first variable is set.
 */
export function channelsConfigFromEnv(env: Record<string, string | undefined>): ChannelsConfig {
  const config: ChannelsConfig = {};
  if (env.SMTP_HOST) {
    config.email = {
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT ?? 587),
      secure: bool(env.SMTP_SECURE),
      ignoreTLS: bool(env.SMTP_IGNORE_TLS),
      from: env.SMTP_FROM ?? '',
      ...(env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASS ?? '' } : {}),
    };
  }
  if (env.WHATSAPP_PHONE_NUMBER_ID) {
    config.whatsapp = {
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID,
      accessToken: env.WHATSAPP_ACCESS_TOKEN ?? '',
      ...(env.WHATSAPP_API_URL ? { baseUrl: env.WHATSAPP_API_URL } : {}),
      ...(env.WHATSAPP_API_VERSION ? { apiVersion: env.WHATSAPP_API_VERSION } : {}),
    };
  }
  if (env.SMS_API_URL) config.sms = { baseUrl: env.SMS_API_URL, token: env.SMS_API_TOKEN ?? '', from: env.SMS_FROM ?? '' };
  const checked = channelsConfigSchema.safeParse(config);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new Error(`Channel settings are incomplete: ${issue.path.join('.')} — ${issue.message}`);
  }
  return config;
}

export interface Channels {
  /** the raw adapters (sending through them directly bypasses the ledger) */
  adapters: Partial<Record<ChannelName, ChannelAdapter>>;
  /** the one ledger every send goes through (flows, auto-replies, broadcasts) */
  ledger: SendLedger;
  send(channel: ChannelName, message: OutboundMessage, options?: SendOptions): Promise<SendResult>;
  /**
   * Several sends with one ledger claim and one record for all (`SendLedger.batch`): the keys are
   * claimed now; `send` sends a claimed one without its own claim and record (anything else as
   * `Channels.send`); `finish` records them all and releases the claims not used.
   */
  batch?(entries: { channel: ChannelName; idempotencyKey: string }[]): Promise<ChannelBatch>;
  close(): Promise<void>;
}

export interface ChannelBatch {
  send(channel: ChannelName, message: OutboundMessage, options?: SendOptions): Promise<SendResult>;
  /** the recorded result per `channel` + idempotency key (`recorded(channel, key)`) */
  finish(): Promise<{ recorded(channel: ChannelName, idempotencyKey: string): SendResult | undefined }>;
}

export function createChannels(
  config: ChannelsConfig,
  options: { store?: IdempotencyStore; ledger?: LedgerOptions; extra?: ChannelAdapter[] } = {},
): Channels {
  const parsed = channelsConfigSchema.parse(config);
  const ledger = new SendLedger(options.store ?? new MemoryIdempotencyStore(), options.ledger);
  const raw: ChannelAdapter[] = [
    ...(parsed.email ? [createSmtpAdapter(parsed.email)] : []),
    ...(parsed.whatsapp ? [createWhatsAppAdapter(parsed.whatsapp)] : []),
    ...(parsed.sms ? [createSmsAdapter(parsed.sms)] : []),
    ...(options.extra ?? []),
  ];
  const adapters: Partial<Record<ChannelName, ChannelAdapter>> = {};
  for (const adapter of raw) adapters[adapter.channel] = adapter;
  return {
    adapters,
    ledger,
    async send(channel, message, sendOptions) {
      const adapter = adapters[channel];
      if (!adapter) {
        throw new ChannelSendError(`The ${channel} channel is not set up; add its settings first`, channel, false, 'channel_not_configured');
      }
      return ledger.send(adapter, message, sendOptions);
    },
    async batch(entries) {
      const send = this.send.bind(this);
      const known = entries.filter((e) => adapters[e.channel]);
      const b: SendBatch = await ledger.batch(known.map((e) => ({ adapter: adapters[e.channel]!, idempotencyKey: e.idempotencyKey })));
      return {
        send(channel, message, sendOptions) {
          const adapter = adapters[channel];
          return adapter ? b.send(adapter, message, sendOptions) : send(channel, message, sendOptions);
        },
        async finish() {
          const recorded = await b.finish();
          return { recorded: (channel, key) => recorded.get(ledgerKey(channel, key)) };
        },
      };
    },
    async close() {
      await Promise.all(raw.map((a) => a.close?.()));
    },
  };
}
