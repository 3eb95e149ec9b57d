/**
 * The output ports of a node — its declared ports plus, for nodes such as a switch or an A/B
 * split, one port per item of a config array (`dynamicOutputs`). The one rule the validator,
 * the compiler, the runtime (checking a step's answer) and the editor (drawing handles) share.
 * Imports nothing at run time: the editor bundles it.
 */
import type { DynamicOutputs } from '../define.js';

/** A localized label as the manifest carries it (locale → text). */
type Labels = Readonly<Record<string, string>>;

/** What ports are computed from: a node definition or its manifest entry. */
export interface PortSpec {
  outputs: readonly { id: string; label?: Labels; optional?: boolean }[];
  dynamicOutputs?: DynamicOutputs | undefined;
}

export interface NodePort {
  id: string;
  /** localized for declared ports; the item's own label (or its id) for dynamic ones */
  label: Labels | string | undefined;
  /** an optional port may stay unconnected (the run ends there); dynamic branches never are */
  optional: boolean;
  dynamic: boolean;
}

/** The value at a dotted path ("a.b.c") in a config. */
export function getPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Dynamic ports come first (branches before a fixed "otherwise"), in item order. An item gives a
 * port when it is an object whose `idKey` is a non-empty string not already taken by a declared
 * port or an earlier item; other items give none (the config schema reports them).
 */
export function outputPorts(spec: PortSpec, config: unknown): NodePort[] {
  const fixed: NodePort[] = spec.outputs.map((o) => ({ id: o.id, label: o.label, optional: o.optional === true, dynamic: false }));
  const dyn = spec.dynamicOutputs;
  if (!dyn) return fixed;
  const items = getPath(config, dyn.fromField);
  if (!Array.isArray(items)) return fixed;
  const taken = new Set(fixed.map((p) => p.id));
  const dynamic: NodePort[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const id = (item as Record<string, unknown>)[dyn.idKey];
    if (typeof id !== 'string' || !id || taken.has(id)) continue;
    taken.add(id);
    const label = (item as Record<string, unknown>)[dyn.labelKey];
    dynamic.push({ id, label: typeof label === 'string' && label ? label : id, optional: false, dynamic: true });
  }
  return [...dynamic, ...fixed];
}

/** The ids of `outputPorts`. */
export const outputPortIds = (spec: PortSpec, config: unknown): string[] => outputPorts(spec, config).map((p) => p.id);
