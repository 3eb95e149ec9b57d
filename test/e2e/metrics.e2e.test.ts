// Reports → Inbox metrics in a real browser against the product started as README says, on the
// demo data: the admin opens the screen from the navigation and sees the same figures the API
// answers (trigger rate, keyword coverage, silence, resolution, the rules with their hand-off
// rates, the unmatched questions, every agent); the 30-day period asks the API again; 繁體中文
// labels; a demo agent sees only their own row. Screenshots in English and 繁體中文 go to
// test-output/e2e/metrics-*.png.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

let session: BrowserSession;
let product: Product;
let page: Page;
const pageErrors: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
const pct = (x: number | null, lng = 'en') => (x === null ? '—' : new Intl.NumberFormat(lng, { style: 'percent', maximumFractionDigits: 1 }).format(x));
const token = () => page.evaluate(() => localStorage.getItem('nudge.token')) as Promise<string>;
const metrics = async (days: number) => {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const res = await callApi(product, await token(), 'GET', `/inbox/metrics?from=${from.toISOString()}&to=${to.toISOString()}`);
  expect(res.status).toBe(200);
  return res.body;
};

describe('inbox metrics report', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'metrics-server.log', timeoutMs: 20_000, pageErrors });
    ({ product, page } = session);
  }, 280_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('the admin opens Reports and sees the figures of the demo inbox against their targets', async () => {
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Inbox metrics' }).waitFor();
    await page.getByTestId('metrics-stats').waitFor();
    const m = await metrics(7);
    expect(m.autoReplies.inbound).toBeGreaterThan(100);
    expect(m.agents.rows.length).toBeGreaterThan(2);
    const trigger = page.getByTestId('metric-trigger');
    await expect.poll(() => trigger.locator('.stat-value').textContent()).toBe(pct(m.autoReplies.triggerRate));
    expect(await trigger.textContent()).toContain('target ≥ 85%');
    expect(await trigger.getAttribute('class')).toContain(m.autoReplies.triggerRate >= 0.85 ? 'good' : 'bad');
    expect(await page.getByTestId('metric-coverage').locator('.stat-value').textContent()).toBe(pct(m.autoReplies.keywordCoverage));
    expect(await page.getByTestId('metric-coverage').textContent()).toContain('target ≥ 80%');
    expect(await page.getByTestId('metric-silence').locator('.stat-value').textContent()).toBe(pct(m.silence.share));
    expect(await page.getByTestId('metric-resolution').locator('.stat-value').textContent()).toBe(pct(m.agents.resolutionRate));
    // every rule with its hand-off rate, flagged ones marked; the unmatched questions; every agent
    const rules = page.getByTestId('metrics-rules').locator('tbody tr');
    expect(await rules.count()).toBe(m.rules.length);
    // the demo's keyword rules answered the demo's questions
    expect(m.rules.find((r: { name: string }) => r.name === 'Price').conversations).toBeGreaterThan(0);
    await page.getByTestId('metrics-rules').getByRole('row').filter({ hasText: 'Price' }).waitFor();
    expect(await page.locator('[data-testid="metrics-rules"] tr[data-flagged]').count()).toBe(m.rules.filter((r: { flagged: boolean }) => r.flagged).length);
    const unmatched = page.getByTestId('metrics-unmatched').locator('tbody tr');
    expect(await unmatched.count()).toBe(m.unmatched.top.length);
    expect(await unmatched.first().textContent()).toContain(m.unmatched.top[0].text);
    const agents = page.getByTestId('metrics-agents').locator('tbody tr');
    expect(await agents.count()).toBe(m.agents.rows.length);
    await page.getByTestId('metrics-agents').getByText(m.agents.rows[0].name, { exact: true }).waitFor();
    expect(await page.locator('[data-testid="metrics-agents"] tr[data-alert]').count()).toBe(m.agents.rows.filter((r: { alert: boolean }) => r.alert).length);
    await shot('metrics-en');
    await page.getByTestId('metrics-agents').scrollIntoViewIfNeeded();
    await shot('metrics-agents-en');

    // a longer period asks again
    await page.getByLabel('Period').selectOption('30');
    const m30 = await metrics(30);
    await expect.poll(() => page.getByTestId('metric-trigger').textContent()).toContain(`of ${new Intl.NumberFormat('en').format(m30.autoReplies.botMessages)} messages`);
    expect(pageErrors).toEqual([]);
  });

  it('in 繁體中文', async () => {
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '收件匣指標' }).waitFor();
    await page.getByText('自動回覆觸發率（目標 ≥ 85%）').waitFor();
    await page.getByRole('heading', { name: '各規則的轉人工率' }).waitFor();
    await page.getByRole('heading', { name: '未命中的問題' }).waitFor();
    await shot('metrics-zh-TW');
    await page.getByTestId('metrics-agents').scrollIntoViewIfNeeded();
    await shot('metrics-agents-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    expect(pageErrors).toEqual([]);
  });

  it('a demo agent sees the inbox figures and only their own row', async () => {
    const login = await callApi(product, '', 'POST', '/auth/login', { email: 'sofia.navarro@nudge.local', password: 'nudge-demo' });
    expect(login.status).toBe(200);
    const to = new Date();
    const res = await callApi(product, login.body.token, 'GET', `/inbox/metrics?from=${new Date(to.getTime() - 7 * 86_400_000).toISOString()}&to=${to.toISOString()}`);
    expect(res.status).toBe(200);
    expect(res.body.autoReplies.inbound).toBeGreaterThan(100);
    expect(res.body.agents.rows.every((r: { name: string }) => r.name === 'Sofía Navarro')).toBe(true);
  });
});
