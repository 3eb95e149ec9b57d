/**
 * On one machine with nothing configured, messages still have somewhere to go: the local
 * stand-ins of @nudge/channels (an SMTP server, a WhatsApp Cloud API server, an SMS gateway) are
 * started on free ports and the channel settings point at them. Set SMTP_HOST / WHATSAPP_API_URL /
 * SMS_API_URL to use real providers (each channel independently), or NUDGE_CHANNEL_STANDINS=0.
 */
import { startSmsStandIn, startSmtpStandIn, startWhatsAppStandIn } from '@nudge/channels/standins';
import { processEnv, setting, type Env } from '../config.js';

export interface ChannelStandIns {
  started: string[];
  stop(): Promise<void>;
}

export async function startChannelStandInsIfUnconfigured(env: Env = processEnv, webhookUrl?: string): Promise<ChannelStandIns> {
  const started: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  if (setting('NUDGE_CHANNEL_STANDINS', env) === '0') return { started, stop: async () => {} };
  if (!setting('SMTP_HOST', env)) {
    // what it received is on a small HTTP page for the operator (NUDGE_SMTP_INBOX_PORT, default a free port)
    const smtp = await startSmtpStandIn({ port: 0, http: { port: setting('NUDGE_SMTP_INBOX_PORT', env) } });
    Object.assign(env, { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), SMTP_IGNORE_TLS: 'true', SMTP_FROM: setting('SMTP_FROM', env) ?? 'Nudge <noreply@nudge.local>' });
    started.push(`email (SMTP ${smtp.host}:${smtp.port}; what it received: ${smtp.httpUrl}/)`);
    stops.push(() => smtp.close());
  }
  if (!setting('WHATSAPP_API_URL', env)) {
    const wa = await startWhatsAppStandIn({ port: 0, ...(webhookUrl ? { webhookUrl } : {}) });
    Object.assign(env, { WHATSAPP_API_URL: wa.url, WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId, WHATSAPP_ACCESS_TOKEN: wa.accessToken, WHATSAPP_APP_SECRET: wa.appSecret });
    started.push(`WhatsApp (${wa.url})`);
    stops.push(() => wa.close());
  }
  if (!setting('SMS_API_URL', env)) {
    const sms = await startSmsStandIn({ port: 0 });
    Object.assign(env, { SMS_API_URL: sms.url, SMS_API_TOKEN: sms.token, SMS_FROM: setting('SMS_FROM', env) ?? 'NUDGE' });
    started.push(`SMS (${sms.url})`);
    stops.push(() => sms.close());
  }
  return { started, stop: async () => { for (const s of stops) await s().catch(() => {}); } };
}
