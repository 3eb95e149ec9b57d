import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpAdapter } from '../email.js';
import { startSmtpStandIn, type SmtpStandIn } from './index.js';

describe("the SMTP stand-in's page for operators", () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtpStandIn({ http: { port: 0 } });
  });
  afterAll(() => smtp.close());

  it('shows what it received as HTML (escaped, newest first) and as JSON', async () => {
    expect(smtp.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const empty = await fetch(`${smtp.httpUrl}/`);
    expect(await empty.text()).toContain('Nothing received yet');
    const adapter = createSmtpAdapter({ host: smtp.host, port: smtp.port, from: 'Nudge <noreply@nudge.example>', ignoreTLS: true });
    await adapter.send({ to: 'ana@example.com', subject: 'First <b>one</b>', text: 'Hola Ana', idempotencyKey: 'k1' });
    await adapter.send({ to: 'bo@example.com', subject: '第二封', text: '您好', idempotencyKey: 'k2' });
    await adapter.close?.();
    await smtp.waitForMessages(2);
    const page = await fetch(`${smtp.httpUrl}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('2 e-mail(s) received');
    expect(html).toContain('First &#60;b&#62;one&#60;/b&#62;');
    expect(html).not.toContain('<b>one</b>');
    expect(html.indexOf('第二封')).toBeLessThan(html.indexOf('First'));
    expect(html).toContain('ana@example.com');
    const list = (await (await fetch(`${smtp.httpUrl}/messages`)).json()) as { count: number; messages: { subject: string; envelopeTo: string[] }[] };
    expect(list.count).toBe(2);
    expect(list.messages.map((m) => m.envelopeTo[0])).toEqual(['ana@example.com', 'bo@example.com']);
    const one = (await (await fetch(`${smtp.httpUrl}/messages/1`)).json()) as { text: string };
    expect(one.text.trim()).toBe('您好');
    expect((await fetch(`${smtp.httpUrl}/messages/9`)).status).toBe(404);
  });
});
