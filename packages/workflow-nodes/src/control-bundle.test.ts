/**
 * Bundles a workflow that imports `@nudge/workflow-nodes/control` with Temporal's own bundler,
 * which refuses Node built-ins and other modules the workflow sandbox cannot load.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('control nodes in the Temporal workflow sandbox', () => {
  it('bundle with bundleWorkflowCode', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(here, '..', 'test-fixtures', 'control-workflow.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    expect(code).toContain('controlProbe');
    expect(code).toContain('control.wait_for_event');
  }, 120_000);
});
