// End to end, in a real browser against the product started as README says: the canvas can be
// checked at a glance. Cards say what their settings are ("Wait 3 days", the trigger's segment by
// name); a wait set to -1 says why under its field; a click on the checklist item selects the node
// and focuses that field; fit view and tidy-up keep a long flow at a readable zoom (it pans instead).
// Screenshots (English and 繁體中文) go to test-output/e2e/.
import { join } from 'node:path';
import { type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowserSession, shotsDir, signIn, type BrowserSession, type Product } from './product';

const MIN_READABLE_ZOOM = 0.6; // apps/editor/src/flows/viewport.ts
let session: BrowserSession;
let product: Product;
let page: Page;
let token = '';
let flowId = '';
const pageErrors: string[] = [];

const apiCall = (method: string, path: string, body?: unknown) => callApi(product, token, method, path, body);
const shot = (name: string) => page.screenshot({ path: join(shotsDir, `${name}.png`) });

/** trigger → wait 3 days → task → eleven one-day waits → end: far wider than the screen. */
function longFlow(segmentId: string) {
  const steps: { id: string; nodeType: string; config: Record<string, unknown> }[] = [
    { id: 'trigger', nodeType: 'trigger.segment_entry@1', config: { segmentId } },
    { id: 'wait', nodeType: 'control.wait@1', config: { duration: { amount: 3, unit: 'days' } } },
    { id: 'task', nodeType: 'action.create_task@1', config: { title: 'Call {name}', taskType: 'call', dueIn: { amount: 2, unit: 'hours' } } },
    ...Array.from({ length: 11 }, (_, i) => ({ id: `later${i + 1}`, nodeType: 'control.wait@1', config: { duration: { amount: 1, unit: 'days' } } })),
    { id: 'end', nodeType: 'control.end@1', config: {} },
  ];
  return {
    nodes: steps.map((s, i) => ({ id: s.id, type: 'nudge', position: { x: i * 320, y: (i % 2) * 40 }, data: { nodeType: s.nodeType, config: s.config } })),
    edges: steps.slice(1).map((s, i) => ({ id: `${steps[i]!.id}-next-${s.id}`, source: steps[i]!.id, sourceHandle: 'next', target: s.id, targetHandle: 'in' })),
  };
}

const card = (id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);

/** The scale of React Flow's viewport transform: translate(x, y) scale(z). */
async function zoom(): Promise<number> {
  const transform = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  const m = /scale\(([\d.]+)\)/.exec(transform);
  expect(m, transform).not.toBeNull();
  return Number(m![1]);
}

/** Waits for the zoom to stop changing (fit view animates), then reads it. */
async function settledZoom(): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const z = await zoom();
    if (Math.abs(z - last) < 1e-4) return z;
    last = z;
    await page.waitForTimeout(150);
  }
  return last;
}

describe('the canvas can be checked at a glance', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'server-canvas.log', timeoutMs: 15_000, pageErrors });
    ({ product, page } = session);
    const login = await apiCall('POST', '/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' });
    expect(login.status).toBe(200);
    token = login.body.token;
    const segments = await apiCall('GET', '/segments');
    const cold = ((segments.body.items ?? segments.body) as { id: string; name: string }[]).find((s) => s.name === 'Cold potentials');
    expect(cold).toBeDefined();
    const created = await apiCall('POST', '/flows', { name: 'Canvas check', graph: longFlow(cold!.id) });
    expect(created.status).toBe(201);
    flowId = created.body.id;
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('shows each card’s settings in a line: the wait’s length and the trigger’s segment by name', async () => {
    await page.goto(`${product.baseUrl}/`);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.goto(`${product.baseUrl}/#/flows/${flowId}`);
    await page.getByTestId('canvas').waitFor();
    await expect.poll(() => card('wait').getByTestId('node-summary').textContent()).toBe('Wait 3 days');
    await expect.poll(() => card('trigger').getByTestId('node-summary').textContent()).toBe('Enters “Cold potentials”');
    expect(await card('task').getByTestId('node-summary').textContent()).toBe('Phone call “Call {name}”, due in 2 hours');
    // the flow opened at a readable size, though it is far wider than the screen
    expect(await settledZoom()).toBeGreaterThanOrEqual(MIN_READABLE_ZOOM);
    await shot('c1-canvas-summaries-en');
  });

  it('says why a wait of -1 is wrong, under the field', async () => {
    await card('wait').locator('.node-head').click();
    const panel = page.locator('.config-panel');
    await panel.waitFor();
    await panel.getByLabel('Amount').fill('-1');
    const reason = panel.locator('[data-field="duration"] .field-error');
    await expect.poll(() => reason.textContent(), { timeout: 15_000 }).toBe('Enter a whole number of at least 1');
    // the card has no summary to show for it, and says it has a problem
    await expect.poll(() => card('wait').getByTestId('node-summary').count()).toBe(0);
    expect(await card('wait').locator('.badge-error').textContent()).toBe('1');
    await shot('c2-wait-negative-en');
  });

  it('a click on the checklist item selects the wait and focuses its amount', async () => {
    // deselect everything first: the click must be what selects the node
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await expect.poll(() => page.locator('.config-panel').count()).toBe(0);
    await expect.poll(() => card('wait').getAttribute('class')).not.toMatch(/\bselected\b/);
    await page.getByTestId('problems-toggle').click();
    const item = page.getByTestId('problem-item').filter({ hasText: 'Enter a whole number of at least 1' });
    expect(await item.innerText()).toContain('Wait');
    await item.click();
    await expect.poll(() => card('wait').getAttribute('class')).toMatch(/\bselected\b/);
    const panel = page.locator('.config-panel');
    await panel.waitFor();
    await expect
      .poll(() => page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el ? `${el.closest('.config-panel') ? 'panel' : 'elsewhere'}:${el.closest<HTMLElement>('[data-field]')?.dataset.field}:${el.getAttribute('aria-label')}` : 'none';
      }))
      .toBe('panel:duration:Amount');
    expect(await panel.getByLabel('Amount').inputValue()).toBe('-1');
    // the node is centred in the canvas
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await expect
      .poll(async () => {
        const box = (await card('wait').boundingBox())!;
        return Math.abs(box.x + box.width / 2 - (canvas.x + canvas.width / 2)) < 40 && Math.abs(box.y + box.height / 2 - (canvas.y + canvas.height / 2)) < 40;
      })
      .toBe(true);
    await shot('c3-checklist-opens-field-en');
  });

  it('fit view and tidy-up keep the text readable: the long flow pans instead of shrinking', async () => {
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    // 15 cards of 240 px, 320 px apart: fitting all of them would need a much smaller zoom
    const wouldFit = canvas.width / (14 * 320 + 240);
    expect(wouldFit).toBeLessThan(MIN_READABLE_ZOOM);
    await page.locator('.react-flow__controls-fitview').click();
    const afterFit = await settledZoom();
    expect(afterFit).toBeGreaterThanOrEqual(MIN_READABLE_ZOOM);
    expect(afterFit).toBeLessThanOrEqual(1);
    await shot('c4-fit-view-en');
    // zoomed far out by hand, tidy-up fits the view again: back to a readable size, not to specks
    for (let i = 0; i < 4; i++) await page.locator('.react-flow__controls-zoomout').click();
    expect(await settledZoom()).toBeLessThan(MIN_READABLE_ZOOM);
    await page.getByRole('button', { name: 'Tidy up' }).click();
    expect(await settledZoom()).toBeGreaterThanOrEqual(MIN_READABLE_ZOOM);
    const fontPx = await card('wait').locator('.node-title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontPx * (await zoom())).toBeGreaterThanOrEqual(13 * MIN_READABLE_ZOOM - 0.01);
  });

  it('says the same in 繁體中文', async () => {
    await page.getByLabel('Language').selectOption('zh-TW');
    await expect.poll(() => card('trigger').getByTestId('node-summary').textContent()).toBe('進入「Cold potentials」');
    await card('later1').locator('.node-head').click();
    await expect.poll(() => card('later1').getByTestId('node-summary').textContent()).toBe('等待 1 天');
    await page.getByTestId('problems-toggle').click();
    await page.getByTestId('problem-item').filter({ hasText: '請輸入至少為 1 的整數' }).click();
    const reason = page.locator('.config-panel [data-field="duration"] .field-error');
    await expect.poll(() => reason.textContent()).toBe('請輸入至少為 1 的整數');
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-field]')?.dataset.field)).toBe('duration');
    await shot('c5-checklist-opens-field-zh-TW');
    // putting the wait right removes the reason and brings the summary back
    await page.locator('.config-panel').getByLabel('數量').fill('3');
    await expect.poll(() => card('wait').getByTestId('node-summary').textContent(), { timeout: 15_000 }).toBe('等待 3 天');
    await expect.poll(() => reason.count(), { timeout: 15_000 }).toBe(0);
    await shot('c6-canvas-summaries-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});
