/** `pnpm docs:env`: writes README.md's table of environment variables from the registry in src/config.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEnvTable } from '../src/config.js';

export const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
export const START = '<!-- env:start (generated from apps/server/src/config.ts by `pnpm docs:env`) -->';
export const END = '<!-- env:end -->';

export function readmeEnvTable(text = readFileSync(README, 'utf8')): string | null {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  return a < 0 || b < a ? null : text.slice(a + START.length, b).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(README, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} section`);
  writeFileSync(README, `${text.slice(0, a + START.length)}\n${renderEnvTable()}\n${text.slice(b)}`);
  console.log('README.md: table of environment variables written');
}
