/**
 * The node manifest the server serves at GET /api/nodes and the editor builds its palette and
 * forms from. Plain JSON: configs become JSON Schema (input side, so fields with defaults are optional).
 */
import { z } from 'zod';
import type { AnyNodeDefinition, DynamicOutputs, NodeKind, UiHint } from './define.js';
import { nodeKey } from './define.js';
import { nodeCategories } from './categories.js';
import type { Localized } from './i18n.js';
import { nodeRegistry } from './registry.js';

export interface ManifestNode {
  key: string;
  type: string;
  version: number;
  kind: NodeKind;
  category: string;
  icon: string;
  label: Localized;
  description: Localized;
  inputs: string[];
  outputs: { id: string; label: Localized; optional: boolean }[];
  dynamicOutputs?: DynamicOutputs;
  configSchema: Record<string, unknown>;
  defaults: Record<string, unknown>;
  ui?: Record<string, UiHint>;
  /** control nodes that pause a run (a loop must pass through one) */
  waits?: boolean;
}

export interface NodeManifest {
  version: 1;
  /** palette sections in display order */
  categories: { id: string; label: Localized }[];
  nodes: ManifestNode[];
}

export function manifestNode(def: AnyNodeDefinition): ManifestNode {
  const { $schema: _ignored, ...configSchema } = z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    key: nodeKey(def),
    type: def.type,
    version: def.version,
    kind: def.kind,
    category: def.category,
    icon: def.icon,
    label: def.label,
    description: def.description,
    inputs: [...def.inputs],
    outputs: def.outputs.map((o) => ({ id: o.id, label: o.label, optional: o.optional === true })),
    ...(def.dynamicOutputs ? { dynamicOutputs: def.dynamicOutputs } : {}),
    configSchema,
    defaults: structuredClone(def.defaults) as Record<string, unknown>,
    ...(def.ui ? { ui: { ...def.ui } } : {}),
    ...(def.kind === 'control' ? { waits: def.waits } : {}),
  };
}

export function buildManifest(registry: readonly AnyNodeDefinition[] = nodeRegistry): NodeManifest {
  return { version: 1, categories: nodeCategories.map((c) => ({ ...c })), nodes: registry.map(manifestNode) };
}
