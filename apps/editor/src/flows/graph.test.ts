import { describe, expect, it } from 'vitest';
import type { FlowGraph } from '../api/schemas';
import { flowGraph } from '../api/schemas';
import { copySelection, pasteClipboard } from './clipboard';
import { checkConnection } from './connection';
import { graphToReactFlow, reactFlowToGraph } from './graph';
import { NODE_WIDTH, tidyUp } from './layout';
import { testManifestByKey } from './testManifest';

const graph: FlowGraph = {
  nodes: [
    { id: 't', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.segment_entry@1', config: { segmentId: 's1' } } },
    { id: 'm', type: 'nudge', position: { x: 300, y: 0 }, data: { nodeType: 'action.send_message@1', config: { channel: 'email', body: 'Hi {name}' }, label: 'Welcome' } },
    { id: 'w', type: 'nudge', position: { x: 600, y: 0 }, data: { nodeType: 'control.wait_for_event@1', config: { timeout: '3d' } } },
  ],
  edges: [
    { id: 'e1', source: 't', sourceHandle: 'next', target: 'm', targetHandle: 'in' },
    { id: 'e2', source: 'm', sourceHandle: 'next', target: 'w', targetHandle: 'in' },
  ],
};

describe('graph <-> React Flow', () => {
  it('round-trips a graph unchanged', () => {
    const rf = graphToReactFlow(graph);
    expect(rf.nodes).toHaveLength(3);
    expect(rf.nodes[1]).toMatchObject({ id: 'm', type: 'nudge', data: { label: 'Welcome', nodeType: 'action.send_message@1' } });
    expect(rf.edges[0]).toMatchObject({ source: 't', sourceHandle: 'next', target: 'm', targetHandle: 'in' });
    expect(reactFlowToGraph(rf.nodes, rf.edges)).toEqual(graph);
  });

  it('strips view state (selection, dragging, sizes) and rounds positions', () => {
    const rf = graphToReactFlow(graph);
    const viewNodes = rf.nodes.map((n, i) => ({ ...n, selected: i === 0, dragging: true, measured: { width: 240, height: 90 }, position: { x: n.position.x + 0.4, y: n.position.y - 0.3 } }));
    const viewEdges = rf.edges.map((e) => ({ ...e, selected: true, animated: true, className: 'on-path' }));
    const back = reactFlowToGraph(viewNodes, viewEdges);
    expect(back).toEqual(graph);
    expect(JSON.stringify(back)).not.toMatch(/selected|dragging|measured|animated|className/);
    expect(flowGraph.parse(back)).toEqual(graph);
  });

  it('does not share config objects between the two shapes', () => {
    const rf = graphToReactFlow(graph);
    (rf.nodes[1]!.data.config as Record<string, unknown>).body = 'changed';
    expect(graph.nodes[1]!.data.config.body).toBe('Hi {name}');
  });

  it('drops dangling edges whose node was removed', () => {
    const rf = graphToReactFlow(graph);
    const back = reactFlowToGraph(rf.nodes.filter((n) => n.id !== 'w'), rf.edges);
    expect(back.edges.map((e) => e.id)).toEqual(['e1']);
  });
});

describe('checkConnection', () => {
  const { nodes, edges } = graphToReactFlow(graph);
  it('refuses a self loop', () => {
    expect(checkConnection({ source: 'w', target: 'w', sourceHandle: 'timeout', targetHandle: 'in' }, nodes, edges, testManifestByKey)).toBe('self_loop');
  });
  it('refuses an edge into a trigger', () => {
    expect(checkConnection({ source: 'w', target: 't', sourceHandle: 'timeout', targetHandle: 'in' }, nodes, edges, testManifestByKey)).toBe('into_trigger');
  });
  it('refuses a second edge from the same output port', () => {
    expect(checkConnection({ source: 't', target: 'w', sourceHandle: 'next', targetHandle: 'in' }, nodes, edges, testManifestByKey)).toBe('port_taken');
  });
  it('accepts a free port into an action, even one that already has an incoming edge', () => {
    expect(checkConnection({ source: 'w', target: 'm', sourceHandle: 'timeout', targetHandle: 'in' }, nodes, edges, testManifestByKey)).toBeNull();
  });
});

describe('tidyUp', () => {
  it('lays nodes out left to right in edge order without overlaps', () => {
    const scrambled: FlowGraph = { ...graph, nodes: graph.nodes.map((n, i) => ({ ...n, position: { x: 500 - i * 250, y: i * 37 } })) };
    const laid = tidyUp(scrambled);
    const x = Object.fromEntries(laid.nodes.map((n) => [n.id, n.position.x]));
    expect(x.t!).toBeLessThan(x.m!);
    expect(x.m!).toBeLessThan(x.w!);
    expect(x.m! - x.t!).toBeGreaterThanOrEqual(NODE_WIDTH);
    expect(laid.edges).toBe(scrambled.edges);
    expect(laid.nodes.map((n) => n.data)).toEqual(scrambled.nodes.map((n) => n.data));
  });
  it('puts the two branches of a port pair on different rows', () => {
    const branched: FlowGraph = {
      nodes: [...graph.nodes, { id: 'a', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: {} } }, { id: 'b', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'action.send_message@1', config: {} } }],
      edges: [...graph.edges, { id: 'e3', source: 'w', sourceHandle: 'replied', target: 'a', targetHandle: 'in' }, { id: 'e4', source: 'w', sourceHandle: 'timeout', target: 'b', targetHandle: 'in' }],
    };
    const laid = tidyUp(branched);
    const a = laid.nodes.find((n) => n.id === 'a')!.position;
    const b = laid.nodes.find((n) => n.id === 'b')!.position;
    expect(a.x).toBe(b.x);
    expect(Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(90);
  });
});

describe('copy and paste', () => {
  it('copies only internal edges and pastes with fresh ids and an offset', () => {
    const clip = copySelection(graph, new Set(['m', 'w']));
    expect(clip.nodes.map((n) => n.id)).toEqual(['m', 'w']);
    expect(clip.edges.map((e) => e.id)).toEqual(['e2']);
    const pasted = pasteClipboard(clip, new Set(graph.nodes.map((n) => n.id)));
    const ids = pasted.nodes.map((n) => n.id);
    expect(ids.some((id) => ['t', 'm', 'w'].includes(id))).toBe(false);
    expect(pasted.edges[0]).toMatchObject({ source: ids[0], target: ids[1], sourceHandle: 'next', targetHandle: 'in' });
    expect(pasted.nodes[0]!.position).toEqual({ x: 340, y: 40 });
    expect(pasted.nodes[0]!.data).toEqual(graph.nodes[1]!.data);
  });
});
