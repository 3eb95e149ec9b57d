// The import wizard says what it will do, in a real browser against the product started as README
// says: an admin sets the organisation's country to Spain (Settings → Import); a CRM export's
// "Contact owner" column is shown mapped to Owner (never Full name); the row errors are counted as
// they are listed; the mapping step shows Spain, so "612 345 679" is saved as +34612345679 and a
// Taiwanese number without +886 is a row error. Screenshots in English and 繁體中文 go to
// test-output/e2e/importux-*.png.
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

const csv = [
  'Name,Phone,Contact owner,Email',
  'Ana Ruiz,612 345 679,admin@nudge.local,ana.ruiz@example.es',
  'Li Wei,0912 345 678,admin@nudge.local,not-an-email', // two problems in one row
  'Bo Ek,12,admin@nudge.local,bo.ek@example.com',
  ',612 345 680,,nameless@example.com',
].join('\n');

let session: BrowserSession;
let product: Product;
let page: Page;
const pageErrors: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(shotsDir, `importux-${name}.png`), fullPage: true });
const selected = (label: string) => page.getByLabel(label).evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');

describe('import wizard: owner, row errors, country', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'importux-server.log', timeoutMs: 20_000, pageErrors });
    ({ product, page } = session);
  }, 280_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it("an admin sets the organisation's country on Settings → Import", async () => {
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Import' }).click();
    const country = page.getByLabel('Country of phone numbers without +country code');
    await expect.poll(() => country.inputValue()).toBe('TW');
    await country.selectOption('ES');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved. New imports start from this country.').waitFor();
    await shot('settings-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '匯入客戶' }).waitFor();
    await shot('settings-zh-TW');
    await page.getByLabel('語言').selectOption('en');
  });

  it('shows Contact owner as Owner, counts the rows with errors as listed, and reads numbers in Spain', async () => {
    await page.goto(`${product.baseUrl}/#/import`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'crm-export.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('mapping-table').waitFor();
    expect(await page.getByLabel('Field for column Contact owner').inputValue()).toBe('ownerId');
    expect(await selected('Field for column Contact owner')).toBe('Owner');
    await expect.poll(() => selected('Field for column Name')).toBe('Full name');
    expect(await selected('Country of phone numbers without +country code')).toBe('Spain (ES)');

    const list = page.getByTestId('preview-errors').locator('li');
    await expect.poll(() => list.count()).toBe(3);
    await page.getByRole('heading', { name: '3 rows have errors' }).waitFor();
    expect(await list.nth(0).innerText()).toMatch(/^Line 3 Phone: "0912 345 678" is not a valid phone number for ES\. .*\+34 612 34 56 78; Email: /);
    await shot('preview-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('heading', { name: '3 行資料有錯誤' }).waitFor();
    expect(await selected('欄位 Contact owner 的對應')).toBe('負責人');
    await shot('preview-zh-TW');
    await page.getByLabel('語言').selectOption('en');

    await page.getByRole('button', { name: 'Start import' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.locator('.stat-created .stat-value').innerText()).toBe('1');
    expect(await report.locator('.stat-invalid .stat-value').innerText()).toBe('3');
    const found = await page.evaluate(async () => {
      const r = await fetch('/api/customers?q=Ana%20Ruiz', { headers: { Authorization: `Bearer ${localStorage.getItem('nudge.token')}` } });
      return (await r.json()) as { items: { fullName: string; phone: string | null; ownerId: string | null }[] };
    });
    // the demo data may hold other customers whose names are like hers
    const ana = found.items.filter((c) => c.fullName === 'Ana Ruiz');
    expect(ana.map((c) => c.phone), JSON.stringify(found.items)).toEqual(['+34612345679']);
    expect(ana[0]!.ownerId).toBeTruthy();
    expect(pageErrors).toEqual([]);
  });
});
