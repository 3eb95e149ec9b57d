// The invitation link's screen, through the real API client against a faked server: it speaks the
// invitation's language, says the password rule's refusal at the field, signs in and opens the
// app; an expired, used or replaced link is said plainly in the reader's language.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from 'i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { useSession } from './session';
import { AcceptInviteScreen } from './AcceptInviteScreen';

type Answer = { status: number; body: unknown };
let answers: Record<string, (body: Record<string, unknown>) => Answer>;
const calls: { path: string; body: Record<string, unknown> }[] = [];

beforeEach(async () => {
  await i18n.changeLanguage('en');
  localStorage.clear();
  useSession.setState({ user: null, firstPassword: null });
  location.hash = '#/invite/tok-123456789';
  calls.length = 0;
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const path = String(url).replace(/^\/api/, '');
    const body = init.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    calls.push({ path, body });
    const a = answers[path]?.(body) ?? { status: 404, body: { error: { code: 'not_found', message: 'no route' } } };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const linkRefused = (code: string, status = 410) => () => ({ status, body: { error: { code, message: `server says ${code}` } } });

describe('accept an invitation', () => {
  it('in the invitation\'s language: the rule said at the field, then signed in and the app opens', async () => {
    answers = {
      '/auth/invite/check': () => ({ status: 200, body: { name: 'Inés Ruiz', email: 'in***@example.com', language: 'es', expiresAt: '2026-12-08T10:00:00.000Z' } }),
      '/auth/invite/accept': (b) =>
        b.password === 'short'
          ? { status: 400, body: { error: { code: 'weak_password', message: 'body.password: is too short', details: [{ path: 'body.password', code: 'weak_password', reason: 'too_short' }] } } }
          : {
              status: 200,
              body: { token: 'session-token', expiresAt: '2026-12-08T10:00:00.000Z', passwordChangeRequired: false, user: { id: '5b0c2f1e-3c1a-4d7e-9a51-0d7a2b3c4d5e', email: 'ines@example.com', name: 'Inés Ruiz', role: 'agent', teamId: null, rights: [], mustChangePassword: false } },
            },
    };
    render(<AcceptInviteScreen token="tok-123456789" />);
    expect(await screen.findByRole('heading', { name: 'Únete a Nudge' })).toBeTruthy();
    expect(screen.getByText('Hola, Inés Ruiz (in***@example.com). Elige tu contraseña para iniciar sesión.')).toBeTruthy();
    expect(calls[0]).toEqual({ path: '/auth/invite/check', body: { token: 'tok-123456789' } });

    const pw = screen.getByLabelText('Contraseña nueva');
    const again = screen.getByLabelText('Repite la contraseña nueva');
    fireEvent.change(pw, { target: { value: 'short' } });
    fireEvent.change(again, { target: { value: 'shorter' } });
    fireEvent.click(screen.getByRole('button', { name: 'Guardar mi contraseña y entrar' }));
    expect((await screen.findByRole('alert')).textContent).toBe(i18n.t('password.mismatch'));
    expect(calls.filter((c) => c.path === '/auth/invite/accept')).toHaveLength(0);

    fireEvent.change(again, { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Guardar mi contraseña y entrar' }));
    expect((await screen.findByRole('alert')).textContent).toBe(i18n.t('settings.errors.password.too_short', { min: 8 }));
    expect(useSession.getState().user).toBeNull();

    fireEvent.change(pw, { target: { value: 'my-own-secret-77' } });
    fireEvent.change(again, { target: { value: 'my-own-secret-77' } });
    fireEvent.click(screen.getByRole('button', { name: 'Guardar mi contraseña y entrar' }));
    await waitFor(() => expect(useSession.getState().user?.email).toBe('ines@example.com'));
    expect(calls.at(-1)).toEqual({ path: '/auth/invite/accept', body: { token: 'tok-123456789', password: 'my-own-secret-77' } });
    expect(localStorage.getItem('nudge.token')).toBe('session-token');
    expect(useSession.getState().user?.mustChangePassword).toBe(false);
    expect(location.hash).toBe('#/inbox');
  });

  it.each([
    ['zh-TW', 'invite_expired', '此邀請連結已過期：連結 7 天內有效。請聯絡管理員重新寄送邀請。'],
    ['en', 'invite_used', 'This invitation link was already used. Sign in with the password you chose then.'],
    ['es', 'invite_replaced', 'Se te envió una invitación más reciente: usa el enlace del último correo.'],
    ['zh-CN', 'invite_unknown', '此邀请链接无效。请确认打开的是邮件中的完整链接，或请求新的邀请。'],
  ])('a link refused as %s/%s is said plainly, with the way to sign in', async (lng, code, text) => {
    await i18n.changeLanguage(lng);
    answers = { '/auth/invite/check': linkRefused(code, code === 'invite_unknown' ? 404 : 410) };
    render(<AcceptInviteScreen token="tok-123456789" />);
    expect((await screen.findByRole('alert')).textContent).toBe(text);
    expect(screen.queryByLabelText(i18n.t('password.new'))).toBeNull();
    expect(screen.getByRole('link', { name: i18n.t('invite.toLogin') }).getAttribute('href')).toBe('#/');
  });

  it('a link used in another tab meanwhile: the submit says so instead of a field error', async () => {
    answers = {
      '/auth/invite/check': () => ({ status: 200, body: { name: 'Tom', email: 'to***@example.com', language: 'en', expiresAt: '2026-12-08T10:00:00.000Z' } }),
      '/auth/invite/accept': linkRefused('invite_used'),
    };
    render(<AcceptInviteScreen token="tok-123456789" />);
    fireEvent.change(await screen.findByLabelText('New password'), { target: { value: 'my-own-secret-77' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'my-own-secret-77' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save my password and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This invitation link was already used. Sign in with the password you chose then.');
    expect(useSession.getState().user).toBeNull();
  });
});
