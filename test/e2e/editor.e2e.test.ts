// End to end, in a real browser (Debian's chromium driven by playwright-core) against the product
// started as README says: log in; import a CSV with a duplicate and a bad row and read the report;
// build "tag = potential AND 30 days idle → send email → wait 3 days → no reply → phone task"
// from an empty canvas by dragging and connecting; see validation errors and fix them; publish;
// test-run on a customer and see the path; open the runs view; switch to 繁體中文.
// Screenshots of every screen go to test-output/e2e/.
import { join } from 'node:path';
import { type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserSession, shotsDir, type BrowserSession, type Product } from './product';

const shots = shotsDir;
const csv = [
  '客戶姓名,公司,手機號碼,Email,標籤',
  '張大明,大明貿易,0912-345-678,daming@example.com,potential',
  'Ana García,Textiles Sol,+34 612 345 678,ana@example.es,potential',
  '張大明,大明貿易,+886 912 345 678,,potential', // the duplicate of line 2 (same phone, other format)
  ',無名公司,not-a-phone,bad-email,', // the bad row: no name, bad phone, bad e-mail
  'John Smith,Acme Inc,+1 415 555 0100,john@acme.example,',
].join('\n');
const segmentName = 'Potential, idle 30 days';
const flowName = 'Cold potential follow-up';

let session: BrowserSession;
let product: Product;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** The React Flow node wrapper of the (only) node of this type. */
function nodeOf(type: string): Locator {
  return page.locator('.react-flow__node').filter({ has: page.locator(`.node-card[data-node-type="${type}"]`) });
}

async function dropNode(type: string, x: number, y: number) {
  const before = await page.locator('.react-flow__node').count();
  await page.locator(`[data-node-key="${type}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  await expect.poll(() => page.locator('.react-flow__node').count()).toBe(before + 1);
}

/** Drags from an output port to a node's input, as a person would. */
async function connect(fromType: string, port: string, toType: string) {
  const src = nodeOf(fromType).locator(`.react-flow__handle[data-handleid="${port}"]`);
  // a trigger has no input: aim at the middle of its card instead
  const input = nodeOf(toType).locator('.react-flow__handle[data-handleid="in"]');
  const dst = (await input.count()) ? input : nodeOf(toType);
  const a = (await src.boundingBox())!;
  const b = (await dst.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 30, a.y + 10, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}

/**
 * Selects a node by clicking its head, until its settings are open. Clicked again if the click
 * missed: a click during the viewport's animation (a checklist problem centres its node in 300 ms,
 * frames that a loaded machine draws late) can land on the pane beside the node and deselect it.
 */
async function select(type: string) {
  const node = nodeOf(type);
  const selected = async () => (await page.locator('.config-panel').count()) === 1 && (await node.evaluate((el) => el.classList.contains('selected')));
  await expect
    .poll(
      async () => {
        if (await selected()) return true;
        await node.locator('.node-head').click();
        await page.waitForTimeout(250);
        return selected();
      },
      { timeout: 15_000 },
    )
    .toBe(true);
}

describe('editor end to end', () => {
  beforeAll(async () => {
    session = await openBrowserSession({ logName: 'server.log', timeoutMs: 15_000, pageErrors });
    ({ product, page } = session);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
  }, 30_000);

  it('logs in', async () => {
    await page.goto(`${product.baseUrl}/`);
    await page.getByLabel('Email').fill('admin@nudge.local');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong email or password');
    await shot('01-login-error');
    await page.getByLabel('Password').fill('nudge-admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await shot('02-flows-list');
  });

  it('imports a CSV with a duplicate and a bad row and reads the report', async () => {
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByLabel('CSV file').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('mapping-table').waitFor();
    // the field list loads beside the preview: wait for it rather than read the first paint
    await expect.poll(() => page.getByLabel('Field for column 客戶姓名').inputValue()).toBe('fullName');
    expect(await page.getByLabel('Field for column 手機號碼').inputValue()).toBe('phone');
    const badRow = page.getByTestId('preview-table').locator('tr.row-error');
    await expect.poll(() => badRow.count()).toBe(1);
    expect(await badRow.innerText()).toContain('not-a-phone');
    await shot('03-import-preview');
    await page.getByRole('button', { name: 'Start import' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 60_000 });
    const stat = (k: string) => report.locator(`.stat-${k} .stat-value`).innerText();
    expect(await stat('rows')).toBe('5');
    expect(await stat('created')).toBe('3');
    expect(await stat('merged')).toBe('1');
    expect(await stat('invalid')).toBe('1');
    expect(await report.innerText()).toMatch(/Line 4 merged with line 2/);
    expect(await page.getByTestId('report-skipped').innerText()).toMatch(/Line 5 invalid: .*not a valid phone number/);
    await shot('04-import-report');
  });

  it('saves the segment "tag = potential AND no follow-up for 30 days" with a live count', async () => {
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByTestId('customers-table').waitFor();
    await page.getByRole('button', { name: 'New segment' }).click();
    await expect.poll(() => page.getByTestId('segment-count').innerText()).toMatch(/\d+ customers? match/);
    await page.getByLabel('Segment name').fill(segmentName);
    await shot('05-segment-builder');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByTestId('customers-table').waitFor();
    await shot('06-customers-in-segment');
  });

  it('builds the flow from an empty canvas by dragging and connecting', async () => {
    await page.getByRole('link', { name: 'Flows' }).click();
    await page.getByLabel('Name of a new flow').fill(flowName);
    await page.getByRole('button', { name: 'Create flow' }).click();
    await page.getByTestId('canvas').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(0);
    await shot('07-empty-canvas');

    await page.getByPlaceholder('Search nodes…').fill('segment');
    await dropNode('trigger.segment_entry@1', 170, 90);
    await page.getByPlaceholder('Search nodes…').fill('');
    await dropNode('action.send_message@1', 460, 90);
    await dropNode('control.wait_for_event@1', 170, 300);
    await dropNode('action.create_task@1', 460, 300);

    // the trigger's settings: the saved segment
    await select('trigger.segment_entry@1');
    await page.locator('.config-panel').getByLabel('Segment').selectOption({ label: segmentName });

    await connect('trigger.segment_entry@1', 'next', 'action.send_message@1');
    await connect('action.send_message@1', 'next', 'control.wait_for_event@1');
    await connect('control.wait_for_event@1', 'timeout', 'action.create_task@1');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);

    // refused while dragging: into the trigger, a self loop, a second edge on a used port
    await connect('action.create_task@1', 'next', 'trigger.segment_entry@1');
    await expect.poll(() => page.getByTestId('connection-refused').innerText()).toBe('A trigger starts the flow: nothing can lead into it.');
    await connect('control.wait_for_event@1', 'replied', 'control.wait_for_event@1');
    await connect('trigger.segment_entry@1', 'next', 'action.create_task@1');
    expect(await page.locator('.react-flow__edge').count()).toBe(3);

    // the wait is 3 days by default
    await select('control.wait_for_event@1');
    expect(await page.locator('.config-panel').getByLabel('Amount').inputValue()).toBe('3');
    expect(await page.locator('.config-panel').getByLabel('Unit').inputValue()).toBe('days');
    await shot('08-flow-drawn');
  });

  it('shows validation errors on the nodes and in the checklist, then they are fixed', async () => {
    const toggle = page.getByTestId('problems-toggle');
    await expect.poll(() => toggle.innerText(), { timeout: 15_000 }).toMatch(/\d+ problems?/);
    await toggle.click();
    const checklist = page.getByRole('complementary', { name: 'Checklist' });
    await expect.poll(() => checklist.innerText()).toMatch(/"Yes, in time" output of "Wait for a reply" leads nowhere|"replied" output/);
    await expect.poll(() => checklist.innerText()).toMatch(/Write the message/);
    expect(await nodeOf('control.wait_for_event@1').locator('.badge-error').count()).toBe(1);
    await shot('09-validation-errors');

    // clicking a problem selects its node and opens its settings in place of the checklist
    await checklist.getByRole('button', { name: /Send message/ }).first().click();
    await expect.poll(() => page.locator('.config-panel').count()).toBe(1);
    await select('action.send_message@1');
    const panel = page.locator('.config-panel');
    await panel.getByLabel('Subject').fill('{name}, still interested?');
    await panel.getByLabel('Message').fill('Hi ');
    await panel.getByRole('button', { name: '{name}' }).last().click();
    await panel.getByLabel('Message').press('End');
    await panel.getByLabel('Message').pressSequentially(', shall we talk about your project this week?');
    expect(await panel.getByLabel('Message').inputValue()).toBe('Hi {name}, shall we talk about your project this week?');

    // the "replied" branch ends the flow
    await dropNode('control.end@1', 760, 200);
    await connect('control.wait_for_event@1', 'replied', 'control.end@1');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);
    await page.getByRole('button', { name: /Tidy up/ }).click();
    await expect.poll(() => toggle.innerText(), { timeout: 20_000 }).toMatch(/Ready/);
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('All changes saved');
    await shot('10-flow-valid');

    // undo / redo the layout keeps the graph and the saved state consistent
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+y');
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('All changes saved');

    // copy, paste and delete with the keyboard: the pasted End is unreachable until deleted
    await nodeOf('control.end@1').locator('.node-head').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await expect.poll(() => toggle.innerText(), { timeout: 15_000 }).toMatch(/1 problem/);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
    await expect.poll(() => toggle.innerText(), { timeout: 15_000 }).toMatch(/Ready/);
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('All changes saved');
  });

  it('publishes with a version note and lists the version', async () => {
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    // publishing asks whom to enroll, with the count of customers in the segment now
    await expect.poll(() => page.getByTestId('enroll-count').innerText()).toMatch(/\d+ customers? (is|are) in the segment now/);
    expect(await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await page.getByLabel(/Customers already in the segment too/).check();
    await page.getByLabel('What changed in this version?').fill('First version: email, wait 3 days, phone call');
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Published as version' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Versions' }).click();
    await expect.poll(() => page.getByRole('dialog').innerText()).toMatch(/v1[\s\S]*First version: email, wait 3 days, phone call/);
    await shot('11-published-versions');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  });

  it('test-runs the flow on a customer, reads why a step failed, fixes it and sees the whole path', async () => {
    const testRun = async () => {
      await page.getByRole('button', { name: /Test run/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Search customers…').fill('張大明');
      await dialog.getByRole('button', { name: /張大明/ }).first().click();
      const result = page.getByTestId('test-run-result');
      await result.waitFor({ timeout: 60_000 });
      return result;
    };
    // the imported customer has no owner: the phone task cannot be assigned, and the path says why
    let result = await testRun();
    let path = await result.locator('.path-list li').allInnerTexts();
    expect(path.length).toBe(4);
    expect(path[0]).toMatch(/Customer enters a segment/);
    expect(path[1]).toMatch(/Send message[\s\S]*Done/);
    expect(path[2]).toMatch(/Wait for a reply[\s\S]*No, time ran out/);
    expect(path[3]).toMatch(/Create task[\s\S]*Failed[\s\S]*has no owner/);
    expect(await result.locator('.action-line').first().innerText()).toMatch(/Send message · Email to daming@example\.com/);
    await shot('12-test-run-failed-step');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await expect.poll(() => page.locator('.node-card.step-failed').count()).toBe(1);

    // fix: the task goes to a named user
    await select('action.create_task@1');
    const panel = page.locator('.config-panel');
    await panel.getByLabel('Assign to').selectOption('user');
    await panel.getByLabel('User').selectOption({ label: 'Administrator' });
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('All changes saved');

    result = await testRun();
    path = await result.locator('.path-list li').allInnerTexts();
    expect(path.length).toBe(4);
    expect(path.join('\n')).not.toMatch(/Failed/);
    expect(path[3]).toMatch(/Create task[\s\S]*Done/);
    await shot('13-test-run-result');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await expect.poll(() => page.locator('.node-card.step-done').count()).toBe(4);
    await expect.poll(() => page.locator('.react-flow__edge.on-path').count()).toBe(3);
    await shot('14-test-run-path-on-canvas');
  });

  it('opens the runs view', async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByRole('form', { name: 'Run filters' }).waitFor();
    await expect.poll(async () => (await page.getByTestId('runs-table').count()) + (await page.getByText('No runs match').count())).toBe(1);
    await page.getByLabel('Include test runs').check();
    await page.getByTestId('runs-table').waitFor();
    await shot('15-runs');
    // the test run, opened on the read-only canvas with every step
    await page.getByTestId('runs-table').locator('tbody tr').first().click();
    const steps = page.getByTestId('run-steps');
    await steps.waitFor();
    await expect.poll(() => steps.locator('li').count()).toBeGreaterThanOrEqual(3);
    expect(await steps.innerText()).toMatch(/Send message/);
    await expect.poll(() => page.locator('.node-card[class*="step-"]').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.react-flow__node.draggable').count()).toBe(0);
    await shot('16-run-detail');
    await page.getByRole('link', { name: /Runs/ }).first().click();
    await page.getByRole('link', { name: new RegExp(flowName) }).click();
    await page.getByTestId('canvas').waitFor();
  });

  it('switches to 繁體中文 and the canvas is translated', async () => {
    await page.getByLabel('Language').selectOption('zh-TW');
    await expect.poll(() => page.getByRole('button', { name: '發布' }).count()).toBe(1);
    await expect.poll(() => nodeOf('action.send_message@1').locator('.node-title').innerText()).toBe('傳送訊息');
    expect(await nodeOf('control.wait_for_event@1').locator('.port-label').allInnerTexts()).toEqual(['是，及時', '否，已逾時']);
    expect(await page.locator('.palette-group h4').first().innerText()).toBe('觸發條件');
    expect(await page.getByRole('navigation', { name: '主選單' }).innerText()).toContain('客戶');
    await select('control.wait_for_event@1');
    expect(await page.locator('.config-panel').innerText()).toContain('最長等待');
    await shot('17-canvas-zh-TW');
    await page.getByLabel('語言').selectOption('en');
    expect(pageErrors).toEqual([]);
  });

  it('draws live counts of the customers waiting at each step once the segment sweep enrolls them', async () => {
    // the published flow enrolls the segment's customers at its next sweep (every minute)
    await page.getByLabel('Live counts').check();
    const waiting = nodeOf('control.wait_for_event@1').locator('.count-waiting');
    await expect.poll(() => waiting.count(), { timeout: 150_000, intervals: [2_000] }).toBe(1);
    expect(Number((await waiting.innerText()).replace(/\D/g, ''))).toBeGreaterThan(0);
    await shot('18-live-counts');
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByTestId('runs-table').waitFor();
    expect(await page.getByTestId('runs-table').innerText()).toMatch(/Waiting/);
    await shot('19-runs-live');

    // find the runs of one customer by name (a name only one customer has: demo data repeats some)
    const names = [...new Set(await page.getByTestId('runs-table').locator('tbody tr td:nth-child(1)').allInnerTexts())];
    const picker = page.getByRole('searchbox', { name: 'Customer' });
    let who = '';
    for (const name of names.slice(0, 15)) {
      await picker.fill(name);
      const options = page.getByRole('option', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:\\s|$)`) });
      await expect.poll(() => options.count()).toBeGreaterThan(0);
      if ((await options.count()) === 1) {
        await options.first().click();
        who = name;
        break;
      }
    }
    expect(who).not.toBe('');
    await expect.poll(async () => [...new Set(await page.getByTestId('runs-table').locator('tbody tr td:nth-child(1)').allInnerTexts())]).toEqual([who]);

    // runs that failed (customers without an e-mail address) alert the flow's owner
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await expect.poll(async () => {
      if (!(await panel.count())) await page.getByRole('button', { name: /^Notifications/ }).click();
      const n = await panel.locator('li').count();
      if (!n) await page.getByRole('button', { name: /^Notifications/ }).click();
      return n;
    }, { timeout: 60_000, intervals: [3_000] }).toBeGreaterThan(0);
    await shot('20-notifications');
  }, 240_000);

  it('shows contact fields masked to a viewer', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill('viewer@nudge.local');
    await page.getByLabel('Password').fill('nudge-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Customers' }).click();
    const table = page.getByTestId('customers-table');
    await table.waitFor();
    const phones = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(phones.filter((p) => /\d/.test(p)).length).toBeGreaterThan(0);
    expect(phones.filter((p) => /\d/.test(p)).every((p) => p.includes('*'))).toBe(true);
    await table.locator('tbody tr').first().click();
    await expect.poll(() => page.getByText('Some contact fields are masked for your role.').count()).toBe(1);
    await shot('21-viewer-masked');
    expect(await page.getByRole('button', { name: 'Add note' }).count()).toBe(0);

    // a viewer reads flows but cannot change them
    expect(await page.getByRole('link', { name: 'Import' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('link', { name: flowName }).click();
    await page.getByTestId('canvas').waitFor();
    await expect.poll(() => page.getByText('Read only').count()).toBe(1);
    expect(await page.locator('.palette').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Publish', exact: true }).count()).toBe(0);
    await shot('22-viewer-flow-read-only');
  });
});
