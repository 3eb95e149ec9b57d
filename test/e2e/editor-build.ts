import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Builds the editor bundle the product serves (apps/editor/dist), as `pnpm --filter @nudge/editor build`. */
export function buildEditor(): void {
  const res = spawnSync('pnpm', ['--filter', '@nudge/editor', 'build'], { cwd: resolve(import.meta.dirname, '..', '..'), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`editor build failed:\n${res.stdout}\n${res.stderr}`);
}
