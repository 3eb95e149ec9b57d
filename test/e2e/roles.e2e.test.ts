// Controls a role cannot use are not offered (issue 11, item 8), end to end in a real browser
// against the product started as README says. An admin adds a viewer, an agent and a manager
// through the API (each chooses their own password, the first-password flow); signed in as each,
// the write controls the shared permission map denies are absent on flows, customers and
// settings, and clicking what is shown never meets a 403. The agent adds a customer by hand: the
// phone's country is preset from the organisation's setting (Spain), a Taiwanese local number is a
// field error, a Spanish one is saved as +34. Screenshots in English and 繁體中文:
// test-output/e2e/roles-*.png.
import { join } from 'node:path';
import { type Page, type Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

let session: BrowserSession;
let product: Product;
let page: Page;
const pageErrors: string[] = [];
/** every API answer 403 the browser met (a control offered that the server refuses) */
const refused: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
const nav = () => page.getByRole('navigation', { name: 'Main navigation' });
const people = {
  viewer: { name: 'Vic Viewer', email: 'vic.viewer@example.com', role: 'viewer' },
  agent: { name: 'Aga Agent', email: 'aga.agent@example.com', role: 'agent' },
  manager: { name: 'Mona Manager', email: 'mona.manager@example.com', role: 'manager' },
} as const;
const first = 'first-pass-2026';
const own = 'my-own-secret-77';
let adminToken = '';

/**
 * Waits until the page has no API request in flight for half a second. Not Playwright's
 * 'networkidle': the inbox keeps its live event stream (/api/inbox/events) open, so the network
 * is never idle there.
 */
const pending = new Set<unknown>();
async function settled(): Promise<void> {
  let quietSince = Date.now();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (pending.size > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 500) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`requests still in flight after 20 s: ${[...pending].map((r) => (r as { url(): string }).url()).join(', ')}`);
}

async function signOut() {
  await page.getByRole('button', { name: /^(Log out|登出)$/ }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

async function signInAs(who: keyof typeof people) {
  await page.goto(`${product.baseUrl}/#/flows`);
  await page.evaluate(() => localStorage.clear()); // a failed test before may have left someone signed in
  await page.reload();
  await signIn(page, people[who].email, own);
  await nav().waitFor();
}

/** Opens each section the navigation offers (and waits for it to settle): none may answer 403. */
async function visitEveryOfferedSection(): Promise<string[]> {
  const names = (await nav().getByRole('link').allTextContents()).map((s) => s.trim());
  for (const name of names) {
    await nav().getByRole('link', { name, exact: true }).click();
    await settled();
  }
  return names;
}

async function openFirstFlow() {
  await nav().getByRole('link', { name: 'Flows' }).click();
  await page.getByRole('table').getByRole('link').first().click();
  await page.getByRole('toolbar').waitFor();
  await settled();
}

async function openFirstCustomer() {
  await nav().getByRole('link', { name: 'Customers' }).click();
  await page.getByTestId('customers-table').getByRole('link').first().click();
  await page.getByRole('heading', { name: 'Details' }).waitFor();
  await settled();
}

describe('roles: what a viewer, an agent and a manager are offered', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'roles-server.log', timeoutMs: 20_000, pageErrors, env: { NUDGE_DEMO_CONVERSATIONS: '10' } });
    ({ product, page } = session);
    const isApiCall = (url: string) => url.includes('/api/') && !url.includes('/api/inbox/events');
    page.on('request', (r) => void (isApiCall(r.url()) && pending.add(r)));
    page.on('requestfinished', (r) => void pending.delete(r));
    page.on('requestfailed', (r) => void pending.delete(r));
    page.on('response', (r: Response) => {
      if (r.status() === 403 && r.url().includes('/api/')) refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    const login = await callApi(product, '', 'POST', '/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' });
    adminToken = login.body.token;
    const teams = await callApi(product, adminToken, 'GET', '/teams');
    const teamId = teams.body.items[0]?.id ?? null;
    for (const p of Object.values(people)) {
      const added = await callApi(product, adminToken, 'POST', '/users', { ...p, password: first, teamId: p.role === 'agent' ? teamId : null });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      // the first-password flow: signed in with it, nothing but choosing one's own answers
      const s = await callApi(product, '', 'POST', '/auth/login', { email: p.email, password: first });
      expect(s.body.passwordChangeRequired).toBe(true);
      expect((await callApi(product, s.body.token, 'GET', '/flows')).status).toBe(403);
      expect((await callApi(product, s.body.token, 'POST', '/auth/password', { currentPassword: first, newPassword: own })).status).toBeLessThan(300);
    }
    // a flow to look at (the demo data has none)
    expect((await callApi(product, adminToken, 'POST', '/flows', { name: 'Welcome series', graph: { nodes: [], edges: [] } })).status).toBe(201);
    // the organisation reads local phone numbers as Spanish ones
    expect((await callApi(product, adminToken, 'PUT', '/import/settings', { defaultRegion: 'ES' })).status).toBe(200);
  }, 280_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`roles-failed-${ctx.task.name.split(' ').slice(0, 2).join('-')}`);
  });

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('a viewer is offered no write control on flows, customers, the inbox or settings, and meets no 403', async () => {
    await signInAs('viewer');
    await page.getByText(`${people.viewer.name} · Viewer`).waitFor();
    const sections = await visitEveryOfferedSection();
    expect(sections).not.toContain('Import');
    expect(sections).not.toContain('Tags');
    expect(sections).not.toContain('Settings');

    // flows: no "New flow"; the editor is read-only, with no Publish, Pause, Test run, Undo, no version restore
    await nav().getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('table').waitFor();
    expect(await page.getByLabel('Name of a new flow').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create flow' }).count()).toBe(0);
    await openFirstFlow();
    const toolbar = page.getByRole('toolbar');
    await toolbar.getByText('Read only').waitFor();
    for (const name of ['Publish', 'Pause', 'Resume', 'Test run', 'Undo', 'Tidy up', 'Archive']) expect(await toolbar.getByRole('button', { name: new RegExp(name) }).count(), name).toBe(0);
    await shot('roles-viewer-flow-en');
    await toolbar.getByRole('button', { name: 'Versions' }).click();
    await page.getByRole('dialog', { name: 'Version history' }).waitFor();
    await settled();
    expect(await page.getByRole('button', { name: 'Put this version in the draft' }).count()).toBe(0);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // customers: no Add customer, no Save segment; a customer has no Edit, no note, no tag controls
    await nav().getByRole('link', { name: 'Customers' }).click();
    await page.getByTestId('customers-table').waitFor();
    expect(await page.getByRole('button', { name: 'Add customer' }).count()).toBe(0);
    await page.getByRole('button', { name: 'New segment' }).click();
    await page.getByTestId('segment-count').filter({ hasText: /match/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Save segment' }).count()).toBe(0);
    await openFirstCustomer();
    expect(await page.getByRole('button', { name: 'Edit details' }).count()).toBe(0);
    expect(await page.getByLabel('Write a note…').count()).toBe(0);
    expect(await page.getByPlaceholder('Add a tag and press Enter').count()).toBe(0);
    await shot('roles-viewer-customer-en');

    // inbox: a conversation can be read, not answered, taken or resolved
    await nav().getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('tab', { name: 'All', exact: true }).click();
    await page.getByTestId('conversation').first().click();
    await page.getByTestId('messages').waitFor();
    await settled();
    for (const name of ['Take', 'Resolve']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    expect(await page.locator('.composer-form, .messages ~ form').count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Note' }).count()).toBe(0);
    await shot('roles-viewer-inbox-en');
    expect(await page.getByLabel('Transfer').count()).toBe(0);

    // typed addresses of what is not offered say so instead of failing
    await page.goto(`${product.baseUrl}/#/tags`);
    await page.getByText('Not available for your role').waitFor();
    await page.goto(`${product.baseUrl}/#/import`);
    await page.getByText('Not available for your role').waitFor();
    await page.goto(`${product.baseUrl}/#/settings/users`);
    await page.getByText('Settings are for administrators').waitFor();

    await page.getByLabel('Language').selectOption('zh-TW');
    await openFirstFlowZh();
    await page.getByRole('toolbar').getByText('唯讀').waitFor();
    await shot('roles-viewer-flow-zh-TW');
    await page.goto(`${product.baseUrl}/#/tags`);
    await page.getByText('您的角色無法使用此頁面', { exact: true }).waitFor();
    await shot('roles-viewer-not-for-role-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    expect(refused).toEqual([]);
    await signOut();
  }, 180_000);

  it('an agent may add and edit customers (phone country preset from the organisation) but not flows, tags, import or settings', async () => {
    await signInAs('agent');
    const sections = await visitEveryOfferedSection();
    expect(sections).toEqual(expect.arrayContaining(['Inbox', 'My work', 'Flows', 'Customers']));
    for (const s of ['Import', 'Tags', 'Settings']) expect(sections).not.toContain(s);
    await nav().getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('table').waitFor();
    expect(await page.getByLabel('Name of a new flow').count()).toBe(0);
    await openFirstFlow();
    await page.getByRole('toolbar').getByText('Read only').waitFor();
    expect(await page.getByTestId('publish').count()).toBe(0);

    await nav().getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('button', { name: 'Add customer' }).click();
    const form = page.getByRole('form', { name: 'New customer' });
    expect(await form.getByLabel('Country of the phone number').inputValue()).toBe('ES');
    await form.getByLabel('Full name').fill('Lucía Roles');
    await form.getByLabel('Phone', { exact: true }).fill('0912 345 678');
    await form.getByRole('button', { name: 'Add customer' }).click();
    await form.getByText('This is not a valid phone number in Spain (ES).').waitFor();
    await shot('roles-agent-phone-error-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('form', { name: '新客戶' }).getByText(/這不是有效的西班牙/).waitFor();
    await shot('roles-agent-phone-error-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    await form.getByLabel('Phone', { exact: true }).fill('612 345 679');
    await form.getByRole('button', { name: 'Add customer' }).click();
    await page.getByRole('heading', { name: 'Lucía Roles' }).waitFor();
    const created = await callApi(product, adminToken, 'GET', `/customers?q=${encodeURIComponent('Lucía Roles')}`);
    expect(created.body.items[0].phone).toBe('+34612345679');
    await page.getByRole('button', { name: 'Edit details' }).waitFor();
    await page.getByLabel('Write a note…').waitFor();
    await shot('roles-agent-customer-en');
    expect(refused).toEqual([]);
    await signOut();
  }, 180_000);

  it('a manager is offered the settings a manager may change; the import country is read-only', async () => {
    await signInAs('manager');
    await visitEveryOfferedSection();
    await nav().getByRole('link', { name: 'Settings' }).click();
    const tabs = page.getByRole('navigation', { name: 'Settings' });
    await tabs.waitFor();
    expect((await tabs.getByRole('link').allTextContents()).map((s) => s.trim())).toEqual(['Auto-replies & hand-off', 'Templates & quick replies', 'Deadlines & assignment', 'Import']);
    await tabs.getByRole('link', { name: 'Import' }).click();
    const country = page.getByLabel('Country of phone numbers without +country code');
    expect(await country.isDisabled()).toBe(true);
    await page.getByText('Only administrators can change this.').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await shot('roles-manager-settings-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByText('只有管理員可以變更此設定。').waitFor();
    await shot('roles-manager-settings-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    await tabs.getByRole('link', { name: 'Deadlines & assignment' }).click();
    await settled();
    await tabs.getByRole('link', { name: 'Auto-replies & hand-off' }).click();
    await settled();
    expect(refused).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});

async function openFirstFlowZh() {
  await page.getByRole('navigation', { name: '主選單' }).getByRole('link', { name: '流程' }).click();
  await page.getByRole('table').getByRole('link').first().click();
  await page.getByRole('toolbar').waitFor();
}
