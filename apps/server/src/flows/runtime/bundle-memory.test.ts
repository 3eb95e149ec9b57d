/**
 * The workflow bundle is built in a child process: webpack's compiler and swc's native modules never load into
 * the server. Built in a worker thread they stayed mapped for the life of the process (~23 MB
 * resident of swc alone, native modules cannot be unloaded) with webpack's malloc arenas.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { flowWorkflowBundle } from './worker.js';

const mappedNativeModules = () =>
  [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((p) => p.endsWith('.node')))];

describe('flowWorkflowBundle', () => {
  it("returns the interpreter bundle without loading webpack's compiler or swc into this process", async () => {
    expect(mappedNativeModules().filter((p) => /swc/.test(p))).toEqual([]);
    const bundle = await flowWorkflowBundle();
    expect(bundle.code).toMatch(/__TEMPORAL__/);
    expect(bundle.code.length).toBeGreaterThan(100_000);
    expect(await flowWorkflowBundle()).toBe(bundle); // once per process
    expect(mappedNativeModules().filter((p) => /swc/.test(p))).toEqual([]);
    expect(Object.keys(createRequire(import.meta.url).cache).filter((k) => /webpack\/lib\/(Compiler|webpack)\.js$/.test(k))).toEqual([]);
  }, 120_000);
});
