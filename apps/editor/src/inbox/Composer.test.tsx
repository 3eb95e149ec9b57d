// The composer's quick replies and template picker against a fake /api: `/pri` offers the
// matching quick replies (the conversation's language first), arrows + Enter insert the text
// with {name} / {agent} filled; a click works too; outside the 24-hour window the approved
// WhatsApp templates are offered and sent by id with their parameter.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { useSession } from '../shell/session';
import { Composer } from './Composer';
import type { ConversationDetail } from './api';
import { insertQuickReply, matchQuickReplies, slashQuery } from './quick';

const hour = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const CID = '11111111-1111-4111-8111-111111111111';
const conv = (over: Partial<ConversationDetail> = {}): ConversationDetail => ({
  id: CID, channel: 'whatsapp', status: 'open', priority: 'P2', assigneeId: 'me', teamId: null, language: 'zh-Hant', needsHuman: true, unreadCount: 0,
  firstResponseDueAt: null, nextResponseDueAt: null, slaBreachedAt: null, lastCustomerMessageAt: iso(-hour), lastMessageAt: iso(-hour), windowEndsAt: iso(20 * hour),
  snoozedUntil: null, resolvedAt: null, customer: { id: 'c1', fullName: '林雅婷', phone: null, email: null, whatsappId: null }, messages: [], ...over,
});
const at = '2026-12-01T00:00:00.000Z';
const qr = (id: string, code: string, language: string, text: string, teamId: string | null = null) => ({ id, code, language, text, teamId, createdAt: at, updatedAt: at });
const QUICK = [
  qr('q1', 'price', 'en', 'Hi {name}, prices start at 3,500 TWD.'),
  qr('q2', 'price', 'zh-Hant', '{name} 您好，價格從 3,500 台幣起。— {agent}'),
  qr('q3', 'shipping', 'zh-Hant', '本島運費 80 台幣。'),
  qr('q4', 'private', 'en', 'Team only', 'other-team'),
];
const TEMPLATES = [
  { id: 't1', name: 'appointment_reminder', channel: 'whatsapp', language: 'zh-Hant', subject: null, body: '{name} 您好，提醒您 {{1}} 的預約。', category: 'utility', status: 'approved', rejectedReason: null, createdAt: at, updatedAt: at },
  { id: 't2', name: 'follow_up', channel: 'whatsapp', language: 'en', subject: null, body: 'Hi {name}, still interested?', category: 'utility', status: 'approved', rejectedReason: null, createdAt: at, updatedAt: at },
];

function fakeApi() {
  const calls: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://x');
    calls.push({ method: init.method ?? 'GET', path: url.pathname, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const body = url.pathname === '/api/quick-replies' ? QUICK : url.pathname === '/api/message-templates' ? TEMPLATES : url.pathname.endsWith('/reply') ? { id: 'm1', status: 'queued' } : { items: [] };
    return new Response(JSON.stringify(body), { status: url.pathname.endsWith('/reply') ? 202 : 200, headers: { 'content-type': 'application/json' } });
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
});

const box = () => screen.getByLabelText('Write a reply… (Ctrl+Enter sends)') as HTMLTextAreaElement;
const type = (value: string) => fireEvent.change(box(), { target: { value, selectionStart: value.length } });

describe('quick replies in the composer', () => {
  it('`/pri` offers /price in the conversation’s language first; ArrowDown + Enter inserts the other one with variables filled; Send posts it', async () => {
    const calls = fakeApi();
    const onSent = vi.fn();
    render(<Composer c={conv()} onSent={onSent} />);
    await waitFor(() => expect(calls.some((c) => c.path === '/api/quick-replies')).toBe(true));
    type('Hello /pri');
    const list = await screen.findByTestId('quick-replies');
    const options = within(list).getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([expect.stringContaining('林雅婷 您好，價格從 3,500 台幣起。— Mia Agent'), expect.stringContaining('Hi 林雅婷, prices start')]);
    expect(options[0]!.getAttribute('aria-selected')).toBe('true');
    expect(list.textContent).not.toContain('Team only'); // another team's quick reply
    fireEvent.keyDown(box(), { key: 'ArrowDown' });
    expect(within(list).getAllByRole('option')[1]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(box().value).toBe('Hello Hi 林雅婷, prices start at 3,500 TWD.');
    expect(screen.queryByTestId('quick-replies')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onSent).toHaveBeenCalled());
    expect(calls.find((c) => c.path.endsWith('/reply'))!.body).toEqual({ text: 'Hello Hi 林雅婷, prices start at 3,500 TWD.' });
  });

  it('a click picks a quick reply; Escape closes the list; no match, no list', async () => {
    fakeApi();
    render(<Composer c={conv()} onSent={() => {}} />);
    type('/ship');
    fireEvent.click(await screen.findByRole('option', { name: /\/shipping/ }));
    expect(box().value).toBe('本島運費 80 台幣。');
    type('/pr');
    await screen.findByTestId('quick-replies');
    fireEvent.keyDown(box(), { key: 'Escape' });
    expect(screen.queryByTestId('quick-replies')).toBeNull();
    type('/nothing');
    expect(screen.queryByTestId('quick-replies')).toBeNull();
    type('a/price'); // not at a word start
    expect(screen.queryByTestId('quick-replies')).toBeNull();
  });

  it('outside the 24-hour window offers the approved WhatsApp templates (its language first) and sends one by id with its parameter', async () => {
    const calls = fakeApi();
    render(<Composer c={conv({ windowEndsAt: iso(-2 * hour) })} onSent={() => {}} />);
    expect((await screen.findByTestId('window-closed')).textContent).toContain('A template is required.');
    const picker = await screen.findByTestId('template-picker');
    const select = within(picker).getByLabelText('Approved WhatsApp template') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['appointment_reminder · Chinese (Traditional) · Utility', 'follow_up · English · Utility']);
    fireEvent.change(within(picker).getByLabelText('Value for {{1}}'), { target: { value: '12/3 15:00' } });
    expect(within(picker).getByTestId('template-preview').textContent).toBe('林雅婷 您好，提醒您 12/3 15:00 的預約。');
    fireEvent.click(within(picker).getByRole('button', { name: 'Send template' }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/reply'))).toBe(true));
    expect(calls.find((c) => c.path.endsWith('/reply'))!.body).toEqual({ templateId: 't1', parameters: ['12/3 15:00'] });
  });
});

describe('quick reply logic', () => {
  it('finds the /code before the caret and replaces it', () => {
    expect(slashQuery('hi /Pri', 7)).toEqual({ start: 3, query: 'pri' });
    expect(slashQuery('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQuery('a/b', 3)).toBeNull();
    expect(slashQuery('hi /price now', 13)).toBeNull();
    expect(insertQuickReply('hi /pri!', { start: 3, query: 'pri' }, 'X')).toEqual({ text: 'hi X!', caret: 4 });
    expect(matchQuickReplies(QUICK, 'ice', 'en', null).map((r) => r.id)).toEqual(['q1', 'q2']);
  });
});
