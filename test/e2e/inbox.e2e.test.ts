// The inbox end to end, in a real browser against the product started as README says, with the
// WhatsApp stand-in as the provider (it posts signed Cloud API webhooks to the product and
// receives what the product sends): a customer writes → the message appears in the open inbox
// without a reload, with the auto-reply under it → the agent answers and sees the delivery ticks,
// adds a note with an @mention (the colleague is notified), takes and transfers the conversation;
// outside the 24-hour window the screen asks for a template and shows the server's 422.
// Screenshots in English and 繁體中文 go to test-output/e2e/inbox-*.png.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatsAppStandIn } from '@nudge/channels/standins';
import { openWhatsAppBrowserSession, shotsDir, signIn, type WhatsAppBrowserSession, type Product } from './product';

const shots = shotsDir;
const customerPhone = '886912000111';
const customerName = 'Lin E2E';
const agentText = 'Model X is 8,000 TWD, shipping included.';

let wa: WhatsAppStandIn;
let session: WhatsAppBrowserSession;
let product: Product;
let page: Page;
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
const sentTexts = () => wa.messages.filter((m) => (m.request.to ?? '').replace(/^\+/, '') === customerPhone).map((m) => (m.request.type === 'text' ? m.request.text.body : `template:${m.request.template.name}`));

describe('inbox end to end', () => {
  beforeAll(async () => {
    session = await openWhatsAppBrowserSession({ name: 'inbox', demoConversations: 30, pageErrors });
    ({ product, page, wa } = session);
  }, 280_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('a customer writes on WhatsApp → it appears in the open inbox with the auto-reply; the agent answers', async () => {
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('tab', { name: 'All' }).click();
    await page.getByTestId('conversation').first().waitFor(); // the demo conversations
    await shot('inbox-list-en');
    await page.getByLabel('Search by name or phone').fill(customerName);
    await page.getByText('No conversations here').waitFor();

    // the customer writes; the open page is not reloaded
    const delivery = await wa.sendInbound({ from: customerPhone, name: customerName, text: 'Hi, what is the price of model X?' });
    expect(delivery.status).toBe(200);
    const item = page.getByTestId('conversation').filter({ hasText: customerName });
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    await page.getByTestId('msg-in').filter({ hasText: 'what is the price of model X?' }).waitFor();
    const autoReply = page.getByTestId('msg-out').filter({ hasText: 'Our prices range from 3,500 to 15,000 TWD' });
    await autoReply.waitFor({ timeout: 30_000 });
    // the auto-reply is under the customer's message and went out through the provider
    const bodies = await page.getByTestId('messages').locator('.msg-body').allTextContents();
    expect(bodies.findIndex((b) => b.includes('Our prices range'))).toBeGreaterThan(bodies.findIndex((b) => b.includes('what is the price of model X?')));
    await expect.poll(sentTexts, { timeout: 20_000 }).toContainEqual(expect.stringContaining('Our prices range'));
    await expect.poll(() => autoReply.locator('.tick').getAttribute('data-status'), { timeout: 20_000 }).toBe('delivered');
    expect(await page.getByRole('complementary', { name: 'Customer' }).textContent()).toContain(customerName);

    // the agent answers inside the 24-hour window
    expect(await page.getByTestId('window-closed').count()).toBe(0);
    await page.getByLabel('Write a reply… (Ctrl+Enter sends)').fill(agentText);
    await page.getByRole('button', { name: 'Send' }).click();
    const mine = page.getByTestId('msg-out').filter({ hasText: agentText });
    await mine.waitFor();
    await expect.poll(sentTexts, { timeout: 20_000 }).toContain(agentText);
    await expect.poll(() => mine.locator('.tick').getAttribute('data-status'), { timeout: 20_000 }).toBe('delivered');

    // a note for a colleague with an @mention: yellow, not sent to the customer; she is notified
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.getByLabel('Write a note for colleagues… (@name notifies them)').fill('@Sofía Navarro can you quote model X?');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('msg-note').filter({ hasText: 'can you quote model X?' }).waitFor();
    expect(sentTexts().some((x) => x.includes('can you quote'))).toBe(false);
    const login = await fetch(`${product.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sofia.navarro@nudge.local', password: 'nudge-demo' }) });
    const { token: sofia } = (await login.json()) as { token: string };
    const notes = (await (await fetch(`${product.baseUrl}/api/inbox/notifications`, { headers: { Authorization: `Bearer ${sofia}` } })).json()) as { kind: string; body: string }[];
    expect(notes.some((n) => n.kind === 'mention' && n.body.includes('can you quote model X?'))).toBe(true);
    await page.getByRole('tab', { name: 'Reply' }).click();

    // take it, then transfer it to her
    const side = page.getByRole('complementary', { name: 'Customer' });
    await page.getByRole('button', { name: 'Take' }).click();
    await expect.poll(() => side.textContent()).toContain('Administrator');
    await page.getByLabel('Transfer').selectOption({ label: 'Sofía Navarro' });
    await expect.poll(() => side.textContent()).toContain('Sofía Navarro');
    // Sofía sees the mention under the bell, in her own browser; it opens the conversation (now hers)
    const sofiaContext = await session.browser.newContext({ locale: 'en-US' });
    const sofiaPage = await sofiaContext.newPage();
    await sofiaPage.goto(`${product.baseUrl}/`);
    await signIn(sofiaPage, 'sofia.navarro@nudge.local', 'nudge-demo');
    await sofiaPage.getByRole('button', { name: /^Notifications, [1-9]\d* unread/ }).click();
    const mention = sofiaPage.getByRole('dialog', { name: 'Notifications' }).locator('li[data-kind="mention"]').filter({ hasText: 'can you quote model X?' });
    await mention.getByRole('link', { name: 'You were mentioned' }).waitFor();
    await sofiaPage.screenshot({ path: join(shots, 'inbox-mention-bell-en.png') });
    await mention.getByRole('link', { name: 'You were mentioned' }).click();
    await sofiaPage.getByTestId('msg-note').filter({ hasText: 'can you quote model X?' }).waitFor();
    await sofiaContext.close();
    await shot('inbox-en');

    // the customer reads it: the ticks turn to "read" without a reload
    const sent = wa.messages.find((m) => m.request.type === 'text' && m.request.text.body === agentText)!;
    await wa.sendStatus(sent.id, 'read');
    await expect.poll(() => mine.locator('.tick').getAttribute('data-status'), { timeout: 20_000 }).toBe('read');

    // 繁體中文
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('tab', { name: '全部' }).waitFor();
    await page.getByRole('button', { name: '送出' }).waitFor();
    await shot('inbox-zh-TW');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("outside WhatsApp's 24-hour window the inbox says a template is required and shows the server's refusal", async () => {
    await page.getByLabel('語言').selectOption('en');
    const token = await page.evaluate(() => localStorage.getItem('nudge.token'));
    const res = await fetch(`${product.baseUrl}/api/conversations?view=all&channel=whatsapp&limit=200`, { headers: { Authorization: `Bearer ${token}` } });
    const { items } = (await res.json()) as { items: { id: string; windowEndsAt: string | null }[] };
    const closed = items.find((c) => !c.windowEndsAt || Date.parse(c.windowEndsAt) < Date.now());
    expect(closed, 'a demo WhatsApp conversation whose window is closed').toBeTruthy();
    await page.goto(`${product.baseUrl}/#/inbox?view=all&c=${closed!.id}`);
    await page.getByTestId('window-closed').filter({ hasText: 'A template is required.' }).waitFor();
    await page.getByLabel('Write a reply… (Ctrl+Enter sends)').fill('Are you still interested?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const refusal = page.getByTestId('window-closed-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("WhatsApp's 24-hour window");
    expect(sentTexts()).not.toContain('Are you still interested?');
    await shot('inbox-window-closed-en');
    await page.getByRole('link', { name: 'My work' }).click();
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
