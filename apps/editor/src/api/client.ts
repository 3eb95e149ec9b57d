// Typed HTTP client: every response is parsed by a zod schema, every failure becomes an ApiError
// carrying the server's { error: { code, message, details } } so screens can show it as is.
import { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const TOKEN_KEY = 'nudge.token';
let token: string | null = typeof localStorage !== 'undefined' ? localStorage.getItem(TOKEN_KEY) : null;
const unauthorizedListeners = new Set<() => void>();

export function setToken(next: string | null): void {
  token = next;
  if (typeof localStorage === 'undefined') return;
  if (next) localStorage.setItem(TOKEN_KEY, next);
  else localStorage.removeItem(TOKEN_KEY);
}
/** The session's Authorization header (for requests this client doesn't make itself, e.g. the inbox's event stream). */
export function authHeader(): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `/api${path}${qs ? `?${qs}` : ''}`;
}

export async function request<T>(
  method: Method,
  path: string,
  schema: z.ZodType<T>,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (typeof Blob !== 'undefined' && options.body instanceof Blob) {
    headers['Content-Type'] = 'text/csv';
    body = options.body;
  }
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), { method, headers, body, signal: options.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', (e as Error).message);
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    if (res.status === 401) unauthorizedListeners.forEach((l) => l());
    const parsed = errorBody.safeParse(json);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      throw new ApiError(res.status, code, message, details);
    }
    throw new ApiError(res.status, `http_${res.status}`, text.slice(0, 300) || res.statusText);
  }
  const parsed = schema.safeParse(json ?? {});
  if (!parsed.success) {
    throw new ApiError(res.status, 'bad_response', `${method} ${path}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export const api = {
  get: <T>(path: string, schema: z.ZodType<T>, query?: RequestOptions['query'], signal?: AbortSignal) =>
    request('GET', path, schema, { query, signal }),
  post: <T>(path: string, schema: z.ZodType<T>, body?: unknown, query?: RequestOptions['query']) => request('POST', path, schema, { body, query }),
  put: <T>(path: string, schema: z.ZodType<T>, body?: unknown) => request('PUT', path, schema, { body }),
  patch: <T>(path: string, schema: z.ZodType<T>, body?: unknown) => request('PATCH', path, schema, { body }),
  del: <T>(path: string, schema: z.ZodType<T>) => request('DELETE', path, schema),
};
