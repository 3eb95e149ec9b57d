/**
 * The control entry point must load inside Temporal's workflow sandbox: its import graph may
 * reach only our own pure files, zod and luxon — no Node built-ins, no I/O libraries.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { controlNode, controlNodes } from './control.js';
import { nodeKey } from './define.js';
import { goalControl } from './nodes/control/goal.js';
import { GOAL_NODE_KEY } from './sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));
const allowedPackages = new Set(['zod', 'luxon']);

function importGraph(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
      if (m[1]) continue; // type-only imports vanish at compile time
      const spec = m[2]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('@nudge/workflow-nodes/control', () => {
  it('imports only pure modules', () => {
    const { files, packages } = importGraph(join(here, 'control.ts'));
    expect([...packages].filter((p) => !allowedPackages.has(p))).toEqual([]);
    const reached = [...files].map((f) => f.slice(here.length + 1));
    expect(reached.some((f) => f.startsWith('nodes/actions/') || f.startsWith('nodes/conditions/') || f.startsWith('testing/'))).toBe(false);
    expect(reached).toContain('graph/plan.ts');
  });
  it('keeps the shared validator browser-safe: no Node built-ins, no I/O libraries', () => {
    const { files, packages } = importGraph(join(here, 'graph', 'index.ts'));
    expect([...packages].filter((p) => !['zod', 'luxon', 'croner'].includes(p))).toEqual([]);
    expect([...files].some((f) => f.includes('/testing/'))).toBe(false);
  });

  it('keeps the lean sandbox entry free of zod and luxon (evaluated again for every workflow)', () => {
    const { files, packages } = importGraph(join(here, 'sandbox.ts'));
    expect([...packages]).toEqual([]);
    expect([...files].map((f) => f.slice(here.length + 1))).toEqual(['sandbox.ts']);
    expect(GOAL_NODE_KEY).toBe(nodeKey(goalControl));
  });

  it('finds control nodes by plan key only', () => {
    expect(controlNode('control.wait@1')).toBe(controlNodes[0]);
    expect(controlNode('action.send_message@1')).toBeUndefined();
  });
});
