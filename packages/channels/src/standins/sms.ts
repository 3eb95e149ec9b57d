/** A local SMS gateway speaking the simple HTTP shape of the SMS adapter; it deduplicates on `reference`. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { z } from 'zod';
import { smsSendRequestSchema } from '../sms.js';
import { closeServer, listen, readBody, sendJson, waitUntil } from './http.js';

export interface SmsStandInMessage {
  id: string;
  request: z.infer<typeof smsSendRequestSchema>;
  at: number;
}

export interface SmsStandIn {
  url: string;
  token: string;
  messages: SmsStandInMessage[];
  failNext(status: number, body: string): void;
  waitForMessages(count: number, timeoutMs?: number): Promise<SmsStandInMessage[]>;
  close(): Promise<void>;
}

export async function startSmsStandIn(options: { host?: string; port?: number; token?: string } = {}): Promise<SmsStandIn> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? 'standin-sms-token';
  const messages: SmsStandInMessage[] = [];
  const failures: { status: number; body: string }[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (req.method === 'GET' && url.pathname === '/_standin/messages') return sendJson(res, 200, messages);
    if (req.method !== 'POST' || url.pathname !== '/messages') return sendJson(res, 404, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { error: 'invalid token' });
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'text/plain' });
      return res.end(failure.body);
    }
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const parsed = smsSendRequestSchema.safeParse(json);
    if (!parsed.success) return sendJson(res, 422, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const existing = messages.find((m) => m.request.reference === parsed.data.reference);
    if (existing) return sendJson(res, 200, { id: existing.id, status: 'queued' });
    const id = `sms_${randomBytes(12).toString('hex')}`;
    messages.push({ id, request: parsed.data, at: Date.now() });
    sendJson(res, 200, { id, status: 'queued' });
  });
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    token,
    messages,
    failNext(status, body) {
      failures.push({ status, body });
    },
    async waitForMessages(count, timeoutMs = 5000) {
      await waitUntil(() => messages.length >= count, `${count} SMS at the stand-in`, timeoutMs);
      return messages;
    },
    close: () => closeServer(server),
  };
}
