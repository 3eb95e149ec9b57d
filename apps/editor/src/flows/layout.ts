// "Tidy up": a layered left-to-right layout computed by dagre. Pure: returns new positions and
// leaves everything else in the graph untouched, so the server could use it too.
import dagre from '@dagrejs/dagre';
import type { FlowGraph } from '../api/schemas';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 92;

export interface LayoutOptions {
  direction?: 'LR' | 'TB';
  sizes?: ReadonlyMap<string, { width: number; height: number }>;
  nodeSep?: number;
  rankSep?: number;
}

export function tidyUp(graph: FlowGraph, options: LayoutOptions = {}): FlowGraph {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: options.direction ?? 'LR', nodesep: options.nodeSep ?? 40, ranksep: options.rankSep ?? 80, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const size = options.sizes?.get(n.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
    g.setNode(n.id, { width: size.width, height: size.height });
  }
  for (const e of graph.edges) {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, {}, e.id);
  }
  dagre.layout(g);
  return {
    edges: graph.edges,
    nodes: graph.nodes.map((n) => {
      const laid = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
      if (!laid) return n;
      // dagre gives centres; React Flow positions are top-left corners.
      return { ...n, position: { x: Math.round(laid.x - laid.width / 2), y: Math.round(laid.y - laid.height / 2) } };
    }),
  };
}
