// Which connections the canvas accepts while the user drags from a port. Pure so it can be
// unit-tested and reused by paste and by keyboard connection.
import type { Connection, Edge, Node } from '@xyflow/react';
import type { ManifestNode } from '../api/schemas';
import type { NudgeNodeData } from './graph';

export type ConnectionRefusal = 'self_loop' | 'into_trigger' | 'port_taken' | 'unknown_node' | 'duplicate' | 'no_input';

export function checkConnection(
  connection: Pick<Connection, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>,
  nodes: readonly Node[],
  edges: readonly Edge[],
  manifestByKey: ReadonlyMap<string, ManifestNode>,
): ConnectionRefusal | null {
  const { source, target } = connection;
  if (!source || !target) return 'unknown_node';
  if (source === target) return 'self_loop';
  const targetNode = nodes.find((n) => n.id === target);
  const sourceNode = nodes.find((n) => n.id === source);
  if (!targetNode || !sourceNode) return 'unknown_node';
  const targetDef = manifestByKey.get((targetNode.data as NudgeNodeData).nodeType);
  if (targetDef?.kind === 'trigger') return 'into_trigger';
  if (targetDef && targetDef.inputs.length === 0) return 'no_input';
  const sourceHandle = connection.sourceHandle ?? 'next';
  if (edges.some((e) => e.source === source && (e.sourceHandle ?? 'next') === sourceHandle)) return 'port_taken';
  if (edges.some((e) => e.source === source && e.target === target && (e.sourceHandle ?? 'next') === sourceHandle)) return 'duplicate';
  return null;
}
