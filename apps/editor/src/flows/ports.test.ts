// The editor draws a node's output handles from its manifest entry; the server's validator (and
// the compiler and the runtime) judge connections from the node definition. Same ports, always.
import { analyzeGraph, buildManifest, nodeKey, nodeRegistry } from '@nudge/workflow-nodes';
import { describe, expect, it } from 'vitest';
import { manifest as manifestSchema } from '../api/schemas';
import { outputPorts } from './ports';

// the manifest as the editor has it: served as JSON, parsed with the editor's schema
const manifest = new Map(manifestSchema.parse(JSON.parse(JSON.stringify(buildManifest()))).nodes.map((n) => [n.key, n]));

const validatorPorts = (key: string, config: Record<string, unknown>) => {
  const graph = { nodes: [{ id: 'n', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: key, config } }], edges: [] };
  return analyzeGraph(graph).resolved.get('n')!.ports.map((p) => p.id);
};
const editorPorts = (key: string, config: Record<string, unknown>) => outputPorts(manifest.get(key), config).map((p) => p.id);

describe('output ports: editor and validator agree', () => {
  const configs = (fromField: string, idKey: string, labelKey: string): Record<string, unknown>[] => [
    {},
    { [fromField]: [] },
    { [fromField]: [{ [idKey]: 'vip', [labelKey]: 'VIP', percent: 50 }, { [idKey]: 'rest', [labelKey]: 'Rest', percent: 50 }] },
    // invalid configs are drawn as well: repeated ids, ids that are not strings, an id taken by a fixed port
    { [fromField]: [{ [idKey]: 'a' }, { [idKey]: 'a' }, { [idKey]: 3 }, { [idKey]: '' }, null, 'x', { [idKey]: 'default' }, { [idKey]: 'next' }] },
    { [fromField]: 'not a list' },
  ];

  for (const def of nodeRegistry) {
    it(`${nodeKey(def)}`, () => {
      const key = nodeKey(def);
      const dyn = def.dynamicOutputs;
      for (const config of dyn ? configs(dyn.fromField, dyn.idKey, dyn.labelKey) : [{ ...def.defaults }]) {
        expect(editorPorts(key, config), JSON.stringify(config)).toEqual(validatorPorts(key, config));
      }
      if (def.kind !== 'trigger') expect(editorPorts(key, { ...def.defaults })).toEqual(validatorPorts(key, { ...def.defaults }));
    });
  }

  it('covers nodes with dynamic ports (switch, A/B split)', () => {
    expect(nodeRegistry.filter((d) => d.dynamicOutputs).map((d) => d.type).sort()).toEqual(['condition.switch', 'control.ab_split']);
    expect(editorPorts('condition.switch@1', { cases: [{ id: 'vip', label: 'VIP' }] })).toEqual(['vip', 'default']);
  });
});
