// The saved flow graph (React Flow's own shape, without UI state) and the React Flow nodes and
// edges the canvas works on. Converting back strips everything that is view state: selection,
// dragging, measured sizes, badges.
import type { Edge, Node } from '@xyflow/react';
import type { FlowGraph, GraphEdge, GraphNode } from '../api/schemas';

export interface NudgeNodeData extends Record<string, unknown> {
  nodeType: string;
  config: Record<string, unknown>;
  label?: string;
}
export type NudgeNode = Node<NudgeNodeData, 'nudge'>;
export type NudgeEdge = Edge;

export function edgeId(source: string, sourceHandle: string, target: string): string {
  return `e-${source}-${sourceHandle}-${target}`;
}

export function graphToReactFlow(graph: FlowGraph): { nodes: NudgeNode[]; edges: NudgeEdge[] } {
  const nodes: NudgeNode[] = graph.nodes.map((n) => ({
    id: n.id,
    type: 'nudge',
    position: { x: n.position.x, y: n.position.y },
    data: {
      nodeType: n.data.nodeType,
      config: structuredClone(n.data.config ?? {}),
      ...(n.data.label !== undefined ? { label: n.data.label } : {}),
    },
  }));
  const edges: NudgeEdge[] = graph.edges.map((e) => ({
    id: e.id,
    source: e.source,
    sourceHandle: e.sourceHandle ?? 'next',
    target: e.target,
    targetHandle: e.targetHandle ?? 'in',
  }));
  return { nodes, edges };
}

export function reactFlowToGraph(nodes: readonly Node[], edges: readonly Edge[]): FlowGraph {
  const graphNodes: GraphNode[] = nodes.map((n) => {
    const data = n.data as NudgeNodeData;
    return {
      id: n.id,
      type: 'nudge',
      position: { x: Math.round(n.position.x) || 0, y: Math.round(n.position.y) || 0 },
      data: {
        nodeType: data.nodeType,
        config: structuredClone(data.config ?? {}),
        ...(data.label ? { label: data.label } : {}),
      },
    };
  });
  const ids = new Set(graphNodes.map((n) => n.id));
  const graphEdges: GraphEdge[] = edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({
      id: e.id,
      source: e.source,
      sourceHandle: e.sourceHandle ?? 'next',
      target: e.target,
      targetHandle: e.targetHandle ?? 'in',
    }));
  return { nodes: graphNodes, edges: graphEdges };
}

export function sameGraph(a: FlowGraph, b: FlowGraph): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

let counter = 0;
/** A short unique node id: readable in URLs and problem lists. */
export function newNodeId(existing: ReadonlySet<string> | readonly { id: string }[] = []): string {
  const taken = existing instanceof Set ? existing : new Set((existing as readonly { id: string }[]).map((n) => n.id));
  for (;;) {
    counter += 1;
    const id = `n${Date.now().toString(36).slice(-4)}${counter.toString(36)}${Math.random().toString(36).slice(2, 4)}`;
    if (!taken.has(id)) return id;
  }
}
