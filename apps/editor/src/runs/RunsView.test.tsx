// The runs view refreshes by itself, leads with the customer and the status, and says that test
// runs are hidden and how to show them.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';

const api = vi.hoisted(() => ({ get: vi.fn(), runs: vi.fn() }));
vi.mock('../flows/api', () => ({ flowsApi: api }));
const { RunsView } = await import('./RunsView');

const run = { id: 'a1b2c3d4-0000-4000-8000-000000000001', customerId: 'c1', customerName: '王小明', status: 'waiting', version: 1, isTest: false, startedAt: new Date().toISOString(), finishedAt: null };

beforeEach(async () => {
  await i18n.changeLanguage('en');
  api.get.mockResolvedValue({ id: 'f1', name: 'Follow-up', status: 'active', graph: { nodes: [], edges: [] } });
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('runs view', () => {
  it('shows a run that starts after the page opened, without a refresh, customer first', async () => {
    api.runs.mockResolvedValueOnce({ items: [], total: 0 }).mockResolvedValue({ items: [run], total: 1 });
    render(<RunsView flowId="f1" />);
    expect(await screen.findByText('No runs match')).toBeTruthy();
    const table = await screen.findByTestId('runs-table', {}, { timeout: 10_000 });
    const first = within(table).getAllByRole('row')[1]!.querySelectorAll('td');
    expect(first[0]!.textContent).toBe('王小明');
    expect(first[1]!.textContent).toMatch(/Waiting/);
    expect(table.textContent).not.toContain('a1b2c3d4');
  }, 20_000);

  it('says test runs are hidden and how to show them', async () => {
    api.runs.mockResolvedValue({ items: [], total: 0 });
    render(<RunsView flowId="f1" />);
    expect((await screen.findByTestId('tests-hidden')).textContent).toMatch(/Test runs are hidden.*Include test runs/);
    fireEvent.click(screen.getByLabelText('Include test runs'));
    await waitFor(() => expect(screen.queryByTestId('tests-hidden')).toBeNull());
    await waitFor(() => expect(api.runs).toHaveBeenLastCalledWith('f1', expect.objectContaining({ test: 'all' }), expect.anything()));
  });
});
