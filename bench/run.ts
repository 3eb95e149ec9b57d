/** `pnpm bench <name> [args…]` runs bench/<name>.ts; without a name, lists the benchmarks. */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.replace(/\.ts$/, ''));
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.log(`Usage: pnpm bench <name> [args…]\nBenchmarks: ${names.join(', ')}`);
  process.exit(name ? 2 : 0);
}
// glibc's malloc arenas as `pnpm start` sets them (MALLOC_ARENA_MAX=2), so memory figures are the product's
const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' };
const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`, ...args], { stdio: 'inherit', cwd: dir, env });
process.exit(r.status ?? 1);
