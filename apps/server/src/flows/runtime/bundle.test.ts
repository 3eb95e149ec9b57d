/**
 * The interpreter bundles for the workflow sandbox (a forbidden import — node:fs, a DB driver —
 * fails here, not at worker start-up), and today's interpreter replays a history recorded by the
 * first version (commit dfad9d9, before any patch): `patched()` keeps old runs deterministic.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
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

  it('replays a run recorded by the first interpreter version (email → reply on day 1 → end)', async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [], telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } } });
    } catch {
      /* installed already */
    }
    const history = historyFromJSON(JSON.parse(readFileSync(new URL('./fixtures/flow-run-v1.history.json', import.meta.url), 'utf8')));
    expect(history.events!.some((e) => e.workflowExecutionSignaledEventAttributes)).toBe(true);
    await expect(Worker.runReplayHistory({ workflowBundle: await flowWorkflowBundle() }, history, 'flow-run-v1-fixture')).resolves.toBeUndefined();
  }, 120_000);
});
