import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpAdapter, messageIdFor } from './email.js';
import type { SmtpStandIn } from './standins/index.js';
import { startSmtpStandIn } from './standins/index.js';
import { ChannelSendError } from './types.js';

describe('email over SMTP (nodemailer → SMTP stand-in)', () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtpStandIn({ rejectRecipient: (a) => a.startsWith('nobody@') });
  });
  afterAll(() => smtp.close());

  it('delivers a Unicode mail with a stable Message-ID and the idempotency header', async () => {
    const adapter = createSmtpAdapter({ host: smtp.host, port: smtp.port, from: 'Nudge <noreply@nudge.example>', ignoreTLS: true });
    const result = await adapter.send({
      to: 'daming@example.com',
      subject: '您好 張大明 — ¿seguimos?',
      text: 'Hola 張大明,\n這是一封測試信。',
      idempotencyKey: 'run-1:email',
    });
    expect(result.providerMessageId).toBe(messageIdFor('run-1:email', 'nudge.example'));
    const [mail] = await smtp.waitForMessages(1);
    expect(mail).toMatchObject({
      envelopeFrom: 'noreply@nudge.example',
      envelopeTo: ['daming@example.com'],
      from: 'noreply@nudge.example',
      to: ['daming@example.com'],
      subject: '您好 張大明 — ¿seguimos?',
      messageId: result.providerMessageId,
    });
    expect(mail!.text.trim()).toBe('Hola 張大明,\n這是一封測試信。');
    expect(mail!.headers['x-nudge-idempotency-key']).toBe('run-1:email');
    await adapter.close?.();
  });

  it('reports a refused mailbox as permanent', async () => {
    const adapter = createSmtpAdapter({ host: smtp.host, port: smtp.port, from: 'noreply@nudge.example', ignoreTLS: true });
    const error = await adapter.send({ to: 'nobody@example.com', text: 'x', idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error).toMatchObject({ channel: 'email', retryable: false, status: 550 });
    expect((error as Error).message).toContain('nobody@example.com');
  });

  it('refuses a malformed address before connecting', async () => {
    const adapter = createSmtpAdapter({ host: smtp.host, port: smtp.port, from: 'noreply@nudge.example', ignoreTLS: true });
    await expect(adapter.send({ to: 'not-an-address', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'invalid_address', retryable: false });
  });

  it('treats an unreachable server as temporary', async () => {
    const closed = await startSmtpStandIn();
    const port = closed.port;
    await closed.close();
    const adapter = createSmtpAdapter({ host: '127.0.0.1', port, from: 'noreply@nudge.example', ignoreTLS: true, timeoutMs: 2000 });
    await expect(adapter.send({ to: 'a@example.com', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({ retryable: true });
  });

  it('logs in when the server requires it, and reports bad credentials as permanent', async () => {
    const secured = await startSmtpStandIn({ auth: { user: 'nudge', pass: 's3cret' } });
    try {
      const good = createSmtpAdapter({ host: secured.host, port: secured.port, from: 'noreply@nudge.example', ignoreTLS: true, user: 'nudge', pass: 's3cret' });
      await good.send({ to: 'a@example.com', subject: 'hi', text: 'hello', idempotencyKey: 'auth-1' });
      expect(secured.messages).toHaveLength(1);
      const bad = createSmtpAdapter({ host: secured.host, port: secured.port, from: 'noreply@nudge.example', ignoreTLS: true, user: 'nudge', pass: 'wrong' });
      await expect(bad.send({ to: 'a@example.com', text: 'x', idempotencyKey: 'auth-2' })).rejects.toMatchObject({ code: 'EAUTH', retryable: false });
    } finally {
      await secured.close();
    }
  });
});
