import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsConfigFromEnv, createChannels } from './channels.js';
import type { SmsStandIn, SmtpStandIn, WhatsAppStandIn } from './standins/index.js';
import { startSmsStandIn, startSmtpStandIn, startWhatsAppStandIn } from './standins/index.js';

describe('channels from configuration', () => {
  let smtp: SmtpStandIn;
  let wa: WhatsAppStandIn;
  let sms: SmsStandIn;
  beforeAll(async () => {
    [smtp, wa, sms] = await Promise.all([startSmtpStandIn(), startWhatsAppStandIn({ statusWebhooks: false }), startSmsStandIn()]);
  });
  afterAll(async () => {
    await Promise.all([smtp.close(), wa.close(), sms.close()]);
  });

  it('reads the environment and sends on all three channels once per key', async () => {
    const config = channelsConfigFromEnv({
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      SMTP_IGNORE_TLS: 'true',
      SMTP_FROM: 'Nudge <noreply@nudge.example>',
      WHATSAPP_API_URL: wa.url,
      WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
      WHATSAPP_ACCESS_TOKEN: wa.accessToken,
      SMS_API_URL: sms.url,
      SMS_API_TOKEN: sms.token,
      SMS_FROM: 'NUDGE',
    });
    const channels = createChannels(config);
    for (let i = 0; i < 2; i++) {
      await channels.send('email', { to: 'ana@example.com', subject: 'Hi', text: 'Hi Ana', idempotencyKey: 'r1:e' });
      await channels.send('whatsapp', { to: '+34600111222', text: 'Hola Ana', idempotencyKey: 'r1:w' });
      await channels.send('sms', { to: '+34600111222', text: 'Hola Ana', idempotencyKey: 'r1:s' });
    }
    await smtp.waitForMessages(1);
    expect([smtp.messages.length, wa.messages.length, sms.messages.length]).toEqual([1, 1, 1]);
    await channels.close();
  });

  it('explains a channel that is not set up or half set up', async () => {
    const channels = createChannels({});
    await expect(channels.send('sms', { to: '+1', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'channel_not_configured' });
    expect(() => channelsConfigFromEnv({ SMTP_HOST: 'mail.example.com' })).toThrow(/Channel settings are incomplete: email.from/);
    expect(channelsConfigFromEnv({})).toEqual({});
  });
});
