import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editorBundleState, editorSourceFiles } from './editor-bundle.js';

const roots: string[] = [];
afterEach(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }); });

/** A small workspace: the editor → contracts → db (all workspace:*), plus a package it doesn't use. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'nudge-bundle-'));
  roots.push(root);
  const pkg = (dir: string, name: string, deps: Record<string, string> = {}, files: Record<string, string> = {}) => {
    mkdirSync(join(root, dir, 'src'), { recursive: true });
    writeFileSync(join(root, dir, 'package.json'), JSON.stringify({ name, dependencies: deps }));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(root, dir, f, '..'), { recursive: true });
      writeFileSync(join(root, dir, f), text);
    }
  };
  pkg('apps/editor', '@nudge/editor', { '@nudge/contracts': 'workspace:*', react: '^19' }, {
    'index.html': '<html>', 'vite.config.ts': '', 'src/main.tsx': '', 'src/screens/inbox.tsx': '', 'src/screens/inbox.test.tsx': '',
    'node_modules/x/index.js': '', 'dist/index.html': '<html>built',
  });
  pkg('packages/contracts', '@nudge/contracts', { '@nudge/db': 'workspace:*' }, { 'src/index.ts': '' });
  pkg('packages/db', '@nudge/db', {}, { 'src/schema.ts': '' });
  pkg('packages/channels', '@nudge/channels', {}, { 'src/index.ts': '' });
  pkg('apps/server', '@nudge/server', { '@nudge/channels': 'workspace:*' }, { 'src/main.ts': '' });
  // everything was written before the build: the bundle is one minute newer than its sources
  const t = Date.now() / 1000 - 3600;
  for (const f of [...editorSourceFiles(root), ...['packages/channels/src/index.ts', 'apps/server/src/main.ts', 'apps/editor/src/screens/inbox.test.tsx'].map((f) => join(root, f))]) utimesSync(f, t, t);
  utimesSync(join(root, 'apps/editor/dist/index.html'), t + 60, t + 60);
  return root;
}
const touch = (root: string, file: string) => { const now = Date.now() / 1000; utimesSync(join(root, file), now, now); };

describe('the editor bundle pnpm start serves', () => {
  it('lists the editor\'s files and those of the workspace packages it bundles, transitively', () => {
    const root = workspace();
    expect(editorSourceFiles(root).map((f) => relative(root, f)).sort()).toEqual([
      'apps/editor/index.html', 'apps/editor/package.json', 'apps/editor/src/main.tsx', 'apps/editor/src/screens/inbox.tsx',
      'apps/editor/vite.config.ts',
      'packages/contracts/package.json', 'packages/contracts/src/index.ts',
      'packages/db/package.json', 'packages/db/src/schema.ts',
    ]);
  });

  it('is fresh when built after its sources, missing without index.html', () => {
    const root = workspace();
    expect(editorBundleState(root)).toEqual({ state: 'fresh' });
    rmSync(join(root, 'apps/editor/dist'), { recursive: true });
    expect(editorBundleState(root)).toEqual({ state: 'missing' });
  });

  it.each([
    'apps/editor/src/screens/inbox.tsx', // an edit or a pull changed a screen
    'apps/editor/index.html',
    'packages/contracts/src/index.ts', // a package the editor imports
    'packages/db/src/schema.ts', // …and one that package imports
  ])('is stale when %s is newer than the bundle', (file) => {
    const root = workspace();
    touch(root, file);
    expect(editorBundleState(root)).toEqual({ state: 'stale', newerFile: join(root, file) });
  });

  it('is not stale for files the bundle is not built from', () => {
    const root = workspace();
    for (const f of ['apps/server/src/main.ts', 'packages/channels/src/index.ts', 'apps/editor/node_modules/x/index.js', 'apps/editor/src/screens/inbox.test.tsx']) touch(root, f);
    expect(editorBundleState(root)).toEqual({ state: 'fresh' });
  });

  it('holds on this repository: the list has the editor\'s screens and the contracts', () => {
    const repo = join(import.meta.dirname, '../../..');
    const files = editorSourceFiles(repo).map((f) => relative(repo, f));
    expect(files).toContain('apps/editor/src/main.tsx');
    expect(files.some((f) => f.startsWith('packages/contracts/src/'))).toBe(true);
    expect(files.some((f) => f.startsWith('apps/server/'))).toBe(false);
  });
});
