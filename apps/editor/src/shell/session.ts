// The logged-in user, kept with the token so a reload stays logged in.
import { create } from 'zustand';
import { z } from 'zod';
import { api, onUnauthorized, setToken } from '../api/client';
import { loginResponse, type User } from '../api/schemas';

const USER_KEY = 'nudge.user';

function storedUser(): User | null {
  try {
    const raw = typeof localStorage !== 'undefined' ? localStorage.getItem(USER_KEY) : null;
    return raw ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}

interface SessionState {
  user: User | null;
  login(email: string, password: string): Promise<void>;
  logout(): void;
}

export const useSession = create<SessionState>()((set) => ({
  user: storedUser(),
  async login(email, password) {
    const res = await api.post('/auth/login', loginResponse, { email, password });
    setToken(res.token);
    localStorage.setItem(USER_KEY, JSON.stringify(res.user));
    set({ user: res.user });
  },
  logout() {
    void api.post('/auth/logout', z.unknown()).catch(() => undefined);
    setToken(null);
    localStorage.removeItem(USER_KEY);
    set({ user: null });
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
  };
}
