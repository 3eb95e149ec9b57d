import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, onLite, type Harness } from './harness.js';
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
  it('connects the SDK test environment to the server', async () => {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const { Worker } = await import('@temporalio/worker');
    const { workflowBundle } = await import('./harness.js');
    const activities = await import('./activities.js');
    const h = await createHarness();
    try {
      const env = await TestWorkflowEnvironment.createFromExistingServer({ address: h.temporal.address });
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'test-env', workflowBundle: await workflowBundle(), activities });
      const r = await worker.runUntil(env.client.workflow.execute(hello, { taskQueue: 'test-env', workflowId: 'test-env-1', args: ['env'] }));
      expect(r).toBe('Hello, env!');
      await env.teardown();
    } finally {
      await h.close();
    }
  });
});

// temporal-lite's own feature (a server in a worker thread)
describe.runIf(onLite)('thread mode', () => {
  it('serves the SDK from a worker thread with its own database connection, and moves its clock', async () => {
    const { Client, Connection } = await import('@temporalio/client');
    const { NativeConnection, Worker } = await import('@temporalio/worker');
    const { workflowBundle, installRuntime } = await import('./harness.js');
    const { createTestDb } = await import('@nudge/db/testing');
    const activities = await import('./activities.js');
    installRuntime();
    const db = await createTestDb({ migrate: false });
    const { startTemporalLite } = await import('../src/index.js');
    const server = await startTemporalLite({ thread: true, dbUrl: db.driver === 'postgres' ? db.url : 'memory://', port: 0, timeSkipping: true });
    const nc = await NativeConnection.connect({ address: server.address });
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      const worker = await Worker.create({ connection: nc, taskQueue: 'threaded', workflowBundle: await workflowBundle(), activities });
      const slept = await worker.runUntil(client.workflow.execute(sleeper, { taskQueue: 'threaded', workflowId: 'threaded-1', args: [3 * 24 * 3600 * 1000] }));
      expect(slept).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
      expect((await server.stats()).commits).toBeGreaterThan(0);
    } finally {
      await connection.close();
      await nc.close();
      await server.stop();
      await db.cleanup();
    }
  });
});
