/**
 * Eager workflow start (engine.workerConnection): the flow worker shares the client's connection,
 * so a run's first workflow task comes back in the start's answer. A second worker running beside
 * it gets a connection of its own (the core refuses two workers of one task queue on one
 * connection), and after a worker restart the new worker has the client's connection again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { enrollCustomer } from './enroll.js';
import { startFlowRuntime, type FlowRuntime } from './worker.js';
import { createRuntimeWorld, createUser, onJavaTestServer, publishFlow, seedCustomers, type RuntimeWorld } from './test-support.js';

let w: RuntimeWorld;
let ownerId: string;
beforeAll(async () => {
  w = await createRuntimeWorld();
  ownerId = await createUser(w.ctx);
}, 120_000);
afterAll(async () => {
  await w?.close();
});

const noteFlow = { nodes: [step('trigger', 'trigger.manual@1'), step('note', 'action.add_note@1', { text: 'hi' })], edges: [edge('trigger', 'next', 'note')] };

/** runs the flow for a new customer; whether its first workflow task came with the start's answer */
async function runOnce(flowId: string): Promise<boolean | null | undefined> {
  const [customerId] = await seedCustomers(w.ctx, { count: 1, ownerId });
  const r = await enrollCustomer(w.ctx, { flowId, customerId: customerId! });
  const handle = w.engine.client.workflow.getHandle(r.run!.workflowId);
  await handle.result();
  const [started] = (await handle.fetchHistory()).events!;
  return started!.workflowExecutionStartedEventAttributes!.eagerExecutionAccepted;
}

describe('eager workflow start', () => {
  it('hands the client’s connection to one worker at a time; the next gets its own until it is released', async () => {
    const a = await w.engine.workerConnection(); // the world's runtime holds the shared one already
    expect(a.connection).not.toBe(w.engine.connection);
    await a.release();
  });

  it('runs a second worker beside the first, and eager starts go on after a worker restart', async () => {
    const { flowId } = await publishFlow(w.ctx, noteFlow, { enrollment: { mode: 'again_after_days', days: 0 } });
    if (!onJavaTestServer) expect(await runOnce(flowId)).toBe(true);
    let second: FlowRuntime | undefined;
    try {
      second = await startFlowRuntime(w.ctx, { channels: w.channels, sweepEveryMs: 0, wireTriggers: false, allowPrivateWebhooks: true });
      expect(second.worker.getState()).toBe('RUNNING');
      await runOnce(flowId); // either worker takes it
    } finally {
      await second?.stop();
    }
    await w.restartWorker();
    if (!onJavaTestServer) expect(await runOnce(flowId)).toBe(true);
  });
});
