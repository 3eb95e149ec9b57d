// A running run shows its steps so far and where it is now — also before the runtime has written
// a row for the current step — and moves on by itself while it is open.
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { testManifestNodes } from '../flows/testManifest';

const api = vi.hoisted(() => ({ run: vi.fn(), version: vi.fn(), get: vi.fn(), cancelRun: vi.fn(), retryStep: vi.fn() }));
vi.mock('../flows/api', () => ({ flowsApi: api, loadManifest: () => Promise.resolve({ version: 1, categories: [], nodes: testManifestNodes }) }));
const { RunDetailView } = await import('./RunDetailView');

const graph = {
  nodes: [
    { id: 'trigger', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.segment_entry@1', config: { segmentId: 's' } } },
    { id: 'email', position: { x: 0, y: 150 }, data: { nodeType: 'action.send_message@1', config: { channel: 'email', subject: 'Still interested?', body: 'Hi' } } },
    { id: 'wait', position: { x: 0, y: 300 }, data: { nodeType: 'control.wait_for_event@1', config: { timeout: { amount: 3, unit: 'days' } } } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'email' },
    { id: 'e2', source: 'email', sourceHandle: 'next', target: 'wait' },
  ],
};
const started = new Date(2026, 11, 1, 14, 0).toISOString();
const base = { id: 'r1', flowId: 'f1', version: 1, customerId: 'c1', customerName: '王小明', isTest: false, startedAt: started, finishedAt: null, graph };
const emailDone = { id: 's1', nodeId: 'email', nodeType: 'action.send_message@1', status: 'done', port: 'next', attempt: 1, startedAt: started, finishedAt: started, output: { channel: 'email', providerMessageId: 'smtp-1' } };
const waiting = { id: 's2', nodeId: 'wait', nodeType: 'control.wait_for_event@1', status: 'waiting', port: null, attempt: 1, startedAt: started, finishedAt: null, output: null };

beforeEach(async () => {
  await i18n.changeLanguage('en');
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('run detail while the run is going', () => {
  it('shows where a just-started run is, then its steps as they happen, without a reload', async () => {
    api.run
      .mockResolvedValueOnce({ ...base, status: 'running', currentNodeId: 'email', steps: [] })
      .mockResolvedValue({ ...base, status: 'waiting', currentNodeId: 'wait', steps: [emailDone, waiting] });
    render(<RunDetailView runId="r1" />);
    const steps = await screen.findByTestId('run-steps');
    // the header leads with the customer, the run id is in its tooltip
    const heading = screen.getByRole('heading', { level: 2 });
    expect(heading.textContent).toBe('王小明');
    expect(heading.getAttribute('title')).toBe('Run r1');
    // nothing written yet: the panel still says where the run is
    await waitFor(() => expect(within(steps).getByTestId('run-now').textContent).toMatch(/Send message[\s\S]*Running[\s\S]*Now here/));
    // the next poll brings the steps so far, as sentences
    await waitFor(() => expect(within(screen.getByTestId('run-steps')).getAllByRole('listitem')).toHaveLength(2), { timeout: 10_000 });
    const items = within(screen.getByTestId('run-steps')).getAllByRole('listitem').map((li) => li.textContent);
    expect(items[0]).toMatch(/Send message[\s\S]*Done[\s\S]*Email sent: “Still interested\?”/);
    expect(items[1]).toMatch(/Wait for reply[\s\S]*Waiting/);
    expect(screen.queryByTestId('run-now')).toBeNull();
  }, 20_000);
});
