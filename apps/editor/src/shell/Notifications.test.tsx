// The notifications popover closes on Escape (focus back on the bell), on a press outside it and
// on navigation; a press inside it keeps it open.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';

const client = vi.hoisted(() => ({ get: vi.fn(), post: vi.fn() }));
vi.mock('../api/client', async (orig) => ({ ...(await orig<object>()), api: client }));
const { Notifications } = await import('./Notifications');

beforeEach(async () => {
  await i18n.changeLanguage('en');
  client.get.mockResolvedValue({ items: [{ id: 'n1', event: 'run.failed', title: 'A run failed', body: null, runId: 'r1', read: false, createdAt: new Date().toISOString() }], unread: 1 });
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
