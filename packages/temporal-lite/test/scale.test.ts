import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { createHarness, workflowBundle, type Harness } from './harness.js';
import { hello } from './workflows.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
});
afterAll(async () => { await h?.close(); });

it('runs 1,000 concurrent workflows to completion', async () => {
  const N = 1000;
  const handles = await Promise.all(Array.from({ length: N }, (_, i) =>
    h.client.workflow.start(hello, { taskQueue: h.taskQueue, workflowId: `scale-${i}`, args: [`n${i}`] })));
  const results = await Promise.all(handles.map((x) => x.result()));
  results.forEach((r, i) => expect(r).toBe(`Hello, n${i}!`));
  expect((await h.client.workflow.count(`WorkflowId STARTS_WITH 'scale-' AND ExecutionStatus = 'Completed'`)).count).toBe(N);
});

it('bundles the test workflows, and refuses workflow code that imports a Node built-in', async () => {
  const bundle = await workflowBundle();
  expect(bundle.code.length).toBeGreaterThan(1000);
  await expect(bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./fixtures/bad-workflow.ts', import.meta.url)),
    logger: new DefaultLogger('ERROR'),
  })).rejects.toThrow(/Webpack finished with errors/);
});
