// The inbox screen against a fake /api: the list, a thread with ticks and a note, the 24-hour
// window notice and the server's 422 shown as it says, and polling that brings new messages in.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { customerAnswer } from '@nudge/contracts/testing';
import '../i18n';
import { useSession } from '../shell/session';
import { InboxScreen } from './InboxView';

const hour = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

function conv(over: Record<string, unknown> = {}) {
  return {
    id: '11111111-1111-4111-8111-111111111111', channel: 'whatsapp', status: 'open', priority: 'P1', assigneeId: null, teamId: null, language: 'en', needsHuman: true,
    unreadCount: 2, firstResponseDueAt: iso(2 * hour + 5 * 60_000 + 30_000), nextResponseDueAt: null, slaBreachedAt: null, lastCustomerMessageAt: iso(-60_000),
    lastMessageAt: iso(-60_000), windowEndsAt: iso(23 * hour), snoozedUntil: null, resolvedAt: null,
    customer: { id: '22222222-2222-4222-8222-222222222222', fullName: 'Ana García', phone: '+34 6** *** *78', email: null, whatsappId: '3461****678' },
    ...over,
  };
}
const msg = (id: string, direction: string, body: string, status: string, over: Record<string, unknown> = {}) => ({
  id, direction, body, template: null, attachments: [], status, error: null, origin: direction === 'in' ? null : 'agent', authorId: null, mentions: [], createdAt: iso(-30_000), ...over,
});

type Handler = (url: URL, init: RequestInit) => { status: number; body: unknown } | undefined;
function fakeApi(handler: Handler) {
  const calls: { method: string; path: string; query: URLSearchParams; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://x');
    calls.push({ method: init.method ?? 'GET', path: url.pathname, query: url.searchParams, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const r = handler(url, init) ?? (url.pathname === '/api/customers/22222222-2222-4222-8222-222222222222'
      ? { status: 200, body: customerAnswer({ id: '22222222-2222-4222-8222-222222222222', fullName: 'Ana García', ownerId: 'u-owner', tags: [{ id: 't-vip', name: 'vip', color: '#888888', expiresAt: null }] }) }
      : url.pathname === '/api/users/directory' ? { status: 200, body: { items: [{ id: 'u-owner', name: 'Olivia Owner' }] } }
      : url.pathname.startsWith('/api/') ? { status: 200, body: { items: [] } } : { status: 404, body: {} });
    return new Response(JSON.stringify(r.body), { status: r.status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

beforeAll(async () => {
  await i18n.changeLanguage('en');
  useSession.setState({ user: { id: 'me', name: 'Mia Agent', email: 'mia@x', role: 'agent', teamId: null, rights: [] } });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  location.hash = '';
});

describe('inbox screen', () => {
  it('lists conversations with priority, status, channel, unread count and an SLA countdown, and passes the view and filters to the API', async () => {
    const calls = fakeApi((url) => (url.pathname === '/api/conversations' ? { status: 200, body: { items: [conv()], nextCursor: null } } : undefined));
    location.hash = '#/inbox?view=unassigned';
    render(<InboxScreen />);
    const item = await screen.findByTestId('conversation');
    expect(item.textContent).toContain('Ana García');
    expect(item.textContent).toContain('P1');
    expect(item.textContent).toContain('Open');
    expect(item.textContent).toContain('WhatsApp');
    expect(within(item).getByLabelText('2 unread')).toBeTruthy();
    expect(within(item).getByTestId('sla').textContent).toMatch(/^2 h [45] min left$/);
    const first = calls.find((c) => c.path === '/api/conversations')!;
    expect(first).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'P1' } });
    await waitFor(() => expect(calls.filter((c) => c.path === '/api/conversations').map((c) => c.query).some((q) => q.get('view') === 'unassigned' && q.get('priority') === 'P1' && q.get('status') === 'open,pending')).toBe(true));
  });

  it('shows the capped counts, sorts by reply deadline, and pages on with the cursor (a repeated conversation once)', async () => {
    const second = conv({ id: '33333333-3333-4333-8333-333333333333', customer: { ...conv().customer, fullName: 'Bo Chen' } });
    const calls = fakeApi((url) => {
      if (url.pathname !== '/api/conversations') return undefined;
      if (url.searchParams.get('cursor') === 'c1') return { status: 200, body: { items: [conv(), second], nextCursor: null } };
      return { status: 200, body: { items: [conv()], nextCursor: 'c1', counts: { total: 1000, unread: 12, capped: true } } };
    });
    location.hash = '#/inbox?view=all';
    render(<InboxScreen />);
    expect((await screen.findByTestId('inbox-counts')).textContent).toBe('1000+ conversations · 12 unread');
    fireEvent.change(screen.getByLabelText('Sort'), { target: { value: 'sla_due' } });
    await waitFor(() => expect(calls.some((c) => c.path === '/api/conversations' && c.query.get('sort') === 'sla_due')).toBe(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(screen.getAllByTestId('conversation')).toHaveLength(2));
    const paged = calls.find((c) => c.query.get('cursor') === 'c1')!;
    expect(paged.query.get('sort')).toBe('sla_due');
    expect(screen.getAllByTestId('conversation').map((b) => b.textContent)).toEqual([expect.stringContaining('Ana García'), expect.stringContaining('Bo Chen')]);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });

  it('shows the thread with delivery ticks, notes apart, and the customer with the masked contact and owner', async () => {
    fakeApi((url) => {
      if (url.pathname === '/api/conversations') return { status: 200, body: { items: [conv()], nextCursor: null } };
      if (url.pathname.startsWith('/api/conversations/')) return { status: 200, body: { ...conv(), messages: [
        msg('m1', 'in', 'What is the price?', 'received'),
        msg('m2', 'out', 'Our prices start at 100.', 'read', { origin: 'auto_reply' }),
        msg('m3', 'out', 'Hi Ana, Mia here.', 'delivered', { authorId: 'me' }),
        msg('m4', 'out', 'Second try', 'failed', { error: 'Message undeliverable' }),
        msg('m5', 'note', 'VIP, be quick', 'received', { authorId: 'me' }),
      ] } };
      return undefined;
    });
    location.hash = '#/inbox?view=all&c=11111111-1111-4111-8111-111111111111';
    render(<InboxScreen />);
    await screen.findByText('What is the price?');
    const out = screen.getAllByTestId('msg-out');
    expect(out.map((m) => m.querySelector('.tick')?.getAttribute('data-status'))).toEqual(['read', 'delivered', 'failed']);
    expect(out[0]!.textContent).toContain('Auto-reply');
    expect(out[1]!.textContent).toContain('Mia Agent');
    expect(out[2]!.textContent).toContain('Message undeliverable');
    expect(screen.getByTestId('msg-in').querySelector('.tick')).toBeNull();
    const note = screen.getByTestId('msg-note');
    expect(note.className).toContain('msg-note');
    expect(note.textContent).toContain('Internal note');
    const side = screen.getByRole('complementary', { name: 'Customer' });
    expect(side.textContent).toContain('+34 6** *** *78');
    await waitFor(() => expect(side.textContent).toContain('Olivia Owner'));
    expect(side.textContent).toContain('vip');
    expect(screen.queryByTestId('window-closed')).toBeNull();
  });

  it('outside the 24-hour window says a template is required, shows the server’s 422 as it says, and sends a template', async () => {
    const closedAt = iso(-2 * hour);
    const calls = fakeApi((url, init) => {
      if (url.pathname === '/api/conversations') return { status: 200, body: { items: [conv({ windowEndsAt: closedAt })], nextCursor: null } };
      if (url.pathname.endsWith('/reply')) {
        const body = JSON.parse(String(init.body));
        if (body.text) return { status: 422, body: { error: { code: 'window_closed', message: `WhatsApp's 24-hour window for this customer closed at ${closedAt}: free text cannot be sent.`, details: [] } } };
        return { status: 202, body: { id: 'm9', status: 'queued' } };
      }
      if (url.pathname.startsWith('/api/conversations/')) return { status: 200, body: { ...conv({ windowEndsAt: closedAt }), messages: [msg('m1', 'in', 'hello?', 'received')] } };
      return undefined;
    });
    location.hash = '#/inbox?view=all&c=11111111-1111-4111-8111-111111111111';
    render(<InboxScreen />);
    const notice = await screen.findByTestId('window-closed');
    expect(notice.textContent).toContain('A template is required.');
    fireEvent.change(screen.getByLabelText('Write a reply… (Ctrl+Enter sends)'), { target: { value: 'free text' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const err = await screen.findByTestId('window-closed-error');
    expect(err.textContent).toContain('the 24-hour window is closed');
    expect(err.textContent).toContain(`closed at ${closedAt}`);
    fireEvent.change(screen.getByLabelText('Template name'), { target: { value: 'follow_up' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send template' }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/reply') && (c.body as { template?: { name?: string } } | undefined)?.template?.name === 'follow_up')).toBe(true));
    expect(calls.find((c) => (c.body as { template?: unknown } | undefined)?.template)!.body).toEqual({ template: { name: 'follow_up', language: 'en', parameters: [] } });
  });

  it('adds a note (not a reply) in note mode with the @mentioned user, and takes the conversation', async () => {
    const calls = fakeApi((url) => {
      if (url.pathname === '/api/conversations') return { status: 200, body: { items: [conv()], nextCursor: null } };
      if (url.pathname.endsWith('/notes')) return { status: 201, body: {} };
      if (url.pathname.endsWith('/assign')) return { status: 200, body: {} };
      if (url.pathname.startsWith('/api/conversations/')) return { status: 200, body: { ...conv(), messages: [] } };
      return undefined;
    });
    location.hash = '#/inbox?view=all&c=11111111-1111-4111-8111-111111111111';
    render(<InboxScreen />);
    fireEvent.click(await screen.findByRole('tab', { name: 'Internal note' }));
    fireEvent.change(screen.getByLabelText('Write a note for colleagues… (@name notifies them)'), { target: { value: '@Olivia Owner call her back' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    fireEvent.click(screen.getByRole('button', { name: 'Take' }));
    await waitFor(() => expect(calls.find((c) => c.path.endsWith('/notes'))?.body).toEqual({ text: '@Olivia Owner call her back', mentions: ['u-owner'] }));
    await waitFor(() => expect(calls.find((c) => c.path.endsWith('/assign'))?.body).toEqual({ assigneeId: 'me' }));
    expect(calls.some((c) => c.path.endsWith('/reply'))).toBe(false);
  });

  it('polls: a message that arrives later appears without reloading', async () => {
    let messages = [msg('m1', 'in', 'first', 'received')];
    fakeApi((url) => {
      if (url.pathname === '/api/conversations') return { status: 200, body: { items: [conv()], nextCursor: null } };
      if (url.pathname.startsWith('/api/conversations/')) return { status: 200, body: { ...conv(), messages } };
      return undefined;
    });
    location.hash = '#/inbox?view=all&c=11111111-1111-4111-8111-111111111111';
    render(<InboxScreen />);
    await screen.findByText('first');
    messages = [...messages, msg('m2', 'in', 'a later message', 'received')];
    await screen.findByText('a later message', undefined, { timeout: 10_000 });
  });

  it('live: an event on the stream reloads the conversation at once (polling set to 10 minutes)', async () => {
    localStorage.setItem('nudge.inbox.pollMs', '600000');
    let messages = [msg('m1', 'in', 'first', 'received')];
    let push: (text: string) => void = () => {};
    fakeApi((url) => {
      if (url.pathname === '/api/conversations') return { status: 200, body: { items: [conv()], nextCursor: null } };
      if (url.pathname.startsWith('/api/conversations/')) return { status: 200, body: { ...conv(), messages } };
      return undefined;
    });
    const fake = globalThis.fetch;
    const streams: string[] = [];
    vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
      if (!String(input).startsWith('/api/inbox/events')) return fake(input, init);
      streams.push(new Headers(init.headers).get('accept') ?? '');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const enc = new TextEncoder();
          push = (text) => controller.enqueue(enc.encode(text));
          push('retry: 3000\nevent: ready\ndata: {"type":"ready","userId":"me"}\n\n');
          init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    });
    try {
      location.hash = '#/inbox?view=all&c=11111111-1111-4111-8111-111111111111';
      render(<InboxScreen />);
      await screen.findByText('first');
      await waitFor(() => expect(screen.getByTestId('live').dataset.live).toBe('on'));
      expect(streams).toEqual(['text/event-stream']); // one stream shared by the list and the conversation
      messages = [...messages, msg('m2', 'in', 'arrived live', 'received')];
      push(': ping\n\nevent: message\ndata: {"type":"message","conversationId":"11111111-1111-4111-8111-111111111111","messageId":"m2","direction":"in"}\n\n');
      await screen.findByText('arrived live', undefined, { timeout: 1000 });
    } finally {
      localStorage.removeItem('nudge.inbox.pollMs');
    }
  });
});

