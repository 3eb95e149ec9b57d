import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFlowStore } from './store';
import { testManifestNodes } from './testManifest';
import { useAutosave } from './useAutosave';

describe('autosave', () => {
  const calls: { method: string; url: string; body: unknown }[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
    calls.length = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ method: init.method ?? 'GET', url, body: init.body ? JSON.parse(init.body as string) : undefined });
        if (url.endsWith('/validate')) return new Response(JSON.stringify({ problems: [{ nodeId: 'x', code: 'flow.no_trigger', message: 'No trigger' }] }), { status: 200 });
        return new Response(JSON.stringify({}), { status: 200 });
      }),
    );
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('saves the draft once after a burst of changes, then validates it', async () => {
    const store = createFlowStore();
    store.getState().setManifest(testManifestNodes);
    const { result } = renderHook(() => useAutosave('f1', store, 800));
    let id = '';
    act(() => {
      id = store.getState().addNode('action.send_message@1', { x: 0, y: 0 });
    });
    for (const body of ['H', 'He', 'Hello']) act(() => store.getState().updateConfig(id, { channel: 'email', body }));
    expect(result.current.state).toBe('pending');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(500);
    });
    expect(calls).toHaveLength(0);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(400);
    });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['PUT /api/flows/f1', 'POST /api/flows/f1/validate']);
    expect((calls[0]!.body as { graph: { nodes: { data: { config: unknown } }[] } }).graph.nodes[0]!.data.config).toEqual({ channel: 'email', body: 'Hello' });
    expect(result.current.state).toBe('saved');
    expect(store.getState().problems.map((p) => p.code)).toEqual(['flow.no_trigger']);
  });

  it('does not save selection changes', async () => {
    const store = createFlowStore();
    store.getState().setManifest(testManifestNodes);
    store.getState().load({ nodes: [{ id: 'a', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: {} } }], edges: [] });
    renderHook(() => useAutosave('f1', store, 800));
    act(() => store.getState().selectNode('a'));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2000);
    });
    expect(calls).toHaveLength(0);
  });
});
