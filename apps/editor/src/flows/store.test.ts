import { describe, expect, it } from 'vitest';
import { createFlowStore } from './store';
import { testManifestNodes } from './testManifest';

function setup() {
  const store = createFlowStore();
  store.getState().setManifest(testManifestNodes);
  return store;
}

describe('flow store', () => {
  it('adds nodes with manifest defaults and connects them', () => {
    const store = setup();
    const t = store.getState().addNode('trigger.segment_entry@1', { x: 0, y: 0 });
    const m = store.getState().addNode('action.send_message@1', { x: 300, y: 0 });
    store.getState().onConnect({ source: t, sourceHandle: 'next', target: m, targetHandle: 'in' });
    const g = store.getState().present;
    expect(g.nodes.find((n) => n.id === m)!.data.config).toEqual({ channel: 'email', body: '' });
    expect(g.edges).toEqual([{ id: expect.any(String), source: t, sourceHandle: 'next', target: m, targetHandle: 'in' }]);
  });

  it('refuses invalid connections (into a trigger, second edge on a port)', () => {
    const store = setup();
    const t = store.getState().addNode('trigger.segment_entry@1', { x: 0, y: 0 });
    const m = store.getState().addNode('action.send_message@1', { x: 300, y: 0 });
    const m2 = store.getState().addNode('action.send_message@1', { x: 300, y: 200 });
    store.getState().onConnect({ source: m, sourceHandle: 'next', target: t, targetHandle: 'in' });
    store.getState().onConnect({ source: t, sourceHandle: 'next', target: m, targetHandle: 'in' });
    store.getState().onConnect({ source: t, sourceHandle: 'next', target: m2, targetHandle: 'in' });
    expect(store.getState().present.edges).toHaveLength(1);
  });

  it('undoes and redoes graph changes but not selection or drag frames', () => {
    const store = setup();
    const a = store.getState().addNode('action.send_message@1', { x: 0, y: 0 });
    const before = store.getState().past.length;
    store.getState().selectNode(null);
    store.getState().onNodesChange([{ id: a, type: 'position', position: { x: 50, y: 50 }, dragging: true }]);
    expect(store.getState().past.length).toBe(before);
    store.getState().onNodesChange([{ id: a, type: 'position', position: { x: 80, y: 60 }, dragging: false }]);
    expect(store.getState().present.nodes[0]!.position).toEqual({ x: 80, y: 60 });
    store.getState().undo();
    expect(store.getState().present.nodes[0]!.position).toEqual({ x: 0, y: 0 });
    store.getState().undo();
    expect(store.getState().present.nodes).toHaveLength(0);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().present.nodes[0]!.position).toEqual({ x: 80, y: 60 });
  });

  it('coalesces typing into one field into a single undo step', () => {
    const store = setup();
    const a = store.getState().addNode('action.send_message@1', { x: 0, y: 0 });
    const steps = store.getState().past.length;
    for (const body of ['H', 'Hi', 'Hi {', 'Hi {name}']) store.getState().updateConfig(a, { channel: 'email', body });
    expect(store.getState().past.length).toBe(steps + 1);
    store.getState().undo();
    expect(store.getState().present.nodes[0]!.data.config).toEqual({ channel: 'email', body: '' });
  });

  it('deletes the selection with its edges, copies and pastes', () => {
    const store = setup();
    const t = store.getState().addNode('trigger.segment_entry@1', { x: 0, y: 0 });
    const m = store.getState().addNode('action.send_message@1', { x: 300, y: 0 });
    store.getState().onConnect({ source: t, sourceHandle: 'next', target: m, targetHandle: 'in' });
    store.getState().selectNode(m);
    store.getState().copy();
    store.getState().paste();
    expect(store.getState().present.nodes).toHaveLength(3);
    const pasted = store.getState().nodes.find((n) => n.selected)!;
    expect(pasted.id).not.toBe(m);
    expect(pasted.position).toEqual({ x: 340, y: 40 });
    store.getState().selectNode(t);
    store.getState().deleteSelection();
    expect(store.getState().present.nodes.map((n) => n.id)).not.toContain(t);
    expect(store.getState().present.edges).toHaveLength(0);
  });

  it('read-only canvases refuse edits', () => {
    const store = setup();
    store.getState().load({ nodes: [{ id: 'x', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: {} } }], edges: [] }, { readOnly: true });
    store.getState().updateConfig('x', { body: 'no' });
    store.getState().selectNode('x');
    store.getState().deleteSelection();
    expect(store.getState().present.nodes[0]!.data.config).toEqual({});
    expect(store.getState().revision).toBe(0);
  });

  it('puts a published version in the draft as one undoable step', () => {
    const store = setup();
    const a = store.getState().addNode('action.send_message@1', { x: 0, y: 0 });
    const version = { nodes: [{ id: 'v1', type: 'nudge', position: { x: 5, y: 5 }, data: { nodeType: 'trigger.segment_entry@1', config: { segmentId: 's' } } }], edges: [] };
    store.getState().replaceGraph(version);
    expect(store.getState().present).toEqual(version);
    store.getState().undo();
    expect(store.getState().present.nodes.map((n) => n.id)).toEqual([a]);
  });
});
