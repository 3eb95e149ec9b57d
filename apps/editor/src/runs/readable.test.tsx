// Test-run results and run steps read as sentences in the UI language: a created task names its
// type, the customer and when it is due; a send its channel, recipient and subject; a wait how
// long and until when. No millisecond timestamps, no internal ids, no JSON.
import { cleanup, render, screen, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { FlowStoreContext } from '../flows/context';
import { createFlowStore } from '../flows/store';
import { describeAction, describeStep, formatWhen } from './readable';

const api = vi.hoisted(() => ({ testRun: vi.fn() }));
vi.mock('../flows/api', () => ({ flowsApi: api }));
const client = vi.hoisted(() => ({ get: vi.fn() }));
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), api: client }));
const { TestRunDialog } = await import('../flows/dialogs');

// Thu 3 Dec 2026, 14:00 local time
const due = new Date(2026, 11, 3, 14, 0).getTime();
const ctx = (lng: string) => ({ t: i18n.getFixedT(lng), lng, customerName: '王小明' });
const task = { action: 'create_task', nodeId: 'task', customerId: '7f0c2a56-1111-4222-8333-444455556666', assigneeId: '0b9e3a11-aaaa-4bbb-8ccc-ddddeeeeffff', title: 'Call 王小明', taskType: 'call', dueAt: due, notes: '' };
const email = { action: 'send_message', nodeId: 'email', channel: 'email', to: 'm***@example.com', subject: 'Still interested?', text: 'Hello 王小明' };

beforeEach(async () => {
  await i18n.changeLanguage('en');
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('readable run results', () => {
  it('a created task: type, customer, due day and time', () => {
    const now = new Date(2026, 10, 30);
    expect(formatWhen(due, 'en', now)).toMatch(/^Thu.*Dec.*3.*14:00$/);
    expect(formatWhen(due, 'en', now)).not.toMatch(/2026/);
    expect(formatWhen(due, 'en', new Date(2027, 0, 1))).toMatch(/2026/);
    const en = describeAction(task, ctx('en'));
    expect(en.headline).toMatch(/^Phone call task for 王小明, due Thu.* 3.*14:00$/);
    expect(en.detail).toBe('Call 王小明');
    const tw = describeAction(task, ctx('zh-TW')).headline;
    expect(tw).toMatch(/為 王小明 建立電話任務，到期 .*12月3日.*週四.*14:00/);
    expect(describeAction(task, ctx('zh-CN')).headline).toMatch(/为 王小明 创建电话任务，到期 .*12月3日.*周四.*14:00/);
    expect(describeAction(task, ctx('es')).headline).toMatch(/^Llamada para 王小明, vence el jue.* 3 .*dic.*14:00$/);
    for (const lng of ['en', 'zh-TW', 'zh-CN', 'es']) {
      const h = describeAction(task, ctx(lng)).headline;
      expect(h).not.toContain(String(due));
      expect(h).not.toContain(task.assigneeId);
      expect(h).not.toContain(task.customerId);
    }
  });

  it('an e-mail: channel, recipient as the server sent it (masked), subject; its text below', () => {
    expect(describeAction(email, ctx('en'))).toEqual({ headline: 'Email to m***@example.com: “Still interested?”', detail: 'Hello 王小明' });
    expect(describeAction(email, ctx('zh-TW')).headline).toBe('電子郵件寄給 m***@example.com：「Still interested?」');
  });

  it('a wait: how long and until when (from the output, or the next step of a test run)', () => {
    const until = new Date(2026, 11, 6, 9, 30).getTime();
    const wait = { status: 'done', output: { untilMs: until }, at: new Date(2026, 11, 3, 9, 30).toISOString() };
    expect(describeStep(wait, 'control.wait@1', { duration: { amount: 3, unit: 'days' } }, ctx('en'))).toMatch(/^Waits 3 days \(until Sun.* 6.*09:30\)$/);
    expect(describeStep(wait, 'control.wait@1', { duration: { amount: 3, unit: 'days' } }, ctx('zh-TW'))).toMatch(/^等待 3 天（至 .*12月6日.*09:30）$/);
    const skipped = { status: 'done', output: { skipped: 'test run' }, at: new Date(2026, 11, 3, 9, 30).toISOString() };
    expect(describeStep(skipped, 'control.wait_for_event@1', { timeout: { amount: 3, unit: 'days' } }, ctx('en'), new Date(until).toISOString())).toMatch(
      /^Waits up to 3 days for the event \(until Sun.*09:30\) · skipped in a test run$/,
    );
    // a wait still going: its start plus the length
    const going = { status: 'waiting', output: null, at: new Date(2026, 11, 3, 9, 30).toISOString() };
    expect(describeStep(going, 'control.wait@1', { duration: { amount: 3, unit: 'days' } }, ctx('en'))).toMatch(/^Waits 3 days \(until Sun.* 6.*09:30\)$/);
    expect(describeStep({ status: 'done' }, 'action.add_tag@1', {}, ctx('en'))).toBeNull();
  });

  it('the test-run dialog shows sentences, not JSON', async () => {
    client.get.mockResolvedValue({ items: [{ id: 'c1', fullName: '王小明', email: 'm***@example.com' }] });
    api.testRun.mockResolvedValue({
      outcome: 'completed',
      runId: null,
      path: [
        { nodeId: 'email', status: 'done', port: 'next', at: new Date(2026, 11, 1, 14, 0).toISOString() },
        { nodeId: 'wait', status: 'done', port: 'next', at: new Date(2026, 11, 1, 14, 0).toISOString(), output: { skipped: 'test run' } },
        { nodeId: 'task', status: 'done', port: 'next', at: new Date(2026, 11, 4, 14, 0).toISOString(), output: { taskId: 'test-task-1', dueAt: due } },
      ],
      actions: [email, task],
    });
    const store = createFlowStore();
    store.getState().load({
      nodes: [
        { id: 'email', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: { channel: 'email', subject: 'Still interested?' } } },
        { id: 'wait', position: { x: 0, y: 100 }, data: { nodeType: 'control.wait@1', config: { duration: { amount: 3, unit: 'days' } } } },
        { id: 'task', position: { x: 0, y: 200 }, data: { nodeType: 'action.create_task@1', config: { taskType: 'call', title: 'Call {name}' } } },
      ],
      edges: [],
    } as never);
    render(
      <FlowStoreContext.Provider value={store}>
        <TestRunDialog flowId="f1" beforeRun={() => Promise.resolve()} onClose={() => undefined} onResult={() => undefined} />
      </FlowStoreContext.Provider>,
    );
    (await screen.findByRole('button', { name: /王小明/ })).click();
    const result = await screen.findByTestId('test-run-result');
    const lines = within(result).getAllByTestId('action-line').map((l) => l.textContent);
    expect(lines[0]).toMatch(/Email to m\*\*\*@example\.com: “Still interested\?”/);
    expect(lines[1]).toMatch(/Phone call task for 王小明, due Thu.*14:00/);
    expect(result.textContent).toMatch(/Waits 3 days \(until Fri.*14:00\) · skipped in a test run/);
    expect(result.textContent).not.toMatch(/[{}]|"dueAt"|\d{13}|0b9e3a11/);
  });
});
