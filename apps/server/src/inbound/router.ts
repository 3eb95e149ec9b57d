/**
 * Where customers' messages come in:
 *   GET  /api/webhooks/whatsapp   the Cloud API's verification handshake (WHATSAPP_VERIFY_TOKEN)
 *   POST /api/webhooks/whatsapp   Cloud API webhooks, signed with WHATSAPP_APP_SECRET (X-Hub-Signature-256)
 *   POST /api/webhooks/sms        { from, text, id? } with `Authorization: Bearer SMS_WEBHOOK_TOKEN`
 *   POST /api/inbound/messages    an agent logs a reply that came in elsewhere (e.g. by e-mail)
 * Mounted before the JSON body parser: webhook signatures are checked over the raw bytes.
 */
import express, { type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { z, type ZodError } from 'zod';
import { answerWebhookVerification, parseWhatsAppWebhook, SendLedger, SqlIdempotencyStore, verifyWhatsAppSignature } from '@nudge/channels';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { HttpError, zodIssues, zodMessage } from '../http/errors.js';
import { screenInput } from '../http/guard.js';
import { InboundError, receiveInboundMessage, receiveInboundMessages } from './service.js';
import { registerWebhookOperations } from './openapi.js';
import { applyDeliveryStatus } from '../conversations/index.js';
import { processEnv, setting, type Env } from '../config.js';
import { nowOf } from '../context.js';
import { applyTemplateStatus } from '../templates/service.js';
import { forgetInboxSettings } from '../conversations/settings.js';

function fail(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ error: { code, message } });
}

export function createWebhooksRouter(ctx: AppContext, env: Env = processEnv): express.Router {
  registerWebhookOperations();
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: '2mb' });
  // statuses echo the send's idempotency key (biz_opaque_callback_data): they settle the send ledger
  const ledger = new SendLedger(new SqlIdempotencyStore(ctx.db.sql));

  router.get('/whatsapp', (req: Request, res: Response) => {
    const token = setting('WHATSAPP_VERIFY_TOKEN', env);
    if (!token) return fail(res, 503, 'not_configured', 'Set WHATSAPP_VERIFY_TOKEN to verify this webhook with Meta.');
    const challenge = answerWebhookVerification(req.query as Record<string, unknown>, token);
    if (challenge === null) return fail(res, 403, 'forbidden', 'The verify token does not match WHATSAPP_VERIFY_TOKEN.');
    res.type('text/plain').send(challenge);
  });

  router.post('/whatsapp', raw, async (req: Request, res: Response, next) => {
    try {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.from('');
      const secret = setting('WHATSAPP_APP_SECRET', env);
      if (!secret) return fail(res, 503, 'not_configured', 'Set WHATSAPP_APP_SECRET: webhooks are only accepted with a valid signature.');
      if (!verifyWhatsAppSignature(body, req.header('x-hub-signature-256') ?? undefined, secret)) {
        return fail(res, 401, 'bad_signature', 'The X-Hub-Signature-256 header does not match the body signed with WHATSAPP_APP_SECRET.');
      }
      let parsed: ReturnType<typeof parseWhatsAppWebhook>;
      try {
        const json: unknown = JSON.parse(body.toString('utf8'));
        const screened = screenInput(json, 'body'); // NUL, lone surrogates, huge numbers, deep nesting
        if (screened.length) throw new HttpError(400, 'invalid_input', zodMessage(screened), screened);
        parsed = parseWhatsAppWebhook(json);
      } catch (err) {
        if (err instanceof HttpError) throw err;
        const details = Array.isArray((err as ZodError).issues) ? zodIssues(err as ZodError, 'body') : undefined;
        const why = details ? zodMessage(details) : (err as Error).message.slice(0, 300);
        res.status(400).json({ error: { code: 'invalid_webhook', message: `Not a WhatsApp Cloud API webhook: ${why}`, details } });
        return;
      }
      // the payload's messages go into one transaction together (group commit), in their order
      const results = await receiveInboundMessages(ctx, parsed.messages.map((m) => ({
        channel: 'whatsapp' as const, from: m.from ?? '', contactUserId: m.userId, text: m.text, providerMessageId: m.providerMessageId, name: m.profileName, at: new Date(m.at),
      })));
      let settled = 0;
      for (const s of parsed.statuses) {
        if (s.callbackData && s.status !== 'failed' && s.status !== 'deleted') {
          if (await ledger.settle('whatsapp', s.callbackData, { providerMessageId: s.providerMessageId })) settled += 1;
        }
        // inbox: delivery statuses move messages forward only (conversations/status.ts)
        await applyDeliveryStatus(ctx, { channel: 'whatsapp', providerMessageId: s.providerMessageId, status: s.status, at: new Date(s.at), error: s.error });
      }
      // Meta's review of a saved template (message_template_status_update): pending → approved / rejected / paused / disabled
      let templates = 0;
      const waba = setting('WHATSAPP_BUSINESS_ACCOUNT_ID', env);
      for (const u of parsed.templateStatuses) {
        if (waba && u.businessAccountId !== waba) continue; // another business account's template
        templates += await applyTemplateStatus(ctx.db.db, u, nowOf(ctx));
      }
      if (templates) forgetInboxSettings(ctx);
      res.json({ received: results.length, statuses: parsed.statuses.length, settled, templates, results });
    } catch (err) {
      if (err instanceof InboundError) {
        // nothing was written: every sender is checked before the payload's transaction
        const path = `messages[${err.index ?? 0}].from`;
        return void res.status(400).json({ error: { code: 'invalid_input', message: `${path}: ${err.message}`, details: [{ path, code: 'invalid_phone', message: err.message }] } });
      }
      next(err);
    }
  });

  const smsBody = z.object({ from: z.string().min(3), text: z.string().min(1).max(5000), id: z.string().max(200).optional() });
  router.post('/sms', express.json({ limit: '100kb' }), async (req: Request, res: Response, next) => {
    try {
      const token = setting('SMS_WEBHOOK_TOKEN', env);
      if (!token) return fail(res, 503, 'not_configured', 'Set SMS_WEBHOOK_TOKEN and send it as a Bearer token.');
      const given = Buffer.from((req.header('authorization') ?? '').replace(/^Bearer\s+/i, ''));
      const want = Buffer.from(token);
      if (given.length !== want.length || !timingSafeEqual(given, want)) return fail(res, 401, 'unauthorized', 'Wrong or missing Bearer token (SMS_WEBHOOK_TOKEN).');
      const screened = screenInput(req.body, 'body');
      if (screened.length) return void res.status(400).json({ error: { code: 'invalid_input', message: zodMessage(screened), details: screened } });
      const r = smsBody.safeParse(req.body);
      if (!r.success) return fail(res, 400, 'invalid_input', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
      res.json(await receiveInboundMessage(ctx, { channel: 'sms', from: r.data.from, text: r.data.text, ...(r.data.id ? { providerMessageId: r.data.id } : {}) }));
    } catch (err) {
      if (err instanceof InboundError) {
        return void res.status(400).json({ error: { code: 'invalid_input', message: `body.from: ${err.message}`, details: [{ path: 'body.from', code: 'invalid_phone', message: err.message }] } });
      }
      next(err);
    }
  });
  return router;
}

const InboundBody = z.object({
  channel: z.enum(['whatsapp', 'sms', 'email']),
  from: z.string().trim().min(3).describe('the sender: phone with country code, WhatsApp id, or e-mail address'),
  text: z.string().min(1).max(20_000),
  name: z.string().trim().max(200).optional(),
});

export function createInboundRouter(ctx: AppContext): express.Router {
  const { router, route } = createApiRouter(ctx, '/api/inbound', 'Inbound messages');
  route({
    method: 'post',
    path: '/messages',
    summary: 'Log a message a customer sent (matched by phone / WhatsApp id / e-mail; created on first contact); waiting flow runs hear it',
    body: InboundBody,
    action: 'inbound.message',
    handler: async ({ body, user }) => {
      try {
        return await receiveInboundMessage(ctx, body, user);
      } catch (err) {
        if (err instanceof InboundError) throw new HttpError(400, 'invalid_input', `from: ${err.message}`, [{ path: 'body.from', message: err.message }]);
        throw err;
      }
    },
  });
  return router;
}
