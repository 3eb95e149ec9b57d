// The validator's warnings (template.often_empty) reach the editor: stored from the validate
// answer, listed in the checklist under the problems, and shown under the field they name — in
// the UI language, without blocking anything.
import { act, cleanup, render, renderHook, screen, within } from '@testing-library/react';
import { ReactFlowProvider } from '@xyflow/react';
import i18n from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { ConfigPanel } from './ConfigPanel';
import { FlowStoreContext } from './context';
import { ProblemsPanel } from './ProblemsPanel';
import { createFlowStore } from './store';
import { testManifestNodes } from './testManifest';
import { useAutosave } from './useAutosave';

const warning = {
  nodeId: 'm',
  field: 'body',
  code: 'template.often_empty',
  variable: 'company',
  emptyShare: 0.4,
  message: '{company} is empty for 40 % of the customers this flow targets (4 of 10) and would render as nothing; give a fallback such as {company|…}.',
};

function storeWithMessage() {
  const store = createFlowStore();
  store.getState().setManifest(testManifestNodes);
  store.getState().load({
    nodes: [{ id: 'm', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: { channel: 'email', body: 'Can we help with {company}?' } } }],
    edges: [],
  });
  return store;
}

describe('validator warnings in the editor', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });
  afterEach(async () => {
    cleanup();
    vi.unstubAllGlobals();
    await i18n.changeLanguage('en');
  });

  it('keeps the warnings of the validate answer beside its problems', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ problems: [], warnings: [warning] }), { status: 200 })));
    const store = storeWithMessage();
    const { result } = renderHook(() => useAutosave('f1', store, 800));
    await act(() => result.current.validate());
    expect(store.getState().problems).toEqual([]);
    expect(store.getState().warnings).toMatchObject([{ nodeId: 'm', field: 'body', code: 'template.often_empty', variable: 'company' }]);
  });

  it('lists a warning in the checklist and under its field, translated', async () => {
    const store = storeWithMessage();
    store.getState().setProblems([], [warning]);
    const view = render(
      <FlowStoreContext.Provider value={store}>
        <ReactFlowProvider>
          <ProblemsPanel onClose={() => {}} />
          <ConfigPanel nodeId="m" />
        </ReactFlowProvider>
      </FlowStoreContext.Provider>,
    );
    // The checklist: no problems (publishing is not blocked), one warning with where and what to do.
    const list = screen.getByRole('list', { name: '1 warning' });
    expect(view.container.querySelector('.ok-text')!.textContent).toContain('No problems');
    expect(within(list).getByText(/Send message · /).textContent).toBe('Send message · Message');
    expect(list.textContent).toContain('{company} is empty for 40 % of the customers this flow targets');
    expect(list.textContent).toContain('{company|…}');
    // At the field: under the body the warning names the variable and the fallback to write.
    const field = view.container.querySelector('.config-panel [data-field="body"]')!;
    expect(field.querySelector('.field-warning')!.textContent).toContain('Write a fallback, e.g. {company|…}');
    expect(field.className).not.toContain('invalid');

    await act(() => i18n.changeLanguage('zh-TW'));
    expect(screen.getByRole('list', { name: '1 個警告' }).textContent).toContain('此流程的目標客戶中有 40% 的 {company} 是空的');
    expect(view.container.querySelector('.config-panel [data-field="body"] .field-warning')!.textContent).toContain('請寫一個備用文字，例如 {company|…}');
    expect(view.container.textContent).not.toContain('would render as nothing');
  });
});
