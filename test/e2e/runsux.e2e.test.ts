// End to end, in a real browser against the product started as README says: a test run's results
// read as sentences (a task's type, customer and due time; an e-mail's recipient and subject; a
// wait's length and end) in English and 繁體中文; a run that is still going shows its steps so far
// and the canvas counts come by themselves; the notifications popover closes on Escape and an
// outside click; a long flow name can be read. Screenshots go to test-output/e2e/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

const shots = shotsDir;
let session: BrowserSession;
let product: Product;
let page: Page;
let token = '';
let adminId = '';
let flowId = '';
let customer: { id: string; fullName: string };
const pageErrors: string[] = [];
const longName = 'Cold potentials — spring follow-up with a phone call from the owner after three days without a reply';

const apiCall = (method: string, path: string, body?: unknown) => callApi(product, token, method, path, body);
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

const graph = () => ({
  nodes: [
    { id: 'trigger', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.manual@1', config: {} } },
    { id: 'email', type: 'nudge', position: { x: 320, y: 0 }, data: { nodeType: 'action.send_message@1', config: { channel: 'email', subject: 'Still interested, {name}?', body: 'Hello {name}, shall we talk?' } } },
    { id: 'wait', type: 'nudge', position: { x: 640, y: 0 }, data: { nodeType: 'control.wait@1', config: { duration: { amount: 3, unit: 'days' } } } },
    { id: 'task', type: 'nudge', position: { x: 960, y: 0 }, data: { nodeType: 'action.create_task@1', config: { title: 'Call {name}', taskType: 'call', dueIn: { amount: 2, unit: 'hours' }, assignTo: 'user', userId: '' } } },
  ],
  edges: [
    { id: 'trigger-next-email', source: 'trigger', sourceHandle: 'next', target: 'email', targetHandle: 'in' },
    { id: 'email-next-wait', source: 'email', sourceHandle: 'next', target: 'wait', targetHandle: 'in' },
    { id: 'wait-next-task', source: 'wait', sourceHandle: 'next', target: 'task', targetHandle: 'in' },
  ],
});

describe('runs read as a person reads them', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'server-runsux.log', timeoutMs: 15_000, timezoneId: 'Asia/Taipei', pageErrors });
    ({ product, page } = session);
    const login = await apiCall('POST', '/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' });
    expect(login.status).toBe(200);
    token = login.body.token;
    adminId = login.body.user.id;
    const customers = await apiCall('GET', '/customers?pageSize=50');
    // someone who may get e-mail (has an address, did not opt out) and has a plain name
    customer = (customers.body.items as { id: string; fullName: string; email: string | null; optOutEmail?: boolean }[]).find(
      (c) => c.email && c.fullName && !c.optOutEmail && /^[\p{L} ]+$/u.test(c.fullName),
    )!;
    expect(customer).toBeDefined();
    const g = graph();
    (g.nodes[3]!.data.config as { userId: string }).userId = adminId;
    const created = await apiCall('POST', '/flows', { name: longName, graph: g });
    expect(created.status).toBe(201);
    flowId = created.body.id;
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('shows a test run as sentences, in English and 繁體中文', async () => {
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.goto(`${product.baseUrl}/#/flows/${flowId}`);
    await page.getByTestId('canvas').waitFor();

    // the long name can be read: in full in its tooltip, and not squeezed to nothing
    const name = page.locator('.toolbar .flow-name');
    expect(await name.getAttribute('title')).toContain(longName);
    expect((await name.boundingBox())!.width).toBeGreaterThanOrEqual(119);

    const testRun = async (button: RegExp) => {
      await page.getByRole('button', { name: button }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('searchbox').fill(customer.fullName);
      await dialog.getByRole('button', { name: new RegExp(customer.fullName) }).first().click();
      const result = page.getByTestId('test-run-result');
      await result.waitFor({ timeout: 60_000 });
      return result;
    };
    let result = await testRun(/Test run/);
    const lines = await result.getByTestId('action-line').allInnerTexts();
    writeFileSync(join(shots, 'runsux-test-run.txt'), await result.innerText());
    expect(lines[0], lines.join('\n')).toMatch(new RegExp(`Email to \\S+@\\S+: “Still interested, ${customer.fullName}\\?”`));
    expect(lines[1]).toMatch(new RegExp(`Phone call task for ${customer.fullName}, due \\w{3}, \\w{3} \\d{1,2}, \\d{2}:\\d{2}`));
    const text = await result.innerText();
    expect(text).toMatch(/Waits 3 days \(until \w{3}, \w{3} \d{1,2}, \d{2}:\d{2}\) · skipped in a test run/);
    expect(text).not.toMatch(/\d{13}|"dueAt"|assigneeId|test-task-/);
    await shot('r1-test-run-readable-en');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();

    await page.getByLabel('Language').selectOption('zh-TW');
    const zhTestRun = '測試執行';
    result = await testRun(new RegExp(zhTestRun));
    const tw = await result.innerText();
    expect(tw).toMatch(new RegExp(`為 ${customer.fullName} 建立電話任務，到期 \\d{1,2}月\\d{1,2}日`));
    expect(tw).toMatch(/等待 3 天（至 .*）/);
    expect(tw).toMatch(/電子郵件寄給 \S+@\S+：「/);
    await shot('r2-test-run-readable-zh-TW');
    await page.getByRole('dialog').getByRole('button', { name: '關閉' }).last().click();
    await page.getByLabel('語言').selectOption('en');
  }, 180_000);

  it('a run still going shows its steps so far; counts come without a toggle', async () => {
    // a task, then a 3-day wait (the demo product sends no real e-mail)
    const g = graph();
    const taskFirst = {
      nodes: [g.nodes[0]!, { ...g.nodes[3]!, position: { x: 320, y: 0 } }, { ...g.nodes[2]!, position: { x: 640, y: 0 } }],
      edges: [
        { id: 'trigger-next-task', source: 'trigger', sourceHandle: 'next', target: 'task', targetHandle: 'in' },
        { id: 'task-next-wait', source: 'task', sourceHandle: 'next', target: 'wait', targetHandle: 'in' },
      ],
    };
    (taskFirst.nodes[1]!.data.config as { userId: string }).userId = adminId;
    const created = await apiCall('POST', '/flows', { name: 'Call, then wait', graph: taskFirst });
    expect(created.status).toBe(201);
    const flowId = created.body.id as string;
    expect((await apiCall('POST', `/flows/${flowId}/publish`, { note: 'v1' })).status).toBe(201);
    expect((await apiCall('POST', `/flows/${flowId}/enroll`, { customerIds: [customer.id] })).body.started).toBe(1);
    await page.goto(`${product.baseUrl}/#/flows/${flowId}`);
    await page.reload();
    await page.getByTestId('canvas').waitFor();
    // the published flow shows where customers are, by itself
    await expect.poll(() => page.locator('.node-counts').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByLabel('Live counts').isChecked()).toBe(true);
    await shot('r3-live-counts-en');

    await page.goto(`${product.baseUrl}/#/flows/${flowId}/runs`);
    await page.getByTestId('runs-table').locator('tbody tr').first().click();
    const steps = page.getByTestId('run-steps');
    await expect.poll(() => steps.innerText(), { timeout: 60_000 }).toMatch(/Wait[\s\S]*Waiting[\s\S]*Waits 3 days \(until/);
    expect(await steps.innerText()).toMatch(new RegExp(`Create task[\\s\\S]*Done[\\s\\S]*Phone call task for ${customer.fullName}, due`));
    await shot('r4-running-run-steps-en');
    await page.getByLabel('Language').selectOption('zh-TW');
    await expect.poll(() => steps.innerText()).toMatch(/等待 3 天（至/);
    await shot('r5-running-run-steps-zh-TW');
    await page.getByLabel('語言').selectOption('en');
  }, 180_000);

  it('the notifications popover closes on Escape and on an outside click', async () => {
    await page.goto(`${product.baseUrl}/#/flows/${flowId}`);
    await page.reload();
    await page.getByTestId('canvas').waitFor();
    const bell = page.getByRole('button', { name: /Notifications/ });
    await bell.click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await panel.waitFor();
    // it opens below the flow's toolbar: every toolbar button stays visible and usable
    const toolbarBottom = (await page.getByRole('toolbar').boundingBox())!;
    expect((await panel.boundingBox())!.y).toBeGreaterThanOrEqual(toolbarBottom.y + toolbarBottom.height);
    await shot('r6-notifications-open');
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
    await bell.click();
    await panel.waitFor();
    await page.getByTestId('canvas').click({ position: { x: 200, y: 400 } });
    await expect.poll(() => panel.count()).toBe(0);
    // the toolbar is usable again
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByRole('dialog').waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
