// Quick replies and templates end to end, in a real browser against the product started as README
// says, with the WhatsApp stand-in as the provider: an agent opens a conversation, types `/price`,
// picks the quick reply (its {name} filled), sends it and sees it in the thread (and the stand-in
// receives it); in a conversation whose 24-hour window is closed the composer offers the approved
// templates and sends one; an admin sees Settings → Templates & quick replies with category and
// status. Screenshots in English and 繁體中文 go to test-output/e2e/templates-*.png.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatsAppStandIn } from '@nudge/channels/standins';
import { callApi, openWhatsAppBrowserSession, shotsDir, signIn, type WhatsAppBrowserSession, type Product } from './product';

const customerPhone = '886912000222';
const customerName = 'Tpl E2E';
const AGENT = 'emily.clark@nudge.local';
const quickText = `Hi ${customerName}, our prices range from 3,500 to 15,000 TWD. Which model are you interested in? I will send you a quote.`;

let wa: WhatsAppStandIn;
let session: WhatsAppBrowserSession;
let product: Product;
let page: Page;
let adminToken: string;
let agentId: string;
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(shotsDir, `${name}.png`) });
const sentTo = (to: string) => wa.messages.filter((m) => m.request.to.replace(/^\+/, '') === to).map((m) => (m.request.type === 'text' ? m.request.text.body : `template:${m.request.template.name}`));
const login = async (email: string, password: string) => (await callApi(product, '', 'POST', '/auth/login', { email, password })).body as { token: string; user: { id: string } };

describe('templates and quick replies end to end', () => {
  beforeAll(async () => {
    session = await openWhatsAppBrowserSession({ name: 'templates', demoConversations: 30, pageErrors });
    ({ product, page, wa } = session);
    adminToken = (await login('admin@nudge.local', 'nudge-admin')).token;
    agentId = (await login(AGENT, 'nudge-demo')).user.id;
  }, 280_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('an agent types /price, picks the quick reply, sends it and sees it in the thread', async () => {
    // a customer writes; the conversation is handed to the agent
    expect((await wa.sendInbound({ from: customerPhone, name: customerName, text: 'hello, I have a question' })).status).toBe(200);
    let conversationId = '';
    await expect
      .poll(async () => {
        const r = await callApi(product, adminToken, 'GET', `/conversations?view=all&q=${encodeURIComponent(customerName)}`);
        conversationId = r.body?.items?.[0]?.id ?? '';
        return conversationId;
      }, { timeout: 30_000 })
      .not.toBe('');
    expect((await callApi(product, adminToken, 'POST', `/conversations/${conversationId}/assign`, { assigneeId: agentId })).status).toBe(200);

    await page.goto(`${product.baseUrl}/`);
    await signIn(page, AGENT, 'nudge-demo');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.goto(`${product.baseUrl}/#/inbox?view=mine&c=${conversationId}`);
    await page.getByTestId('msg-in').filter({ hasText: 'hello, I have a question' }).waitFor();
    const box = page.getByLabel('Write a reply… (Ctrl+Enter sends)');
    await box.click();
    await box.pressSequentially('/price');
    const list = page.getByTestId('quick-replies');
    await list.waitFor();
    const first = list.getByRole('option').first();
    expect(await first.textContent()).toContain(quickText); // English first: the conversation's language
    expect(await first.getAttribute('aria-selected')).toBe('true');
    await shot('templates-quick-reply-en');
    await first.click();
    expect(await box.inputValue()).toBe(quickText);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('msg-out').filter({ hasText: quickText }).waitFor({ timeout: 30_000 });
    await expect.poll(() => sentTo(customerPhone), { timeout: 20_000 }).toContain(quickText);

    // 繁體中文: the quick replies offered in Chinese too
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('button', { name: '送出' }).waitFor();
    const zhBox = page.getByLabel('輸入回覆…（Ctrl+Enter 送出）');
    await zhBox.fill('');
    await zhBox.pressSequentially('/ship');
    await list.waitFor();
    await page.getByText('輸入 / 加代碼即可使用快速回覆').waitFor();
    await shot('templates-quick-reply-zh-TW');
    await page.keyboard.press('Escape');
    await page.getByLabel('語言').selectOption('en');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('in a conversation whose 24-hour window is closed the agent sees the template picker and sends an approved template', async () => {
    const res = await callApi(product, adminToken, 'GET', '/conversations?view=all&channel=whatsapp&limit=200');
    const closed = (res.body.items as { id: string; windowEndsAt: string | null; customer: { whatsappId: string | null } }[]).find((c) => !c.windowEndsAt || Date.parse(c.windowEndsAt) < Date.now());
    expect(closed, 'a demo WhatsApp conversation whose window is closed').toBeTruthy();
    expect((await callApi(product, adminToken, 'POST', `/conversations/${closed!.id}/assign`, { assigneeId: agentId })).status).toBe(200);
    await page.goto(`${product.baseUrl}/#/inbox?view=mine&c=${closed!.id}`);
    await page.getByTestId('window-closed').filter({ hasText: 'A template is required.' }).waitFor();
    const picker = page.getByTestId('template-picker');
    await picker.waitFor();
    const options = await picker.getByLabel('Approved WhatsApp template').locator('option').allTextContents();
    expect(options).toContainEqual(expect.stringMatching(/^follow_up · English · Utility$/));
    expect(options.some((o) => o.startsWith('spring_offer'))).toBe(false); // still waiting for approval
    await picker.getByLabel('Approved WhatsApp template').selectOption({ label: 'follow_up · English · Utility' });
    expect(await picker.getByTestId('template-preview').textContent()).toMatch(/^Hi .+, this is .+ from Nudge\./);
    await shot('templates-picker-en');
    const before = wa.messages.length;
    await picker.getByRole('button', { name: 'Send template' }).click();
    await expect.poll(() => wa.messages.slice(before).map((m) => (m.request.type === 'template' ? m.request.template.name : m.request.type)), { timeout: 20_000 }).toContain('follow_up');
    await page.getByTestId('msg-out').filter({ hasText: 'this is' }).last().waitFor();

    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByText('已核准的 WhatsApp 範本').waitFor();
    await shot('templates-picker-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('an admin sees Settings → Templates & quick replies with category and status, and a duplicate code is refused at its field', async () => {
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.goto(`${product.baseUrl}/#/settings/templates`);
    const templates = page.getByTestId('template');
    await templates.first().waitFor();
    const spring = templates.filter({ hasText: 'spring_offer' }).first();
    expect(await spring.textContent()).toContain('Marketing');
    expect(await spring.getByTestId('template-status').textContent()).toBe('Waiting for approval');
    expect(await templates.filter({ hasText: 'follow_up' }).first().getByTestId('template-status').textContent()).toBe('Approved');
    await page.getByRole('button', { name: 'Add quick reply' }).click();
    const form = page.getByRole('form', { name: 'Add quick reply' });
    await form.getByLabel('Code').fill('price');
    await form.getByLabel('Text', { exact: true }).fill('Another price text');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('This code already exists in this language.').waitFor();
    await form.getByLabel('Code').fill('discount');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('quick-reply').filter({ hasText: '/discount' }).waitFor();
    await page.locator('.settings-tabs').scrollIntoViewIfNeeded();
    await shot('templates-settings-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '訊息範本' }).waitFor();
    await page.locator('.settings-tabs').scrollIntoViewIfNeeded();
    await shot('templates-settings-zh-TW');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
