import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../manifest.js';
import { nodeRegistry } from '../registry.js';
import { nodeManifestSchema, outputPorts } from './shapes.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module `file` loads at run time (type-only imports left out), following relative imports. */
function runtimeImports(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  seen.set(file, specifiers);
  for (const s of specifiers) if (s.startsWith('.')) runtimeImports(resolve(dirname(file), s.replace(/\.js$/, '.ts')), seen);
  return seen;
}

describe('@nudge/workflow-nodes/graph (the editor bundles it)', () => {
  it('loads zod and its own few files, none of the nodes, the registry or node: modules', () => {
    const graph = runtimeImports(resolve(here, 'shapes.ts'));
    const files = [...graph.keys()].map((f) => f.slice(resolve(here, '..').length + 1)).sort();
    expect(files).toEqual(['customer.ts', 'events.ts', 'graph/ports.ts', 'graph/schema.ts', 'graph/shapes.ts', 'manifest-schema.ts', 'sandbox.ts', 'time/schemas.ts']);
    const packages = new Set([...graph.values()].flat().filter((s) => !s.startsWith('.')));
    expect([...packages]).toEqual(['zod']);
  });

  it('its manifest schema reads what the server serves, losing nothing', () => {
    const manifest = JSON.parse(JSON.stringify(buildManifest()));
    expect(nodeManifestSchema.parse(manifest)).toEqual(manifest);
  });
});

describe('outputPorts', () => {
  const sw = nodeRegistry.find((d) => d.type === 'condition.switch')!;

  it('puts one port per case before "otherwise", labelled by the case', () => {
    const ports = outputPorts(sw, { cases: [{ id: 'vip', label: 'VIP' }, { id: 'new', label: '' }] });
    expect(ports).toEqual([
      { id: 'vip', label: 'VIP', optional: false, dynamic: true },
      { id: 'new', label: 'new', optional: false, dynamic: true },
      { id: 'default', label: sw.outputs[0]!.label, optional: false, dynamic: false },
    ]);
  });

  it('gives no port for items without a string id, and one port for a repeated id', () => {
    const ids = outputPorts(sw, { cases: [{ id: 'a' }, { id: 'a' }, { id: 7 }, { id: '' }, null, 'x', { id: 'default' }] }).map((p) => p.id);
    expect(ids).toEqual(['a', 'default']);
  });

  it('reads a dotted fromField and ignores a config without the array', () => {
    const spec = { outputs: [], dynamicOutputs: { fromField: 'split.variants', idKey: 'key', labelKey: 'name' } };
    expect(outputPorts(spec, { split: { variants: [{ key: 'a', name: 'A' }] } }).map((p) => p.id)).toEqual(['a']);
    expect(outputPorts(spec, {})).toEqual([]);
    expect(outputPorts(spec, null)).toEqual([]);
  });
});
