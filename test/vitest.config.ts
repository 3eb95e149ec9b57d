import { defineConfig } from 'vitest/config';

// Cross-package and browser tests. One file at a time: the e2e test starts the whole product.
// The editor bundle is built once for the run (e2e/global-setup.ts), not once per file.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['./e2e/global-setup.ts'],
  },
});
