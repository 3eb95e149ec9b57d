/** The interpreter bundles for the workflow sandbox: a forbidden import (node:fs, a DB driver) fails here, not at worker start-up. */
import { describe, expect, it } from 'vitest';
import { flowWorkflowBundle } from './worker.js';

describe('interpreter workflow bundle', () => {
  it('bundles with bundleWorkflowCode and contains no Node built-ins or database drivers', async () => {
    const bundle = await flowWorkflowBundle();
    expect(bundle.code.length).toBeGreaterThan(10_000);
    expect(bundle.code).toContain('flowRun');
    for (const forbidden of ['drizzle-orm', '@electric-sql/pglite', 'postgres.js', 'nodemailer', 'node:dns', 'node:crypto']) {
      expect(bundle.code.includes(`require("${forbidden}")`) || bundle.code.includes(`from "${forbidden}"`)).toBe(false);
    }
  }, 120_000);
});
