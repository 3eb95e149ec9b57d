// The output ports of a node, as the editor draws them: workflow-nodes' one rule (the validator,
// compiler and runtime use the same function), read from the manifest entry.
import { outputPorts as nodeOutputPorts, type NodePort } from '@nudge/workflow-nodes/graph';
import type { ManifestNode } from '../api/schemas';

export type Port = NodePort;

export function outputPorts(def: ManifestNode | undefined, config: Record<string, unknown>): Port[] {
  if (!def) return [{ id: 'next', label: undefined, optional: false, dynamic: false }];
  return nodeOutputPorts(def, config);
}
