/**
 * SMS through a simple HTTP gateway: POST {baseUrl}/messages with a bearer token and
 * { from, to, text, reference } → { id, status }. Most SMS gateways take this shape or close to
 * it; a provider-specific adapter (Twilio, Vonage…) can implement ChannelAdapter the same way.
 */
import { z } from 'zod';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';
import { ChannelSendError } from './types.js';

export const smsSendRequestSchema = z.object({
  from: z.string().min(1),
  to: z.string().regex(/^\+\d{6,15}$/, 'to must be an E.164 phone number like +886912345678'),
  text: z.string().min(1).max(1600),
  /** the idempotency key; gateways that support it deduplicate on it */
  reference: z.string().min(1),
});
export const smsSendResponseSchema = z.object({ id: z.string().min(1), status: z.string() });

export const smsConfigSchema = z.object({
  baseUrl: z.url(),
  token: z.string().min(1),
  from: z.string().min(1),
  timeoutMs: z.number().int().min(1000).default(15_000),
  /** a send whose outcome is unknown after a crash is resent with the same reference after this long */
  unknownOutcomeWaitMs: z.number().int().min(0).default(15_000),
});
export type SmsConfig = z.input<typeof smsConfigSchema>;

export function createSmsAdapter(input: SmsConfig): ChannelAdapter {
  const config = smsConfigSchema.parse(input);
  const url = `${config.baseUrl.replace(/\/$/, '')}/messages`;
  return {
    channel: 'sms',
    // the key travels as `reference` (and Idempotency-Key): a gateway that knows it answers the first
    // message instead of sending again; give its delivery report a while to arrive first
    unknownOutcome: { kind: 'resend', waitMs: config.unknownOutcomeWaitMs },
    async send(message: OutboundMessage): Promise<SendResult> {
      const request = smsSendRequestSchema.safeParse({
        from: config.from,
        to: message.to.replace(/[^\d+]/g, ''),
        text: message.text,
        reference: message.idempotencyKey,
      });
      if (!request.success) {
        throw new ChannelSendError(`Cannot send SMS: ${request.error.issues[0]?.message}`, 'sms', false, 'invalid_request');
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey },
          body: JSON.stringify(request.data),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
        throw new ChannelSendError(`SMS gateway ${timedOut ? 'did not answer in time' : 'unreachable'}: ${(error as Error).message}`, 'sms', true, timedOut ? 'timeout' : 'network', undefined, timedOut);
      }
      const text = await response.text();
      if (!response.ok) {
        throw new ChannelSendError(
          `SMS gateway refused the message (${response.status}): ${text.slice(0, 200)}`,
          'sms',
          response.status === 429 || response.status >= 500,
          `http_${response.status}`,
          response.status,
        );
      }
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // reported below as an unexpected body
      }
      const parsed = smsSendResponseSchema.safeParse(json);
      if (!parsed.success) throw new ChannelSendError('SMS gateway answered with an unexpected body', 'sms', false, 'bad_response');
      return { providerMessageId: parsed.data.id };
    },
  };
}
