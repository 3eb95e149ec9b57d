// End to end, in a real browser against the product started as README says: errors a person can
// cause say what is wrong, where and what to do, in their language — never a request path meant
// for developers (a misspelt tag in a segment, an empty CSV, a PNG chosen as the CSV, a flow with
// problems: Publish is not offered); and search finds "José García" from "Jose Garcia".
// Screenshots (English and 繁體中文) go to test-output/e2e/.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

const shots = shotsDir;
let session: BrowserSession;
let product: Product;
let page: Page;
let token = '';
const pageErrors: string[] = [];
/** Every error text the page showed, checked at the end for developer wording. */
const shown: string[] = [];
const DEVELOPER = /\b(?:body|query|params)\.\w|Content-Type|windows-1252|request body/;

const apiCall = (method: string, path: string, body?: unknown) => callApi(product, token, method, path, body);
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
const alertText = async () => {
  const text = (await page.getByRole('alert').first().textContent()) ?? '';
  shown.push(text);
  return text;
};
const language = (lng: string) => page.getByLabel(/^(Language|語言|语言|Idioma)$/).selectOption(lng);

describe('errors a person can cause, and accent-blind search', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'server-errors-search.log', timeoutMs: 15_000, pageErrors });
    ({ product, page } = session);
    const login = await apiCall('POST', '/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' });
    expect(login.status).toBe(200);
    token = login.body.token;
    expect((await apiCall('POST', '/customers', { fullName: 'José García', company: 'Óptica Núñez' })).status).toBe(201);
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('finds "José García" from "Jose Garcia", in English and 繁體中文', async () => {
    await page.goto(`${product.baseUrl}/#/customers`);
    const search = page.getByRole('searchbox');
    await search.fill('Jose Garcia');
    const table = page.getByTestId('customers-table');
    await expect.poll(() => table.locator('tbody tr').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('José García')]);
    await shot('errors-search-01-jose-garcia-en');
    await language('zh-TW');
    await search.fill('optica nunez');
    await expect.poll(() => table.locator('tbody tr').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('José García')]);
    await shot('errors-search-02-optica-nunez-zh-TW');
    await language('en');
  });

  it('a misspelt tag in a segment says which condition and what to do, and shows no stale count', async () => {
    await page.goto(`${product.baseUrl}/#/customers`);
    await page.getByRole('button', { name: 'New segment' }).click();
    const count = page.getByTestId('segment-count');
    await expect.poll(() => count.innerText(), { timeout: 20_000 }).toMatch(/\d+ customers? match/);
    await page.getByLabel('Tag', { exact: true }).first().fill('potentiall');
    await expect.poll(alertText, { timeout: 20_000 }).toBe('Condition 1 · Tag: there is no tag "potentiall". Choose one of the existing tags.');
    expect(await count.innerText()).toBe('');
    // … and at the condition itself, under its tag field
    expect(await page.getByTestId('cond-tag').first().locator('xpath=following-sibling::*[1]').textContent()).toBe('There is no tag "potentiall". Choose one of the existing tags.');
    expect(await page.getByRole('button', { name: 'Save segment' }).isDisabled()).toBe(true);
    await shot('errors-search-03-segment-unknown-tag-en');
    await language('zh-TW');
    await expect.poll(alertText).toBe('條件 1 · 標籤: 沒有名為「potentiall」的標籤。請選擇現有的標籤。');
    await shot('errors-search-04-segment-unknown-tag-zh-TW');
    await language('en');
  });

  it('an empty CSV and a PNG chosen as the CSV say what is wrong and what to do', async () => {
    await page.goto(`${product.baseUrl}/#/import`);
    const file = page.locator('input[type=file]');
    await page.getByLabel('CSV file').waitFor({ state: 'attached' });
    await file.setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
    await expect.poll(alertText, { timeout: 20_000 }).toBe('The file is empty. Choose a CSV file with a header line and at least one row.');
    await shot('errors-search-05-import-empty-en');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
    await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await expect.poll(alertText, { timeout: 20_000 }).toMatch(/^This file is not a CSV file \(it looks like an image, a PDF or a workbook\)\. Choose the CSV file/);
    await shot('errors-search-06-import-png-en');
    await language('zh-TW');
    await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await expect.poll(alertText, { timeout: 20_000 }).toMatch(/^這不是 CSV 檔案/);
    await shot('errors-search-07-import-png-zh-TW');
    await language('en');
  });

  it('a flow with problems does not offer Publish, and says why', async () => {
    const created = await apiCall('POST', '/flows', {
      name: 'No trigger yet',
      graph: { nodes: [{ id: 'task', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.create_task@1', config: { title: 'Call {name}', taskType: 'call', dueIn: { amount: 2, unit: 'hours' } } } }], edges: [] },
    });
    expect(created.status).toBe(201);
    await page.goto(`${product.baseUrl}/#/flows/${created.body.id}`);
    await page.getByTestId('canvas').waitFor();
    await expect.poll(() => page.getByTestId('problems-toggle').innerText(), { timeout: 20_000 }).toMatch(/\d+ problems?/);
    const publish = page.getByTestId('publish');
    expect(await publish.isDisabled()).toBe(true);
    expect(await publish.getAttribute('title')).toMatch(/problems? to fix first: open the checklist/);
    // The API still refuses it with its code and the problems, and a message without a double period.
    const refused = await apiCall('POST', `/flows/${created.body.id}/publish`, { note: 'x', enroll: 'new' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('flow_invalid');
    expect(refused.body.error.details.problems.length).toBeGreaterThan(0);
    expect(refused.body.error.message).not.toMatch(/\.\./);
    await shot('errors-search-08-publish-not-offered-en');
  });

  it('showed no developer wording and no page errors', () => {
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter((s) => DEVELOPER.test(s))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
