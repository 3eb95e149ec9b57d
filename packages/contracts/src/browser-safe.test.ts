// The editor bundles @nudge/contracts: it must load zod, drizzle's table definitions (the field
// registry is derived from them) and workflow-nodes' shapes — never a database driver, the
// nodes' runtime or a node: module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const workspace: Record<string, string> = {
  '@nudge/workflow-nodes/graph': 'packages/workflow-nodes/src/graph/shapes.ts',
  '@nudge/db/schema': 'packages/db/src/schema/index.ts',
  '@nudge/db/fields': 'packages/db/src/customer-fields.ts',
};

/** Every module loaded at run time from `file` (type-only imports left out): workspace files and outside packages. */
function walk(file: string, files = new Set<string>(), packages = new Set<string>()) {
  if (files.has(file)) return { files, packages };
  files.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    const s = m[1]!;
    if (s.startsWith('.')) walk(resolve(dirname(file), s.replace(/\.js$/, '.ts')), files, packages);
    else if (workspace[s]) walk(resolve(root, workspace[s]), files, packages);
    else packages.add(s);
  }
  return { files, packages };
}

describe('@nudge/contracts in the browser', () => {
  it('loads only zod, drizzle table definitions and workflow-nodes shapes', () => {
    const { files, packages } = walk(resolve(root, 'packages/contracts/src/index.ts'));
    expect([...packages].sort()).toEqual(['drizzle-orm', 'drizzle-orm/pg-core', 'zod']);
    const outside = [...files].map((f) => f.slice(root.length + 1)).filter((f) => !f.startsWith('packages/contracts/'));
    expect(outside.filter((f) => f.startsWith('packages/workflow-nodes/src/nodes/') || /registry|runtime|client|migrate/.test(f))).toEqual([]);
    expect(outside.every((f) => f.startsWith('packages/db/src/') || f.startsWith('packages/workflow-nodes/src/'))).toBe(true);
  });

  it('names every workspace entry it imports as the package exports it', () => {
    const require = createRequire(import.meta.url);
    for (const [spec, file] of Object.entries(workspace)) {
      const [scope, name, ...sub] = spec.split('/');
      const pkg = require(resolve(root, `packages/${name}/package.json`)) as { exports: Record<string, string> };
      expect(pkg.exports[`./${sub.join('/')}`], `${scope}/${name}`).toBe(`./${file.split('/').slice(2).join('/')}`);
    }
  });
});
