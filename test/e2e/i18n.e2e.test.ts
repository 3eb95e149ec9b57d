// End to end, in a real browser against the product started as README says, in 繁體中文: what
// the server says by code is worded in the person's language — tag dimensions and tag-health
// advice, duplicate reasons, system entries of a customer's timeline, CSV row errors in the import
// wizard, node-specific validator messages in a flow's checklist, and zod's generic limits
// ("Too small: expected number to be >=1"). Checks for known English strings of each kind.
// Screenshots go to test-output/e2e/.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

let session: BrowserSession;
let product: Product;
let page: Page;
let token = '';
const pageErrors: string[] = [];

const apiCall = (method: string, path: string, body?: unknown) => callApi(product, token, method, path, body);
const shot = (name: string) => page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
const language = (lng: string) => page.getByLabel(/^(Language|語言|语言|Idioma)$/).selectOption(lng);

describe('繁體中文 all the way: codes the server sends are worded in the language', () => {
  let customerId = '';

  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'server-i18n.log', timeoutMs: 15_000, pageErrors });
    ({ product, page } = session);
    const login = await apiCall('POST', '/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' });
    expect(login.status).toBe(200);
    token = login.body.token;
    // two records of one person (same phone, same company): a duplicate pair, then merged
    const a = await apiCall('POST', '/customers', { fullName: '簡文彬', company: '晨光貿易', phone: '+886 912 765 431' });
    const b = await apiCall('POST', '/customers', { fullName: '簡文彬', company: '晨光貿易股份有限公司', phone: '+886 912 765 431' });
    expect([a.status, b.status]).toEqual([201, 201]);
    customerId = a.body.id;
    expect((await apiCall('POST', `/customers/${customerId}/tags`, { tag: 'VIP' })).status).toBe(201);
    expect((await apiCall('DELETE', `/customers/${customerId}/tags/VIP`)).status).toBe(204);
    expect((await apiCall('POST', `/customers/${customerId}/tags`, { tag: 'potential' })).status).toBe(201);
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await language('zh-TW');
    await page.getByRole('navigation', { name: '主選單' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('the tags screen words dimensions and advice, and a zod limit of the new-tag form', async () => {
    await page.goto(`${product.baseUrl}/#/tags`);
    const table = page.getByTestId('tag-health');
    await table.waitFor();
    const body = await table.innerText();
    expect(body).toMatch(/行為狀態/);
    expect(body).toMatch(/商業價值/);
    expect(body).toMatch(/的客戶都有此標籤|只有 .* 的客戶有此標籤/);
    for (const english of ['behaviour state', 'business value', 'of customers: split it', 'consider merging', 'of customers:']) expect(body).not.toContain(english);
    // a lifetime of 0.01 days is 0 hours: zod's too_small on defaultLifetimeHours, worded in Chinese
    const form = page.getByRole('form', { name: '新增標籤' });
    await form.getByLabel('標籤').fill('試用');
    await form.getByLabel('幾天後到期').fill('0.01');
    // submitted past the browser's own step check, as a script or an older browser would
    await form.evaluate((f) => f.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })));
    const alert = form.getByRole('alert');
    await expect.poll(() => alert.innerText(), { timeout: 20_000 }).toBe('預設期限: 至少為 1');
    expect(await alert.innerText()).not.toMatch(/Too small|expected number|body\./);
    await shot('i18n-01-tags-zh-TW');
  });

  it('the quality screen words why two customers look alike', async () => {
    await page.goto(`${product.baseUrl}/#/quality`);
    const card = page.locator('.card', { has: page.getByRole('heading', { name: '疑似重複' }) });
    await card.waitFor({ timeout: 30_000 });
    const pair = card.locator('li', { hasText: '簡文彬' }).first();
    await pair.waitFor({ timeout: 30_000 });
    const reasons = await pair.innerText();
    expect(reasons).toMatch(/電話相同|姓名相同/);
    for (const english of ['same phone', 'same name', 'same company', 'similar', 'different']) expect(reasons).not.toContain(english);
    await shot('i18n-02-quality-duplicates-zh-TW');
  });

  it("a customer's timeline words its system entries (tags added and removed, a merge)", async () => {
    const list = await apiCall('GET', `/customers?q=${encodeURIComponent('簡文彬')}`);
    const other = (list.body.items as { id: string }[]).find((c) => c.id !== customerId);
    expect(other).toBeDefined();
    expect((await apiCall('POST', `/customers/${customerId}/merge`, { sourceId: other!.id })).status).toBe(200);
    await page.goto(`${product.baseUrl}/#/customers/${customerId}`);
    const timeline = page.locator('ol.timeline');
    await timeline.waitFor();
    await expect.poll(() => timeline.innerText(), { timeout: 20_000 }).toMatch(/客戶 簡文彬 已合併到這筆資料/);
    const entries = await timeline.innerText();
    expect(entries).toContain('已加上標籤「VIP」');
    expect(entries).toContain('已移除標籤「VIP」');
    for (const english of ['Tag "VIP" added', 'Tag "VIP" removed', 'Merged customer', 'into this record', 'conflicting value']) expect(entries).not.toContain(english);
    await shot('i18n-03-customer-timeline-zh-TW');
  });

  it('the import wizard words row errors', async () => {
    await page.goto(`${product.baseUrl}/#/import`);
    const csv = '客戶姓名,電話,電郵,等級\n林小華,12345,lin@example.tw,A\n王大同,0912 345 678,not-an-email,Z\n';
    await page.locator('input[type=file]').setInputFiles({ name: 'crm.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const errors = page.getByTestId('preview-errors');
    await errors.waitFor({ timeout: 30_000 });
    const shown = await errors.innerText();
    expect(shown).toContain('「12345」不是 TW 的有效電話號碼');
    expect(shown).toContain('「not-an-email」不是有效的電子郵件地址');
    expect(shown).toContain('「Z」不是有效的價值等級');
    const table = (await page.locator('.field-error').allInnerTexts()).join('\n');
    for (const english of ['is not a valid phone number', 'is not a valid e-mail address', 'is not a tier', 'write it as']) {
      expect(shown).not.toContain(english);
      expect(table).not.toContain(english);
    }
    await shot('i18n-04-import-row-errors-zh-TW');
  });

  it("a flow's checklist words node-specific validator messages and zod limits", async () => {
    const created = await apiCall('POST', '/flows', {
      name: '未完成的流程',
      graph: {
        nodes: [
          { id: 'trigger', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.segment_entry@1', config: { segmentId: '' } } },
          { id: 'task', type: 'nudge', position: { x: 0, y: 200 }, data: { nodeType: 'action.create_task@1', config: { title: 'x'.repeat(301), taskType: 'call', dueIn: { amount: -2, unit: 'hours' } } } },
        ],
        edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'task', targetHandle: null }],
      },
    });
    expect(created.status).toBe(201);
    await page.goto(`${product.baseUrl}/#/flows/${created.body.id}`);
    await page.getByTestId('canvas').waitFor();
    const toggle = page.getByTestId('problems-toggle');
    await expect.poll(() => toggle.innerText(), { timeout: 20_000 }).toMatch(/\d/);
    if (!(await page.locator('.problem-message').first().isVisible().catch(() => false))) await toggle.click();
    const messages = page.locator('.problem-message');
    await messages.first().waitFor();
    const all = (await messages.allInnerTexts()).join('\n');
    expect(all).toContain('請選擇客戶要進入的分群');
    expect(all).toContain('最多 300 個字元');
    expect(all).toContain('請輸入至少為 1 的整數');
    for (const english of ['Pick the segment', 'Use at most', 'Enter a whole number', 'Too small', 'Too big', 'expected']) expect(all).not.toContain(english);
    await shot('i18n-05-flow-checklist-zh-TW');
  });

  it('had no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
