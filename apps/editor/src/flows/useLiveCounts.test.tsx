// Live counts on the canvas refresh by themselves once the flow is published: no toggle needed,
// and they follow the runs as they move; a draft shows none until switched on.
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFlowStore } from './store';
import { COUNTS_POLL_MS } from './useLiveCounts';

const api = vi.hoisted(() => ({ nodeCounts: vi.fn() }));
vi.mock('./api', () => ({ flowsApi: api }));
const { useLiveCounts } = await import('./useLiveCounts');

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.clearAllMocks();
});

describe('live counts', () => {
  it('a published flow shows counts at once and keeps them fresh without a toggle', async () => {
    vi.useFakeTimers();
    const store = createFlowStore();
    api.nodeCounts
      .mockResolvedValueOnce({ email: { waiting: 0, running: 1, done: 0, failed: 0 } })
      .mockResolvedValue({ email: { waiting: 0, running: 0, done: 1, failed: 0 }, wait: { waiting: 1, running: 0, done: 0, failed: 0 } });
    const { result } = renderHook(() => useLiveCounts('f1', true, store, () => undefined));
    expect(result.current[0]).toBe(true);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(store.getState().counts).toEqual({ email: { waiting: 0, running: 1, done: 0, failed: 0 } });
    await act(() => vi.advanceTimersByTimeAsync(COUNTS_POLL_MS));
    expect(store.getState().counts).toMatchObject({ email: { done: 1 }, wait: { waiting: 1 } });
    // switched off: cleared, no more requests
    act(() => result.current[1](false));
    expect(store.getState().counts).toEqual({});
    const calls = api.nodeCounts.mock.calls.length;
    await act(() => vi.advanceTimersByTimeAsync(COUNTS_POLL_MS * 3));
    expect(api.nodeCounts.mock.calls.length).toBe(calls);
  });

  it('a draft never published asks for nothing until switched on', async () => {
    const store = createFlowStore();
    api.nodeCounts.mockResolvedValue({ a: { waiting: 1, running: 0, done: 0, failed: 0 } });
    const { result } = renderHook(() => useLiveCounts('f1', false, store, () => undefined));
    expect(result.current[0]).toBe(false);
    expect(api.nodeCounts).not.toHaveBeenCalled();
    act(() => result.current[1](true));
    await waitFor(() => expect(store.getState().counts).toMatchObject({ a: { waiting: 1 } }));
  });
});
