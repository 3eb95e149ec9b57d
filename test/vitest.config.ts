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
    // a browser on a loaded machine (CI runs two passes side by side) may take more than vitest's
    // default second to show what a poll waits for; a condition that never holds still fails
    expect: { poll: { timeout: 15_000 } },
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['./e2e/global-setup.ts'],
  },
});
