import { cleanup, render, screen, act, waitFor } from '@testing-library/react';
import { ReactFlow, ReactFlowProvider } from '@xyflow/react';
import i18n from 'i18next';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { FlowStoreContext } from './context';
import { nodeTypes } from './NodeCard';
import { createFlowStore } from './store';
import { testManifestNodes } from './testManifest';

function renderCanvas() {
  const store = createFlowStore();
  store.getState().setManifest([
    ...testManifestNodes,
    {
      key: 'condition.switch@1', type: 'condition.switch', version: 1, kind: 'condition', category: 'conditions', icon: 'git-fork',
      label: { en: 'Switch', 'zh-TW': '多路分支' }, inputs: ['in'], outputs: [{ id: 'default', label: { en: 'Otherwise', 'zh-TW': '其他' } }],
      configSchema: {}, defaults: {}, dynamicOutputs: { fromField: 'cases', idKey: 'id', labelKey: 'label' },
    },
  ]);
  store.getState().load({
    nodes: [
      { id: 't', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.segment_entry@1', config: {} } },
      { id: 'w', type: 'nudge', position: { x: 300, y: 0 }, data: { nodeType: 'control.wait_for_event@1', config: {} } },
      { id: 's', type: 'nudge', position: { x: 600, y: 0 }, data: { nodeType: 'condition.switch@1', config: { cases: [{ id: 'vip', label: 'VIP' }, { id: 'b2b', label: 'B2B' }] } } },
    ],
    edges: [],
  });
  store.getState().setProblems([
    { nodeId: 'w', port: 'replied', code: 'port.unconnected', message: 'The "replied" output leads nowhere.' },
    { nodeId: 'w', field: 'timeout', code: 'node.invalid_config', message: 'timeout: required' },
  ]);
  function Canvas() {
    const nodes = store((s) => s.nodes);
    return <ReactFlow nodes={nodes} edges={[]} nodeTypes={nodeTypes} />;
  }
  const view = render(
    <div style={{ width: 1200, height: 800 }}>
      <FlowStoreContext.Provider value={store}>
        <ReactFlowProvider>
          <Canvas />
        </ReactFlowProvider>
      </FlowStoreContext.Provider>
    </div>,
  );
  return { store, view };
}

describe('NodeCard', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
    // the cards name segments from the pick lists the editor loads
    vi.stubGlobal('fetch', vi.fn(async (url: unknown) => new Response(JSON.stringify(String(url).includes('/segments') ? [{ id: 'seg-1', name: 'Cold potentials' }] : []), { status: 200, headers: { 'content-type': 'application/json' } })));
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });
  afterEach(cleanup);

  it('draws any node from its manifest entry: label, handles per port, dynamic ports, problem badge', () => {
    const { view } = renderCanvas();
    const trigger = view.container.querySelector('[data-testid="node-t"]')!;
    expect(trigger.textContent).toContain('Segment entry');
    expect(trigger.querySelector('[data-handleid="in"]')).toBeNull();
    expect([...trigger.querySelectorAll('.react-flow__handle.source')].map((h) => h.getAttribute('data-handleid'))).toEqual(['next']);

    const wait = view.container.querySelector('[data-testid="node-w"]')!;
    expect(wait.querySelector('[data-handleid="in"]')).not.toBeNull();
    expect([...wait.querySelectorAll('.react-flow__handle.source')].map((h) => h.getAttribute('data-handleid'))).toEqual(['replied', 'timeout']);
    expect(wait.querySelector('.badge-error')!.textContent).toBe('2');
    expect(wait.querySelector('.port-missing')!.textContent).toBe('Replied');

    const sw = view.container.querySelector('[data-testid="node-s"]')!;
    expect([...sw.querySelectorAll('.react-flow__handle.source')].map((h) => h.getAttribute('data-handleid'))).toEqual(['vip', 'b2b', 'default']);
    expect([...sw.querySelectorAll('.port-label')].map((l) => l.textContent)).toEqual(['VIP', 'B2B', 'Otherwise']);
  });

  it('follows the UI language and run overlays', async () => {
    const { store, view } = renderCanvas();
    await act(() => i18n.changeLanguage('zh-TW'));
    expect(screen.getByText('進入分群')).toBeTruthy();
    expect(view.container.querySelector('[data-testid="node-w"] .port-missing')!.textContent).toBe('已回覆');
    act(() => store.getState().setOverlay(new Map([['t', { status: 'done' }], ['w', { status: 'failed', error: 'SMTP refused' }]])));
    expect(view.container.querySelector('[data-testid="node-w"]')!.className).toContain('step-failed');
    expect(view.container.querySelector('[data-testid="node-w"]')!.textContent).toContain('SMTP refused');
    expect(view.container.querySelector('[data-testid="node-s"]')!.className).toContain('off-path');
    await act(() => i18n.changeLanguage('en'));
  });

  it('says what its settings are in a line, naming the segment from the loaded segments', async () => {
    const { store, view } = renderCanvas();
    const summary = () => view.container.querySelector('[data-testid="node-t"] [data-testid="node-summary"]')?.textContent;
    expect(summary()).toBeUndefined();
    act(() => store.getState().updateConfig('t', { segmentId: 'seg-1' }));
    await waitFor(() => expect(summary()).toBe('Enters “Cold potentials”'));
    await act(() => i18n.changeLanguage('zh-TW'));
    expect(summary()).toBe('進入「Cold potentials」');
    await act(() => i18n.changeLanguage('en'));
  });
});
