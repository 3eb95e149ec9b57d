/**
 * A local HTTP server that answers like the WhatsApp Cloud API: it accepts template submissions
 * (POST /{version}/{WABA id}/message_templates, approved at once; edits; GET of a template's status;
 * DELETE /{version}/{WABA id}/message_templates?name=…[&hsm_id=…]),
 * POST /{version}/{phone-number-id}/messages with a bearer token, validates the body with the
 * same schemas as the adapter, answers with a wamid, and posts signed webhooks (delivery
 * statuses, and inbound messages on demand) to a URL, as Meta does.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { WhatsAppSendRequest, WhatsAppWebhook } from '../whatsapp.js';
import { signWhatsAppPayload, whatsappSendRequestSchema } from '../whatsapp.js';
import { closeServer, listen, readBody, sendJson, waitUntil } from './http.js';
import { whatsappTemplateCreateSchema, whatsappTemplateEditSchema, type WhatsAppTemplateCreate } from '../whatsapp-templates.js';
import { whatsAppMessageWebhook, whatsAppStatusWebhook, type CloudApiRecipient } from '../whatsapp-webhooks.js';

export interface WhatsAppStandInMessage {
  id: string;
  request: WhatsAppSendRequest;
  at: number;
}

export interface WhatsAppStandInTemplate {
  id: string;
  status: string;
  request: WhatsAppTemplateCreate;
}

export interface WebhookDelivery {
  payload: WhatsAppWebhook;
  status: number | null;
  error: string | null;
  /** how many times it was posted (retried until a 2xx) */
  attempts: number;
}

export interface WhatsAppStandInOptions {
  host?: string;
  port?: number;
  accessToken?: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  businessAccountId?: string;
  appSecret?: string;
  /** where webhooks go (the Nudge server's /api/webhooks/whatsapp) */
  webhookUrl?: string;
  /** post "sent" and "delivered" statuses after each accepted message */
  statusWebhooks?: boolean;
  /** a webhook that gets no 2xx is posted again, like Meta does, this many times (default 6, after 1 s, 2 s, 4 s …) */
  webhookRetries?: number;
  webhookRetryInitialMs?: number;
}

export interface WhatsAppStandIn {
  /** base URL for the adapter's baseUrl */
  url: string;
  accessToken: string;
  phoneNumberId: string;
  appSecret: string;
  messages: WhatsAppStandInMessage[];
  /** templates submitted to POST /{WABA id}/message_templates (the stand-in approves them at once) */
  templates: WhatsAppStandInTemplate[];
  businessAccountId: string;
  webhookDeliveries: WebhookDelivery[];
  setWebhookUrl(url: string | undefined): void;
  /** the next send answers with this HTTP status and Graph API error */
  failNext(status: number, error: { code: number; message: string }): void;
  /** a customer writes to the business: posts the inbound-message webhook */
  /** a customer writes: by phone (`from`), by business-scoped user id (`userId`, a user hiding their number), or both */
  sendInbound(message: { from?: string; userId?: string; text: string; name?: string; replyTo?: string }): Promise<WebhookDelivery>;
  /** the recipient read (or the send failed for) a message the stand-in accepted: posts the status webhook */
  sendStatus(providerMessageId: string, status: 'read' | 'failed'): Promise<WebhookDelivery>;
  waitForMessages(count: number, timeoutMs?: number): Promise<WhatsAppStandInMessage[]>;
  close(): Promise<void>;
}

const graphError = (message: string, code: number, type = 'OAuthException') => ({
  error: { message, type, code, fbtrace_id: randomBytes(8).toString('hex') },
});

export async function startWhatsAppStandIn(options: WhatsAppStandInOptions = {}): Promise<WhatsAppStandIn> {
  const host = options.host ?? '127.0.0.1';
  const accessToken = options.accessToken ?? 'standin-access-token';
  const phoneNumberId = options.phoneNumberId ?? '100000000000001';
  const displayPhoneNumber = options.displayPhoneNumber ?? '15550000001';
  const businessAccountId = options.businessAccountId ?? '200000000000001';
  const appSecret = options.appSecret ?? 'standin-app-secret';
  let webhookUrl = options.webhookUrl;
  const messages: WhatsAppStandInMessage[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  const failures: { status: number; error: { code: number; message: string } }[] = [];
  const templates: WhatsAppStandInTemplate[] = [];
  let templateSeq = 0;
  const pending = new Set<Promise<unknown>>();

  const recipient: CloudApiRecipient = { businessAccountId, phoneNumberId, displayPhoneNumber };

  const retries = options.webhookRetries ?? 6;
  const retryInitialMs = options.webhookRetryInitialMs ?? 1000;
  let closing = false;
  const sleeping = new Set<() => void>();
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleeping.add(wake);
    });

  async function postOnce(payload: WhatsAppWebhook, delivery: WebhookDelivery): Promise<void> {
    if (!webhookUrl) {
      delivery.error = 'no webhook URL set';
      return;
    }
    const body = JSON.stringify(payload);
    try {
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, appSecret) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = response.status;
      delivery.error = null;
      await response.arrayBuffer();
    } catch (error) {
      delivery.status = null;
      delivery.error = (error as Error).message;
    }
  }

  /** Posts once and answers; a delivery without a 2xx is retried in the background (Meta retries for days). */
  async function postWebhook(payload: WhatsAppWebhook): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = { payload, status: null, error: null, attempts: 1 };
    webhookDeliveries.push(delivery);
    await postOnce(payload, delivery);
    const ok = () => delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
    if (!ok() && webhookUrl && retries > 0) {
      track(
        (async () => {
          for (let i = 0; i < retries && !ok() && !closing; i++) {
            await nap(retryInitialMs * 2 ** i);
            if (closing) return;
            delivery.attempts += 1;
            await postOnce(payload, delivery);
          }
        })(),
      );
    }
    return delivery;
  }

  const track = <T>(p: Promise<T>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  /**
   * Templates: POST /{WABA}/message_templates (approved at once), POST /{template id} (edit), GET /{template id},
   * DELETE /{WABA}/message_templates?name=…&hsm_id=… (that one template; by name alone every language of it).
   */
  async function templateRoute(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, id: string, create: boolean, query: URLSearchParams) {
    if (req.headers.authorization !== `Bearer ${accessToken}`) return sendJson(res, 401, graphError('Invalid OAuth access token - Cannot parse access token', 190));
    if (create && id !== businessAccountId) return sendJson(res, 400, graphError(`Unsupported ${req.method?.toLowerCase()} request. Object with ID '${id}' does not exist`, 100, 'GraphMethodException'));
    if (create && req.method === 'DELETE') {
      const name = query.get('name');
      const hsmId = query.get('hsm_id');
      if (!name) return sendJson(res, 400, graphError('(#100) The parameter name is required', 100));
      const gone = templates.filter((t) => t.request.name === name && (!hsmId || t.id === hsmId));
      if (!gone.length) {
        return sendJson(res, 400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2593002, error_user_title: 'Message template not found', error_user_msg: `The message template ${name} wasn't found for this account.` } });
      }
      for (const t of gone) templates.splice(templates.indexOf(t), 1);
      return sendJson(res, 200, { success: true });
    }
    const known = templates.find((t) => t.id === id);
    if (!create && !known) return sendJson(res, 400, graphError(`Unsupported request. Object with ID '${id}' does not exist`, 100, 'GraphMethodException'));
    if (req.method === 'GET' && known) return sendJson(res, 200, { id, status: known.status });
    if (req.method !== 'POST') return sendJson(res, 400, graphError(`Unsupported ${req.method} request`, 100));
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, graphError('(#100) Invalid JSON', 100));
    }
    const parsed = (create ? whatsappTemplateCreateSchema : whatsappTemplateEditSchema).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendJson(res, 400, graphError(`(#100) Invalid parameter ${issue.path.join('.')}: ${issue.message}`, 100));
    }
    if (known) {
      Object.assign(known.request, parsed.data);
      return sendJson(res, 200, { success: true });
    }
    const request = parsed.data as WhatsAppTemplateCreate;
    if (templates.some((t) => t.request.name === request.name && t.request.language === request.language)) {
      return sendJson(res, 400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2388024, error_user_title: 'Content in this language already exists', error_user_msg: `There is already ${request.language} content for this template.` } });
    }
    const created = { id: String(300000000000000 + ++templateSeq), status: 'APPROVED', request };
    templates.push(created);
    sendJson(res, 200, { id: created.id, status: created.status, category: request.category });
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://standin');
      if (req.method === 'GET' && url.pathname === '/_standin/messages') return sendJson(res, 200, messages);
      const tpl = url.pathname.match(/^\/(v\d+\.\d+)\/([^/]+)(\/message_templates)?$/);
      if (tpl) return void (await templateRoute(req, res, tpl[2]!, !!tpl[3], url.searchParams));
      const match = url.pathname.match(/^\/(v\d+\.\d+)\/([^/]+)\/messages$/);
      if (!match || req.method !== 'POST') {
        return sendJson(res, 400, graphError(`Unknown path components: ${url.pathname}`, 2500));
      }
      if (req.headers.authorization !== `Bearer ${accessToken}`) {
        return sendJson(res, 401, graphError('Invalid OAuth access token - Cannot parse access token', 190));
      }
      if (match[2] !== phoneNumberId) {
        return sendJson(res, 400, graphError(`Unsupported post request. Object with ID '${match[2]}' does not exist`, 100, 'GraphMethodException'));
      }
      const failure = failures.shift();
      if (failure) return sendJson(res, failure.status, graphError(failure.error.message, failure.error.code));
      let json: unknown;
      try {
        json = JSON.parse(await readBody(req));
      } catch {
        return sendJson(res, 400, graphError('(#100) The parameter messaging_product is required.', 100));
      }
      const parsed = whatsappSendRequestSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return sendJson(res, 400, graphError(`(#100) Invalid parameter ${issue.path.join('.')}: ${issue.message}`, 100));
      }
      const id = `wamid.${randomBytes(24).toString('base64url')}`;
      const waId = (parsed.data.to ?? parsed.data.recipient ?? '').replace(/^\+/, ''); // a BSUID for a user who hides their number
      messages.push({ id, request: parsed.data, at: Date.now() });
      const contact = parsed.data.recipient ? { input: parsed.data.recipient, user_id: parsed.data.recipient } : { input: parsed.data.to!, wa_id: waId };
      sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [contact], messages: [{ id }] });
      if (options.statusWebhooks !== false && webhookUrl) {
        track(
          (async () => {
            for (const status of ['sent', 'delivered'] as const) {
              await postWebhook(whatsAppStatusWebhook({ id, status, recipient: waId, callbackData: parsed.data.biz_opaque_callback_data }, recipient));
            }
          })(),
        );
      }
    } catch (error) {
      sendJson(res, 500, graphError(`stand-in error: ${(error as Error).message}`, 1));
    }
  });
  const port = await listen(server, options.port ?? 0, host);

  return {
    url: `http://${host}:${port}`,
    accessToken,
    phoneNumberId,
    appSecret,
    messages,
    templates,
    businessAccountId,
    webhookDeliveries,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    failNext(status, error) {
      failures.push({ status, error });
    },
    sendInbound({ from, userId, text, name, replyTo }) {
      const id = `wamid.${randomBytes(24).toString('base64url')}`;
      return track(postWebhook(whatsAppMessageWebhook({ from, userId, text, name, replyTo, id }, recipient)));
    },
    sendStatus(providerMessageId, status) {
      const sent = messages.find((m) => m.id === providerMessageId);
      if (!sent) return Promise.reject(new Error(`The stand-in never accepted message ${providerMessageId}`));
      const update = { id: providerMessageId, status, recipient: sent.request.to ?? sent.request.recipient ?? '', callbackData: sent.request.biz_opaque_callback_data };
      return track(postWebhook(whatsAppStatusWebhook(update, recipient)));
    },
    async waitForMessages(count, timeoutMs = 5000) {
      await waitUntil(() => messages.length >= count, `${count} WhatsApp message(s) at the stand-in`, timeoutMs);
      return messages;
    },
    async close() {
      closing = true;
      for (const wake of [...sleeping]) wake();
      await Promise.allSettled([...pending]);
      await closeServer(server);
    },
  };
}
