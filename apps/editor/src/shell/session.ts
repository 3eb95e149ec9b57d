// The logged-in user, kept with the token so a reload stays logged in.
import { useCallback } from 'react';
import { create } from 'zustand';
import { can, type Action } from '@nudge/contracts';
import { z } from 'zod';
import { api, onUnauthorized, setToken } from '../api/client';
import { loginAnswer, type SessionUser } from '../settings/api';

type User = SessionUser;

const USER_KEY = 'nudge.user';

function storedUser(): User | null {
  try {
    const raw = typeof localStorage !== 'undefined' ? localStorage.getItem(USER_KEY) : null;
    return raw ? (JSON.parse(raw) as User) : null; // mustChangePassword survives a reload
  } catch {
    return null;
  }
}

interface SessionState {
  user: User | null;
  /** The password just typed at sign-in, kept in memory only, so the change form needn't ask again. */
  firstPassword: string | null;
  login(email: string, password: string): Promise<void>;
  /** Accepts an invitation (chooses the password) and signs in as the invited user. */
  acceptInvite(token: string, password: string): Promise<void>;
  /** After POST /auth/password: the user may use the app. */
  passwordChanged(user: User): void;
  logout(): void;
}

export const useSession = create<SessionState>()((set) => ({
  user: storedUser(),
  firstPassword: null,
  async login(email, password) {
    const res = await api.post('/auth/login', loginAnswer, { email, password });
    const user = { ...res.user, mustChangePassword: res.passwordChangeRequired || res.user.mustChangePassword };
    setToken(res.token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    set({ user, firstPassword: user.mustChangePassword ? password : null });
  },
  async acceptInvite(token, password) {
    const res = await api.post('/auth/invite/accept', loginAnswer, { token, password });
    const user = { ...res.user, mustChangePassword: false };
    setToken(res.token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    set({ user, firstPassword: null });
  },
  passwordChanged(user) {
    const next = { ...user, mustChangePassword: false };
    localStorage.setItem(USER_KEY, JSON.stringify(next));
    set({ user: next, firstPassword: null });
  },
  logout() {
    void api.post('/auth/logout', z.unknown()).catch(() => undefined);
    setToken(null);
    localStorage.removeItem(USER_KEY);
    set({ user: null, firstPassword: null });
  },
}));

onUnauthorized(() => {
  setToken(null);
  localStorage.removeItem(USER_KEY);
  useSession.setState({ user: null });
});

/**
 * May the signed-in user do `action`? From the shared permission map (@nudge/contracts), the very
 * one the server's routes take their roles from: a control the role cannot use is not offered.
 */
export function useCan(): (action: Action) => boolean {
  const role = useSession((s) => s.user?.role);
  return useCallback((action: Action) => can(role, action), [role]);
}

/** Older names for a few actions (kept for existing screens); derived from the same map. */
export function useRights() {
  const allowed = useCan();
  return {
    editFlows: allowed('flow.save'),
    importCustomers: allowed('import.run'),
    manageTags: allowed('tag.manage'),
    editCustomers: allowed('customer.edit'),
    manageUsers: allowed('user.manage'),
    saveSegments: allowed('segment.save'),
  };
}
