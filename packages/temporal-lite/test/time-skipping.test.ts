import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection.js';
import { canSkipTime, createHarness, type Harness } from './harness.js';
import { calls } from './activities.js';
import * as wf from './workflows.js';

// needs a server that skips time: temporal-lite or the Java test server (not the dev server)
describe.runIf(canSkipTime)('time skipping', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true });
    await h.startWorker();
  });
  afterAll(async () => { await h?.close(); });

  it('skips a 3-day sleep when nothing else is pending', async () => {
    const started = Date.now();
    const elapsedInWorkflow = await h.client.workflow.execute(wf.longWait, { taskQueue: h.taskQueue, workflowId: 'skip-1' });
    expect(elapsedInWorkflow).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('skips past due times left behind by finished activities', async () => {
    const r = await h.client.workflow.execute(wf.staleTimeoutThenSleep, { taskQueue: h.taskQueue, workflowId: 'skip-stale' });
    expect(r).toBe('woke up');
  });

  it('takes the timeout branch when nobody replies', async () => {
    calls.delete('greet:phone task');
    const r = await h.client.workflow.execute(wf.replyWithin3Days, { taskQueue: h.taskQueue, workflowId: 'skip-2' });
    expect(r).toBe('no reply');
    expect(calls.get('greet:phone task')).toBe(1);
  });

  it('lets a test hold the clock, advance it by hand and signal on "day 2"', async () => {
    calls.delete('greet:phone task');
    await h.temporal.lock();
    try {
      const handle = await h.client.workflow.start(wf.replyWithin3Days, { taskQueue: h.taskQueue, workflowId: 'skip-3' });
      const t0 = await h.temporal.now();
      await new Promise((r) => setTimeout(r, 300));
      await h.temporal.sleep(2 * 24 * 3600 * 1000);
      expect((await h.temporal.now()) - t0).toBeGreaterThanOrEqual(2 * 24 * 3600 * 1000);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.signal(wf.replied);
      expect(await handle.result()).toBe('replied');
      expect(calls.get('greet:phone task')).toBeUndefined();
    } finally {
      await h.temporal.unlock();
    }
  });

  it('serves the TestService time RPCs', async () => {
    const conn = await Connection.connect({ address: h.temporal.address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } } as never);
    const ts = conn.testService!;
    const before = await ts.getCurrentTime({});
    await ts.lockTimeSkipping({});
    await ts.unlockTimeSkippingWithSleep({ duration: { seconds: 3600 as never } });
    const after = await ts.getCurrentTime({});
    await conn.close();
    expect(Number(after.time!.seconds) - Number(before.time!.seconds)).toBeGreaterThanOrEqual(3600);
  });
});
