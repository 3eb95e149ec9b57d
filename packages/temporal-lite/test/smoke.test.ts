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
