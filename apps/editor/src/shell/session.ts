// The logged-in user, kept with the token so a reload stays logged in.
import { create } from 'zustand';
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

/** What the role may do, mirroring the server's checks (the server stays the judge). */
export function useRights() {
  const role = useSession((s) => s.user?.role);
  return {
    editFlows: role === 'admin' || role === 'manager',
    importCustomers: role === 'admin' || role === 'manager',
    manageTags: role === 'admin' || role === 'manager',
    editCustomers: role === 'admin' || role === 'manager' || role === 'agent',
    manageUsers: role === 'admin',
    saveSegments: role === 'admin' || role === 'manager',
    viewReports: role === 'admin' || role === 'manager' || role === 'agent',
  };
}
