import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';
import { hello, sleeper } from './workflows.js';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.startWorker();
  });
  afterAll(async () => { await h?.close(); });

  it('runs a workflow with an activity', async () => {
    const r = await h.client.workflow.execute(hello, { taskQueue: h.taskQueue, workflowId: 'smoke-1', args: ['World'] });
    expect(r).toBe('Hello, World!');
  });
  it('runs a timer', async () => {
    const r = await h.client.workflow.execute(sleeper, { taskQueue: h.taskQueue, workflowId: 'smoke-2', args: [200] });
    expect(r).toBeGreaterThanOrEqual(200);
  });
});

describe('TestWorkflowEnvironment.createFromExistingServer', () => {
  it('connects the SDK test environment to temporal-lite', async () => {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const { Worker } = await import('@temporalio/worker');
    const { workflowBundle } = await import('./harness.js');
    const activities = await import('./activities.js');
    const h = await createHarness();
    try {
      const env = await TestWorkflowEnvironment.createFromExistingServer({ address: h.server.address });
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'test-env', workflowBundle: await workflowBundle(), activities });
      const r = await worker.runUntil(env.client.workflow.execute(hello, { taskQueue: 'test-env', workflowId: 'test-env-1', args: ['env'] }));
      expect(r).toBe('Hello, env!');
      await env.teardown();
    } finally {
      await h.close();
    }
  });
});
