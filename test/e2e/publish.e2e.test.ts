// End to end, in a real browser against the product started as README says: publishing a flow
// whose trigger is "enters a segment" says how many customers match now and asks whom to enroll;
// "only new customers" enrolls nobody who is in the segment (after the runtime's sweep has run),
// while a twin flow published for "existing" enrolls them, and its runs view shows the runs
// without a page refresh. Screenshots (English and 繁體中文) go to test-output/e2e/.
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
const ids: { onlyNew?: string; existing?: string } = {};

const apiCall = (method: string, path: string, body?: unknown) => callApi(product, token, method, path, body);
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

const graph = (segmentId: string) => ({
  nodes: [
    { id: 'trigger', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.segment_entry@1', config: { segmentId } } },
    { id: 'task', type: 'nudge', position: { x: 320, y: 0 }, data: { nodeType: 'action.create_task@1', config: { title: 'Call {name}', taskType: 'call', dueIn: { amount: 2, unit: 'hours' } } } },
  ],
  edges: [{ id: 'trigger-next-task', source: 'trigger', sourceHandle: 'next', target: 'task', targetHandle: 'in' }],
});

describe('publish asks whom to enroll', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'server-publish.log', timeoutMs: 15_000, pageErrors });
    ({ product, page } = session);
    const login = await apiCall('POST', '/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' });
    expect(login.status).toBe(200);
    token = login.body.token;
    const segments = await apiCall('GET', '/segments');
    const cold = ((segments.body.items ?? segments.body) as { id: string; name: string }[]).find((s) => s.name === 'Cold potentials');
    expect(cold).toBeDefined();
    for (const [key, name] of [['onlyNew', 'Only new potentials'], ['existing', 'All cold potentials']] as const) {
      const created = await apiCall('POST', '/flows', { name, graph: graph(cold!.id) });
      expect(created.status).toBe(201);
      ids[key] = created.body.id;
    }
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('says how many customers match now, in English and 繁體中文, and publishes for "only new customers"', async () => {
    const matching = (await apiCall('GET', `/flows/${ids.onlyNew}/enroll-preview`)).body.matchingNow as number;
    expect(matching).toBeGreaterThan(0);
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.goto(`${product.baseUrl}/#/flows/${ids.onlyNew}`);
    await page.getByTestId('canvas').waitFor();

    await page.getByLabel('Language').selectOption('zh-TW');
    await page.getByRole('button', { name: '發布', exact: true }).click();
    await expect.poll(() => page.getByTestId('enroll-count').innerText()).toBe(`目前分群中有 ${matching} 位客戶。`);
    await shot('p1-publish-ask-zh-TW');
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
    await page.getByLabel('語言').selectOption('en');

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => page.getByTestId('enroll-count').innerText()).toBe(`${matching} customer${matching === 1 ? ' is' : 's are'} in the segment now.`);
    expect(await dialog.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Only customers who enter the segment from now on').check();
    await shot('p2-publish-ask-en');
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Published as version' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('enrolls-pill').innerText()).toMatch(/^Only customers entering since /);
    await shot('p3-published-only-new');
    expect((await apiCall('GET', `/flows/${ids.onlyNew}`)).body.enrolls.mode).toBe('new');
  });

  it('runs of the twin flow published for "existing" appear without a refresh; the "only new" flow enrolls nobody', async () => {
    // the runs view is open before the flow is published: empty
    await page.goto(`${product.baseUrl}/#/flows/${ids.existing}/runs`);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByText('No runs match').waitFor();
    expect(await page.getByTestId('tests-hidden').innerText()).toMatch(/Test runs are hidden/);
    expect((await apiCall('POST', `/flows/${ids.existing}/publish`, {})).status).toBe(400); // the choice is required
    expect((await apiCall('POST', `/flows/${ids.existing}/publish`, { enroll: 'existing' })).status).toBe(201);
    // the runtime sweeps the segment once a minute: the list fills by itself
    const table = page.getByTestId('runs-table');
    await expect.poll(() => table.count(), { timeout: 150_000, intervals: [2_000] }).toBe(1);
    const first = await table.locator('tbody tr').first().locator('td').allInnerTexts();
    expect(first[0]).not.toMatch(/^[0-9a-f]{8}-/); // the customer's name, not a run id
    expect(first[1]).toMatch(/Running|Waiting|Completed|Failed/);
    await shot('p4-runs-appear-without-refresh');

    // the same sweep pass took the "only new" flow: it has been swept, and nobody was enrolled
    await expect.poll(async () => (await apiCall('GET', `/flows/${ids.onlyNew}`)).body.lastSweptAt, { timeout: 60_000, intervals: [1_000] }).not.toBeNull();
    expect((await apiCall('GET', `/flows/${ids.onlyNew}/runs?test=all`)).body.total).toBe(0);
    await page.getByLabel('Language').selectOption('zh-TW');
    await page.goto(`${product.baseUrl}/#/flows/${ids.onlyNew}/runs`);
    await page.getByTestId('tests-hidden').waitFor();
    await expect.poll(() => page.getByTestId('runs-table').count()).toBe(0);
    await shot('p5-only-new-no-runs-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
