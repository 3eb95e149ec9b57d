/**
 * A local SMTP server that keeps every mail it receives (smtp-server speaks the protocol,
 * mailparser decodes MIME). Development and tests point the real SMTP adapter at it.
 */
import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { closeServer, listen, sendJson, waitUntil } from './http.js';

export interface ReceivedEmail {
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  headers: Record<string, string>;
  receivedAt: number;
}

export interface SmtpStandIn {
  host: string;
  port: number;
  messages: ReceivedEmail[];
  /** the operator's page of what was received (`http` option): `${httpUrl}/` HTML, `/messages` JSON */
  httpUrl: string | null;
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

export interface SmtpStandInOptions {
  host?: string;
  port?: number;
  /** require this login (over plain text: it is a local stand-in) */
  auth?: { user: string; pass: string };
  /** answer 550 for these recipients, like a server that knows no such mailbox */
  rejectRecipient?: (address: string) => boolean;
  /** wait this long (ms, asked per mail) after the data before answering 250, like a busy server; the mail counts as received when it answers */
  acceptDelayMs?: () => number;
  /**
   * Also serve what was received over HTTP, for an operator: `GET /` an HTML page (newest first),
   * `GET /messages` JSON, `GET /messages/<n>` one message. `{ port: 0 }` picks a free port.
   */
  http?: { port?: number; host?: string };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function inboxPage(messages: ReceivedEmail[]): string {
  const rows = messages
    .map((m, i) => ({ m, i }))
    .reverse()
    .map(({ m, i }) => `<article><h2><a href="messages/${i}">#${i}</a> ${escapeHtml(m.subject || '(no subject)')}</h2>
<p><b>From</b> ${escapeHtml(m.from || m.envelopeFrom)} · <b>To</b> ${escapeHtml(m.envelopeTo.join(', '))} · ${new Date(m.receivedAt).toISOString()}${m.messageId ? ` · <code>${escapeHtml(m.messageId)}</code>` : ''}</p>
<pre>${escapeHtml(m.text)}</pre></article>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>SMTP stand-in: ${messages.length} received</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}article{border-top:1px solid #ddd;padding:.5rem 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}</style></head>
<body><h1>Nudge SMTP stand-in</h1><p>${messages.length} e-mail(s) received since it started (kept in memory). JSON: <a href="messages">messages</a>.</p>
${rows || '<p>Nothing received yet.</p>'}</body></html>`;
}

async function serveInbox(messages: ReceivedEmail[], opts: { port?: number; host?: string }): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' });
    if (path === '/') {
      const html = inboxPage(messages);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
      return res.end(html);
    }
    if (path === '/messages') return sendJson(res, 200, { count: messages.length, messages });
    const one = /^\/messages\/(\d+)$/.exec(path);
    if (one && messages[Number(one[1])]) return sendJson(res, 200, messages[Number(one[1])]);
    return sendJson(res, 404, { error: `nothing at ${path}: try / or /messages` });
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? 0, host);
  return { server, url: `http://${host}:${port}` };
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);

export async function startSmtpStandIn(options: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
  const host = options.host ?? '127.0.0.1';
  const messages: ReceivedEmail[] = [];
  const server = new SMTPServer({
    logger: false,
    banner: 'Nudge SMTP stand-in',
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        callback(Object.assign(new Error(`No such mailbox: ${address.address}`), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const delay = options.acceptDelayMs?.() ?? 0;
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          const headers: Record<string, string> = {};
          for (const line of mail.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
          messages.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            from: addresses(mail.from)[0] ?? '',
            to: addresses(mail.to),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : null,
            messageId: mail.messageId ?? null,
            headers,
            receivedAt: Date.now(),
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // a client that dies mid-session (ECONNRESET) is an event of the connection, not of the server
  server.on('error', () => {});
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP stand-in has no port');
  const inbox = options.http ? await serveInbox(messages, options.http) : null;
  return {
    host,
    port: address.port,
    messages,
    httpUrl: inbox?.url ?? null,
    async waitForMessages(count, timeoutMs = 5000) {
      await waitUntil(() => messages.length >= count, `${count} email(s) at the SMTP stand-in`, timeoutMs);
      return messages;
    },
    close: async () => {
      if (inbox) await closeServer(inbox.server);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
