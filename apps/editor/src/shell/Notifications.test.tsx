// The notifications popover closes on Escape (focus back on the bell), on a press outside it and
// on navigation; a press inside it keeps it open.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';

const client = vi.hoisted(() => ({ get: vi.fn(), post: vi.fn() }));
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), api: client }));
const { Notifications } = await import('./Notifications');
let inbox: unknown[] = [];

beforeEach(async () => {
  await i18n.changeLanguage('en');
  const runs = { items: [{ id: 'n1', event: 'run.failed', title: 'A run failed', body: null, runId: 'r1', read: false, createdAt: new Date().toISOString() }], unread: 1 };
  client.get.mockImplementation(async (path: string) => (path === '/inbox/notifications' ? inbox : runs));
  client.post.mockResolvedValue({ updated: 1 });
  inbox = [];
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

async function openPanel() {
  const bell = await screen.findByRole('button', { name: /Notifications, 1 unread/ });
  fireEvent.click(bell);
  await screen.findByRole('dialog', { name: 'Notifications' });
  return bell;
}

describe('notifications popover', () => {
  it('closes on Escape and gives focus back to the bell', async () => {
    render(<Notifications />);
    const bell = await openPanel();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(bell);
    expect(bell.getAttribute('aria-expanded')).toBe('false');
  });

  it('closes on a press outside, stays open on a press inside', async () => {
    render(
      <div>
        <Notifications />
        <button type="button">Publish</button>
      </div>,
    );
    await openPanel();
    fireEvent.pointerDown(screen.getByText('A run failed'));
    expect(screen.getByRole('dialog')).toBeTruthy();
    fireEvent.pointerDown(screen.getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('closes when the page changes', async () => {
    render(<Notifications />);
    await openPanel();
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});

describe('inbox notifications in the bell', () => {
  const conversationId = '6f1c0c1e-8a43-4d5e-9d0b-2f1a8c7e5b11';
  it('shows a mention worded in the user’s language, counts it unread, opens its conversation, and marks both lists read', async () => {
    await i18n.changeLanguage('zh-TW');
    inbox = [
      { id: 'a1b2c3d4-0000-4000-8000-000000000001', kind: 'mention', conversationId, body: '王經理: @林雅婷 please call back', readAt: null, createdAt: new Date().toISOString() },
      { id: 'a1b2c3d4-0000-4000-8000-000000000002', kind: 'sla_breach', conversationId, body: 'P1 overdue', readAt: new Date().toISOString(), createdAt: new Date().toISOString() },
    ];
    render(<Notifications />);
    const bell = await screen.findByRole('button', { name: /2/ });
    expect(bell.textContent).toContain('2');
    fireEvent.click(bell);
    const mention = await screen.findByText('有人提到你');
    expect(mention.closest('a')!.getAttribute('href')).toBe(`#/inbox?c=${conversationId}`);
    expect(screen.getByText('已超過回覆期限')).toBeTruthy();
    expect(screen.getByText('王經理: @林雅婷 please call back')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '全部標為已讀' }));
    await waitFor(() => expect(client.post).toHaveBeenCalledWith('/inbox/notifications/read', expect.anything(), { all: true }));
    expect(client.post).toHaveBeenCalledWith('/notifications/read', expect.anything(), { all: true });
  });
});
