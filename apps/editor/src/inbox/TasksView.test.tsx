import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { groupTasks, type Task } from './tasks';
import { TasksView } from './TasksView';
import { useSession } from '../shell/session';

const base = { taskType: 'call', status: 'open' as const, doneAt: null, notes: null, flowId: 'f1', customer: { id: 'c1', fullName: '張大明' }, createdAt: '2026-12-01T00:00:00Z' };
const mk = (id: string, dueAt: string | null): Task => ({ ...base, id, title: `Call ${id}`, dueAt });

describe('groupTasks', () => {
  it('splits into overdue (before now), today (rest of the local day) and later (after today or no due date)', () => {
    const now = new Date(2026, 11, 1, 15, 0);
    const at = (d: number, h: number) => new Date(2026, 11, d, h, 0).toISOString();
    const g = groupTasks([mk('a', at(1, 9)), mk('b', at(1, 17)), mk('c', at(2, 9)), mk('d', null), mk('e', at(30 - 29, 23))], now);
    expect(g.overdue.map((x) => x.id)).toEqual(['a']);
    expect(g.today.map((x) => x.id)).toEqual(['b', 'e']);
    expect(g.later.map((x) => x.id)).toEqual(['c', 'd']);
  });
});

describe('My work screen', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
    useSession.setState({ user: { id: 'me', name: 'Mia Agent', email: 'mia@x', role: 'agent', teamId: null, rights: [] } });
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows my tasks by group and ticks one done with one click', async () => {
    const now = Date.now();
    let items = [mk('overdue', new Date(now - 3_600_000).toISOString()), mk('next-week', new Date(now + 7 * 86_400_000).toISOString())];
    const posted: string[] = [];
    vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
      const url = new URL(input, 'http://x');
      if (init.method === 'POST') {
        const id = url.pathname.split('/')[3]!;
        posted.push(id);
        const done = { ...items.find((x) => x.id === id)!, status: 'done', doneAt: new Date().toISOString() };
        items = items.filter((x) => x.id !== id);
        return new Response(JSON.stringify(done), { status: 200 });
      }
      return new Response(JSON.stringify({ items }), { status: 200 });
    });
    render(<TasksView />);
    const overdue = await screen.findByRole('region', { name: 'Overdue' });
    expect(within(overdue).getByText('Call overdue')).toBeTruthy();
    expect(within(overdue).getByText('Phone call')).toBeTruthy();
    expect(within(overdue).getByText('張大明')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Later' })).getByText('Call next-week')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Mark “Call overdue” done' }));
    await waitFor(() => expect(screen.queryByText('Call overdue')).toBeNull());
    expect(posted).toEqual(['overdue']);
    expect(screen.getAllByTestId('task')).toHaveLength(1);
  });
});
