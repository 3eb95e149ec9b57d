import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// At least two files at once: vitest's default (cores - 1) is one at a time on CI's 2 cores, which
// leaves a core idle while a file waits on timers, child processes or the network.
export default defineConfig({ test: { maxWorkers: Math.max(2, availableParallelism() - 1), testTimeout: 60_000, hookTimeout: 60_000, include: ['src/**/*.test.ts'] } });
