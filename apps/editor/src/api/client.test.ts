import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, api, buildUrl, onUnauthorized, setToken } from './client';

function answer(status: number, body: unknown) {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })));
}

describe('api client', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('builds /api URLs without empty query values', () => {
    expect(buildUrl('/customers', { q: '張', page: 2, tier: '', tag: undefined })).toBe('/api/customers?q=%E5%BC%B5&page=2');
  });

  it('sends the bearer token and parses the answer with its schema', async () => {
    setToken('tok');
    answer(200, { count: 3, extra: true });
    await expect(api.post('/segments/count', z.object({ count: z.number() }), { definition: {} })).resolves.toEqual({ count: 3 });
    const [url, init] = (fetch as unknown as { mock: { calls: [string, RequestInit][] } }).mock.calls[0]!;
    expect(url).toBe('/api/segments/count');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(init.body).toBe('{"definition":{}}');
  });

  it("turns the server's error format into an ApiError with code, message and details", async () => {
    answer(422, { error: { code: 'invalid_flow', message: 'Fix the problems first', details: { problems: [{ code: 'flow.no_trigger', message: 'x' }] } } });
    const err = await api.post('/flows/1/publish', z.unknown(), { note: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_flow', message: 'Fix the problems first', details: { problems: [{ code: 'flow.no_trigger' }] } });
  });

  it('reports an answer that does not match the expected shape', async () => {
    answer(200, { items: 'nope' });
    await expect(api.get('/flows', z.object({ items: z.array(z.string()) }))).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('reports a network failure and a non-JSON error page', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    await expect(api.get('/flows', z.unknown())).rejects.toMatchObject({ status: 0, code: 'network' });
    answer(502, '<html>Bad gateway</html>');
    await expect(api.get('/flows', z.unknown())).rejects.toMatchObject({ status: 502, code: 'http_502' });
  });

  it('logs the user out on 401', async () => {
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    answer(401, { error: { code: 'unauthorized', message: 'Log in again' } });
    await expect(api.get('/flows', z.unknown())).rejects.toMatchObject({ status: 401 });
    expect(listener).toHaveBeenCalledOnce();
    off();
  });
});
