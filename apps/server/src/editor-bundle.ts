/**
 * Is the built editor (apps/editor/dist) older than its sources? `pnpm start` serves the bundle and
 * builds it when missing; it must also rebuild after a `git pull` (or an edit) changed the editor or
 * a workspace package it bundles, or users get yesterday's screens with today's API.
 *
 * The sources are apps/editor's own files (src/, index.html, vite.config.ts, package.json) and the
 * src/ (tests left out) and package.json of every workspace package it depends on, followed through their
 * package.json dependencies (contracts → db, workflow-nodes). A file newer than dist/index.html
 * means stale: a checkout or an edit sets a changed file's mtime to now, and a build writes
 * index.html last.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type BundleState =
  | { state: 'missing' }
  | { state: 'stale'; newerFile: string }
  | { state: 'fresh' };

export function editorBundleState(repoRoot: string): BundleState {
  const index = join(repoRoot, 'apps/editor/dist/index.html');
  if (!existsSync(index)) return { state: 'missing' };
  const builtAt = statSync(index).mtimeMs;
  for (const file of editorSourceFiles(repoRoot)) {
    if (statSync(file).mtimeMs > builtAt) return { state: 'stale', newerFile: file };
  }
  return { state: 'fresh' };
}

/** Every file the editor bundle is built from (see the header). */
export function editorSourceFiles(repoRoot: string): string[] {
  const packageDirs = workspacePackageDirs(repoRoot);
  const dirs = new Set<string>();
  const visit = (dir: string) => {
    if (dirs.has(dir)) return;
    dirs.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
      const depDir = packageDirs.get(name);
      if (depDir && range.startsWith('workspace:')) visit(depDir);
    }
  };
  const editorDir = join(repoRoot, 'apps/editor');
  visit(editorDir);
  const files: string[] = [];
  for (const dir of dirs) {
    for (const name of ['package.json', 'index.html', 'vite.config.ts']) {
      if (existsSync(join(dir, name))) files.push(join(dir, name));
    }
    walk(join(dir, 'src'), files);
  }
  return files;
}

function workspacePackageDirs(repoRoot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const parent of ['apps', 'packages']) {
    const root = join(repoRoot, parent);
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const pkgFile = join(root, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(pkgFile)) continue;
      const { name } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: string };
      if (name) out.set(name, join(root, entry.name));
    }
  }
  return out;
}

function walk(dir: string, into: string[]) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // tests are not bundled: editing one is no reason to rebuild
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || /\.(test|spec)\.[cm]?[jt]sx?$/.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, into);
    else if (entry.isFile()) into.push(path);
  }
}
