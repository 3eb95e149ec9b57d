import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resources } from './index';

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

const srcDir = join(__dirname, '..');
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('translations', () => {
  const en = new Set(keys(resources.en));
  it.each(['zh-TW', 'zh-CN', 'es'] as const)('%s has exactly the English keys, none empty', (lng) => {
    const other = keys(resources[lng]);
    expect(other.filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !other.includes(k))).toEqual([]);
    for (const k of other) {
      const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], resources[lng]);
      expect(typeof v === 'string' && v.trim().length > 0, `${lng}:${k}`).toBe(true);
    }
  });

  it('every literal key used in the source exists in English', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(srcDir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:t|said)\(\s*'([a-zA-Z]+\.[\w.]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    const plural = (k: string) => en.has(`${k}_one`) && en.has(`${k}_other`);
    expect([...used].filter((k) => !en.has(k) && !plural(k))).toEqual([]);
  });

  it('Chinese texts really are in Chinese and differ between Traditional and Simplified', () => {
    expect(resources['zh-TW'].nav.customers).toBe('客戶');
    expect(resources['zh-CN'].nav.customers).toBe('客户');
    expect(resources.es.nav.flows).toBe('Flujos');
  });
});
