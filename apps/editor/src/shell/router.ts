// Hash routing: the server serves one index.html, so #/flows/12 works on reload without
// server-side route knowledge. A route is matched by patterns like '/flows/:id'.
import { useSyncExternalStore } from 'react';

function currentPath(): string {
  const hash = typeof location !== 'undefined' ? location.hash.replace(/^#/, '') : '';
  return hash || '/flows';
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoutePath(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/flows');
}

export function navigate(path: string): void {
  location.hash = path;
}

export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const [pathOnly] = path.split('?');
  const p = pattern.split('/').filter(Boolean);
  const a = (pathOnly ?? '').split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(a[i]!);
    else if (seg !== a[i]) return null;
  }
  return params;
}

export function routeQuery(path: string): URLSearchParams {
  return new URLSearchParams(path.split('?')[1] ?? '');
}
