// The output ports of a node: its manifest ports plus, for nodes such as a switch, one port per
// item of a config array (manifest `dynamicOutputs`).
import type { ManifestNode } from '../api/schemas';

export interface Port {
  id: string;
  label: Record<string, string> | string | undefined;
}

export function outputPorts(def: ManifestNode | undefined, config: Record<string, unknown>): Port[] {
  if (!def) return [{ id: 'next', label: undefined }];
  const ports: Port[] = def.outputs.map((o) => ({ id: o.id, label: o.label }));
  const dyn = def.dynamicOutputs;
  if (dyn) {
    const items = config[dyn.fromField];
    if (Array.isArray(items)) {
      const taken = new Set(ports.map((p) => p.id));
      const dynamic: Port[] = [];
      for (const item of items) {
        if (!item || typeof item !== 'object') continue;
        const id = String((item as Record<string, unknown>)[dyn.idKey] ?? '');
        if (!id || taken.has(id)) continue;
        taken.add(id);
        const label = (item as Record<string, unknown>)[dyn.labelKey];
        dynamic.push({ id, label: typeof label === 'string' && label ? label : id });
      }
      // dynamic branches come before fixed ones such as "otherwise"
      return [...dynamic, ...ports];
    }
  }
  return ports;
}
