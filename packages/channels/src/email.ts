/** Email over SMTP with nodemailer (pooling, STARTTLS, auth and MIME are its job, not ours). */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';
import { ChannelSendError } from './types.js';

export const smtpConfigSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535).default(587),
  /** true = TLS from the first byte (port 465); false = plain, upgraded by STARTTLS when offered */
  secure: z.boolean().default(false),
  user: z.string().optional(),
  pass: z.string().optional(),
  /** "Nudge <noreply@example.com>" */
  from: z.string().min(3),
  /** for local stand-ins without a certificate */
  ignoreTLS: z.boolean().default(false),
  timeoutMs: z.number().int().min(1000).default(30_000),
});
export type SmtpConfig = z.input<typeof smtpConfigSchema>;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A stable Message-ID per idempotency key: a resend after a crash is recognisable as the same mail. */
export const messageIdFor = (key: string, domain = 'nudge.local') =>
  `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

export function createSmtpAdapter(input: SmtpConfig): ChannelAdapter {
  const config = smtpConfigSchema.parse(input);
  const transporter = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ignoreTLS: config.ignoreTLS,
    ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
  });
  const domain = config.from.match(/@([^>\s]+)/)?.[1] ?? 'nudge.local';

  return {
    channel: 'email',
    // the Message-ID comes from the key: a resend after a crash is the same mail to the recipient's system
    unknownOutcome: { kind: 'resend', waitMs: 0 },
    async send(message: OutboundMessage): Promise<SendResult> {
      if (!emailPattern.test(message.to)) {
        throw new ChannelSendError(`"${message.to}" is not an email address`, 'email', false, 'invalid_address');
      }
      try {
        const info = await transporter.sendMail({
          from: config.from,
          to: message.to,
          subject: message.subject ?? '',
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          messageId: messageIdFor(message.idempotencyKey, domain),
          headers: { 'X-Nudge-Idempotency-Key': message.idempotencyKey },
        });
        if (info.rejected.length > 0) {
          throw new ChannelSendError(`The mail server refused ${info.rejected.join(', ')}`, 'email', false, 'rejected');
        }
        return { providerMessageId: info.messageId };
      } catch (error) {
        if (error instanceof ChannelSendError) throw error;
        const e = error as SmtpError;
        const status = e.responseCode;
        // 5xx: permanent (unknown mailbox, policy); 4xx and connection trouble: try again later
        const permanent = status !== undefined && status >= 500;
        throw new ChannelSendError(
          `Sending email to ${message.to} failed: ${e.response ?? e.message}`,
          'email',
          !permanent && e.code !== 'EAUTH' && e.code !== 'EENVELOPE',
          e.code ?? 'smtp_error',
          status,
        );
      }
    },
    async close() {
      transporter.close();
    },
  };
}
