/**
 * Where the process's resident memory is, for the memory benchmarks (Linux only; zeros elsewhere).
 * `process.memoryUsage()` says how much of RSS is the main thread's V8 heap and its buffers; the
 * rest is found by walking /proc/self/smaps:
 *   wasm    — the WebAssembly memories (PGlite's Postgres heap): the anonymous mappings whose size is
 *             that of a memory the caller names (`wasmBytes`, e.g. PGlite's `mod.HEAPU8.byteLength`)
 *   arenas  — glibc malloc: the main arena ([heap]) and the per-thread arenas (64 MiB-aligned
 *             anonymous mappings of ≤ 64 MiB), used by the SDK's Rust core, V8 and the workflow threads
 *   code    — file-backed mappings (node, the core bridge, ICU…)
 *   otherAnon — the rest: V8 heap pages of every isolate (main and workflow threads), thread stacks
 */
import { readFileSync } from 'node:fs';

const MIB = 1_048_576;
const ARENA = 64 * MIB;

export interface MemoryBreakdown {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  wasm: number;
  arenas: number;
  code: number;
  otherAnon: number;
  threads: number;
}

/** All figures in MiB (threads: the process's thread count). */
export function memoryBreakdown(wasmBytes: number[] = []): MemoryBreakdown {
  const m = process.memoryUsage();
  const out: MemoryBreakdown = { rss: m.rss / MIB, heapUsed: m.heapUsed / MIB, heapTotal: m.heapTotal / MIB, external: m.external / MIB, arrayBuffers: m.arrayBuffers / MIB, wasm: 0, arenas: 0, code: 0, otherAnon: 0, threads: 0 };
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
    out.threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  } catch {
    return out;
  }
  let kind: keyof MemoryBreakdown = 'otherAnon';
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const start = parseInt(head[1]!, 16);
      const size = parseInt(head[2]!, 16) - start;
      const name = head[4]!.trim();
      const inode = head[3] !== '0';
      if (name === '[heap]') kind = 'arenas';
      else if (inode || name.startsWith('/')) kind = 'code';
      else if (name.startsWith('[')) kind = 'otherAnon'; // [stack], [vdso], [anon:…]
      else if (wasmBytes.some((b) => Math.abs(b - size) < MIB)) kind = 'wasm';
      else if (start % ARENA === 0 && size <= ARENA) kind = 'arenas';
      else kind = 'otherAnon';
      continue;
    }
    if (line.startsWith('Rss:')) (out[kind] as number) += Number(/(\d+)/.exec(line)![1]) / 1024;
  }
  return out;
}

const f = (n: number) => n.toFixed(0).padStart(5);
/** one line: rss, V8 heap used, external (includes array buffers and the WASM memories), then RSS by kind of mapping */
export function formatBreakdown(b: MemoryBreakdown): string {
  return `rss ${f(b.rss)}  heap ${f(b.heapUsed)}  external ${f(b.external)}  | wasm ${f(b.wasm)}  malloc ${f(b.arenas)}  other anon ${f(b.otherAnon)}  code ${f(b.code)}  MB  threads ${b.threads}`;
}

/** The WASM memory sizes of a PGlite database handle (none for postgres.js). */
export function wasmMemoryOf(db: { db: unknown }): number[] {
  const heap = (db.db as { $client?: { mod?: { HEAPU8?: Uint8Array } } }).$client?.mod?.HEAPU8;
  return heap ? [heap.byteLength] : [];
}
