import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, loadConfig, renderEnvTable, setting, TEST_ENV_VARS } from './config.js';
import { readmeEnvTable } from '../scripts/env-table.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** Where reading process.env directly is allowed, and why. */
const DIRECT_READS: Record<string, string> = {
  'apps/server/src/config.ts': 'the registry itself',
  'apps/editor/vite.config.ts': "the editor's dev server (NUDGE_API_URL, listed in TEST_ENV_VARS)",
  'packages/temporal-lite/src/cli.ts': "temporal-lite's own command line (--db defaults to DATABASE_URL)",
};
const isTestSupport = (path: string) => /\.test\.tsx?$|(^|\/)(test|testing)\/|(^|\/)(testing|test-support)\.ts$/.test(path);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}
const productCode = [...sources(join(root, 'apps')), ...sources(join(root, 'packages'))]
  .map((p) => relative(root, p))
  .filter((p) => !isTestSupport(p) && !p.startsWith('apps/server/scripts/'));
const text = new Map(productCode.map((p) => [p, readFileSync(join(root, p), 'utf8')]));

describe('the environment registry (config.ts)', () => {
  it("is what README.md's table of variables says (pnpm docs:env rewrites it)", () => {
    expect(readmeEnvTable(), 'README.md is out of date: run `pnpm docs:env`').toBe(renderEnvTable());
  });

  it('is the only place product code reads process.env', () => {
    const offenders = [...text].filter(([p, t]) => /process\.env/.test(t) && !(p in DIRECT_READS)).map(([p]) => p);
    expect(offenders, 'read these variables through setting() in apps/server/src/config.ts').toEqual([]);
  });

  it('lists every variable that is read, and every variable it lists is read somewhere', () => {
    const listed = new Set([...Object.keys(ENV_VARS), ...Object.keys(TEST_ENV_VARS)]);
    const read = new Set<string>();
    for (const [, t] of text) {
      for (const m of t.matchAll(/(?:process\.env|\benv)\.([A-Z][A-Z0-9_]+)|setting\(\s*'([A-Z][A-Z0-9_]+)'/g)) read.add(m[1] ?? m[2]!);
    }
    expect([...read].filter((n) => !listed.has(n)), 'read but not in ENV_VARS').toEqual([]);
    const config = text.get('apps/server/src/config.ts')!;
    const unread = Object.keys(ENV_VARS).filter((n) => !read.has(n) && ![...text.values()].some((t) => new RegExp(`(config|\\bc)\\.${n}\\b|'${n}'`).test(t)));
    expect(unread, 'in ENV_VARS but read nowhere').toEqual([]);
    expect(config).toContain('channelSettings');
  });

  it('parses values to their types, with defaults, and names a wrong one', () => {
    expect(setting('NUDGE_IMPORT_CHUNK', {})).toBe(250);
    expect(setting('NUDGE_IMPORT_CHUNK', { NUDGE_IMPORT_CHUNK: '40' })).toBe(40);
    expect(setting('NUDGE_DEFAULT_REGION', { NUDGE_DEFAULT_REGION: 'us' })).toBe('US');
    expect(setting('NUDGE_WEBHOOK_ALLOW_PRIVATE', { NUDGE_WEBHOOK_ALLOW_PRIVATE: 'true' })).toBe(true);
    expect(setting('NUDGE_DEFAULT_TIMEZONE', { NUDGE_DEFAULT_TIMEZONE: '' })).toBe('UTC');
    expect(() => setting('NUDGE_INBOX_LEASE_MS', { NUDGE_INBOX_LEASE_MS: 'soon' })).toThrow(/NUDGE_INBOX_LEASE_MS/);
    const c = loadConfig({ NUDGE_PORT: '4000', PORT: '5000' });
    expect([c.port, c.dbUrl, c.HOST]).toEqual([4000, '.data/nudge', '127.0.0.1']);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' })).toThrow(/DATABASE_URL[\s\S]*PORT|PORT[\s\S]*DATABASE_URL/);
  });
});
