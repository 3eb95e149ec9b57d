/**
 * Starts the three stand-ins for development:
 *   pnpm --filter @nudge/channels standins [--smtp-port 2525] [--whatsapp-port 8790] [--sms-port 8791]
 *     [--inbox-port 8792] [--webhook-url http://127.0.0.1:3000/api/webhooks/whatsapp]
 * prints the environment for the Nudge server, and serves an inbox on --inbox-port:
 *   GET  /            everything received so far { emails, whatsapp, sms }
 *   POST /whatsapp/inbound {"from":"+886912345678","text":"價格?","name":"張大明"}  a customer writes
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { listen, readBody, sendJson } from './http.js';
import { startSmsStandIn } from './sms.js';
import { startSmtpStandIn } from './smtp.js';
import { startWhatsAppStandIn } from './whatsapp.js';

const { values } = parseArgs({
  options: {
    'smtp-port': { type: 'string', default: '2525' },
    'whatsapp-port': { type: 'string', default: '8790' },
    'sms-port': { type: 'string', default: '8791' },
    'inbox-port': { type: 'string', default: '8792' },
    'webhook-url': { type: 'string' },
  },
});

const smtp = await startSmtpStandIn({ port: Number(values['smtp-port']), http: { port: 0 } });
const whatsapp = await startWhatsAppStandIn({
  port: Number(values['whatsapp-port']),
  ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
});
const sms = await startSmsStandIn({ port: Number(values['sms-port']) });

const inboundSchema = z.object({ from: z.string().min(6), text: z.string().min(1), name: z.string().optional() });
const inbox = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    return sendJson(res, 200, { emails: smtp.messages, whatsapp: whatsapp.messages, sms: sms.messages, webhooks: whatsapp.webhookDeliveries });
  }
  if (req.method === 'POST' && req.url === '/whatsapp/inbound') {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { error: 'Send JSON like {"from":"+886912345678","text":"hello"}' });
    }
    const parsed = inboundSchema.safeParse(body);
    if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { from, text, name } = parsed.data;
    return sendJson(res, 200, await whatsapp.sendInbound({ from, text, ...(name ? { name } : {}) }));
  }
  sendJson(res, 404, { error: 'GET / or POST /whatsapp/inbound' });
});
const inboxPort = await listen(inbox, Number(values['inbox-port']), '127.0.0.1');

console.log(`Nudge channel stand-ins are running. Server environment:
SMTP_HOST=${smtp.host}
SMTP_PORT=${smtp.port}
SMTP_IGNORE_TLS=true
SMTP_FROM="Nudge <noreply@nudge.local>"
WHATSAPP_API_URL=${whatsapp.url}
WHATSAPP_PHONE_NUMBER_ID=${whatsapp.phoneNumberId}
WHATSAPP_ACCESS_TOKEN=${whatsapp.accessToken}
WHATSAPP_APP_SECRET=${whatsapp.appSecret}
SMS_API_URL=${sms.url}
SMS_API_TOKEN=${sms.token}
SMS_FROM=NUDGE
Inbox: http://127.0.0.1:${inboxPort}/  (POST /whatsapp/inbound to play a customer)
E-mails received (HTML page): ${smtp.httpUrl}/`);

const stop = async () => {
  inbox.close();
  await Promise.all([smtp.close(), whatsapp.close(), sms.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
