// Copy and paste of a selection: only edges between copied nodes travel, ids are renewed and the
// pasted nodes are offset so they do not hide the originals.
import type { FlowGraph } from '../api/schemas';
import { edgeId, newNodeId } from './graph';

export function copySelection(graph: FlowGraph, selectedIds: ReadonlySet<string>): FlowGraph {
  const nodes = graph.nodes.filter((n) => selectedIds.has(n.id));
  const edges = graph.edges.filter((e) => selectedIds.has(e.source) && selectedIds.has(e.target));
  return structuredClone({ nodes, edges });
}

export function pasteClipboard(
  clip: FlowGraph,
  existingIds: ReadonlySet<string>,
  offset = { x: 40, y: 40 },
): FlowGraph {
  const taken = new Set(existingIds);
  const idMap = new Map<string, string>();
  const nodes = clip.nodes.map((n) => {
    const id = newNodeId(taken);
    taken.add(id);
    idMap.set(n.id, id);
    return { ...structuredClone(n), id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const edges = clip.edges.map((e) => {
    const source = idMap.get(e.source)!;
    const target = idMap.get(e.target)!;
    return { ...e, id: edgeId(source, e.sourceHandle ?? 'next', target), source, target };
  });
  return { nodes, edges };
}
