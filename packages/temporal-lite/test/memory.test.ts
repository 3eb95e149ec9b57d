// Closed executions are kept in memory within a count and a byte budget, and are read back from
// the database once evicted: memory does not grow with the number of finished runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';
import { hello } from './workflows.js';

describe('closed executions in memory', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ closedCacheSize: 1000, closedCacheBytes: 16 * 1024, dueCompactAbove: 40 });
    await h.startWorker();
  });
  afterAll(async () => { await h?.close(); });

  it('evicts the oldest beyond the byte budget and still answers for them from the database', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `mem-${i}`);
    for (let i = 0; i < ids.length; i += 10) {
      await Promise.all(ids.slice(i, i + 10).map((id) => h.client.workflow.execute(hello, { taskQueue: h.taskQueue, workflowId: id, args: [id] })));
    }
    const stats = h.server.engine.memoryStats();
    expect(stats.open).toBe(0);
    expect(stats.closedCachedKiB).toBeLessThanOrEqual(16 + 4); // at most one execution over the budget while it is written
    expect(stats.closedCached).toBeLessThan(60);
    expect(stats.executions).toBe(stats.closedCached);
    // the first one was evicted long ago: describe, history and result come from the database
    const first = h.client.workflow.getHandle('mem-0');
    expect((await first.describe()).status.name).toBe('COMPLETED');
    expect(await first.result()).toBe('Hello, mem-0!');
    expect((await first.fetchHistory()).events?.length).toBeGreaterThan(5);
    expect(h.server.engine.memoryStats().closedCachedKiB).toBeLessThanOrEqual(20);
  });

  it('drops the due times of finished runs: the timer heap does not grow with them', async () => {
    // a run timeout and an execution timeout a day away: two due times per run that outlive it
    for (let i = 0; i < 200; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => `due-${i + j}`).map((id) =>
          h.client.workflow.execute(hello, { taskQueue: h.taskQueue, workflowId: id, args: [id], workflowExecutionTimeout: '1 day', workflowRunTimeout: '1 day' }),
        ),
      );
    }
    const stats = h.server.engine.memoryStats();
    expect(stats.open).toBe(0);
    // the finished runs added 400 due times a day away: without compaction dueTimes would be ≥ 400;
    // with it the heap holds at most about twice what was live at the last compaction
    expect(stats.dueTimes).toBeLessThanOrEqual(200);
  });
});
