/**
 * temporal-lite feature tests: every behaviour is observed through the official SDK client and
 * worker (1.24), as a user of a real Temporal server would observe it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { createHarness, hasVisibility, onLite, realServerSemantics, type Harness } from './harness.js';
import { calls } from './activities.js';
import * as wf from './workflows.js';

let h: Harness;
const opts = (workflowId: string) => ({ taskQueue: h.taskQueue, workflowId });

/** a raw long poll, with the deadline a real server insists on ("Context timeout is not set") */
const rawPoll = (queue: string) => h.connection.withDeadline(Date.now() + 70_000, () =>
  h.connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'raw' }));

beforeAll(async () => {
  h = await createHarness();
  // a real server refuses attributes nobody registered (the dev server has no CustomKeywordField)
  await h.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: { CustomKeywordField: 2 } })
    .catch((e) => { if (e.code !== grpcStatus.ALREADY_EXISTS) throw e; });
  await h.startWorker();
});
afterAll(async () => { await h?.close(); });

describe('activities', () => {
  it('retries with backoff until the activity succeeds', async () => {
    const attempt = await h.client.workflow.execute(wf.flaky, { ...opts('act-retry'), args: ['flaky-1', 2] });
    expect(attempt).toBe(3);
    expect(calls.get('flaky-1')).toBe(3);
  });

  it('does not retry a non-retryable error type', async () => {
    calls.delete('fatal');
    const r = await h.client.workflow.execute(wf.fatal, opts('act-fatal'));
    expect(r).toBe('Fatal:do not retry');
    expect(calls.get('fatal')).toBe(1);
  });

  it('stops at maximumAttempts and reports the last failure', async () => {
    const r = await h.client.workflow.execute(wf.exhausted, { ...opts('act-exhausted'), args: ['flaky-2'] });
    expect(r).toBe('failed after attempts: attempt 4 failed');
    expect(calls.get('flaky-2')).toBe(4);
  });

  it('times out start-to-close and retries per policy', async () => {
    const r = await h.client.workflow.execute(wf.startToCloseTimeout, opts('act-stc'));
    expect(r).toBe('TimeoutFailure:START_TO_CLOSE');
  });

  it('times out schedule-to-close', async () => {
    const r = await h.client.workflow.execute(wf.scheduleToCloseTimeout, opts('act-s2c'));
    expect(r).toBe('TimeoutFailure:SCHEDULE_TO_CLOSE');
  });

  it('times out schedule-to-start when nobody polls the queue', async () => {
    const r = await h.client.workflow.execute(wf.scheduleToStartTimeout, opts('act-s2s'));
    expect(r).toBe('TimeoutFailure:SCHEDULE_TO_START');
  });

  it('hands heartbeat details to the next attempt after a heartbeat timeout', async () => {
    const resumedFrom = await h.client.workflow.execute(wf.heartbeatDetails, { ...opts('act-hb'), args: ['hb-1'] });
    expect(resumedFrom).toBe(3);
    expect(calls.get('hb-1')).toBe(2);
  });

  it('times out on missing heartbeats', async () => {
    const r = await h.client.workflow.execute(wf.heartbeatTimeout, opts('act-hb-timeout'));
    expect(r).toBe('TimeoutFailure:HEARTBEAT');
  });

  it('delivers activity cancellation through the heartbeat response', async () => {
    calls.delete('cancelled-activity');
    const r = await h.client.workflow.execute(wf.cancelActivity, opts('act-cancel'));
    expect(r).toBe('cancelled');
    expect(calls.get('cancelled-activity')).toBe(1);
    const history = await h.client.workflow.getHandle('act-cancel').fetchHistory();
    const types = history.events!.map((e) => e.eventType);
    expect(types).toContain(15); // ActivityTaskCancelRequested
    expect(types).toContain(16); // ActivityTaskCanceled
  });
});

describe('timers, signals and queries', () => {
  it('cancels a timer', async () => {
    expect(await h.client.workflow.execute(wf.timerCancel, opts('timer-cancel'))).toBe('timer cancelled');
  });

  it('delivers signals and answers queries', async () => {
    const handle = await h.client.workflow.start(wf.counter, opts('signals'));
    await handle.signal('inc');
    await handle.signal('inc');
    expect(await handle.query<number>('count')).toBe(2);
    await handle.signal('inc');
    expect(await handle.result()).toBe(3);
    // queries work on closed workflows too (the worker replays the history)
    expect(await handle.query<number>('count')).toBe(3);
  });

  // the Java test server answers 'Failed to query Workflow' without the handler's name
  it.runIf(realServerSemantics)('fails a query for an unknown handler with the SDK error', async () => {
    const handle = await h.client.workflow.start(wf.waitForApproval, { ...opts('query-unknown'), args: [60_000] });
    await expect(handle.query('nope')).rejects.toThrow(/nope/);
    await handle.signal(wf.approve, 'ann');
    expect(await handle.result()).toBe('approved by ann');
  });

  it('signal-with-start starts once and signals the running workflow after', async () => {
    const a = await h.client.workflow.signalWithStart(wf.counter, { ...opts('sws'), signal: 'inc', signalArgs: [] });
    const b = await h.client.workflow.signalWithStart(wf.counter, { ...opts('sws'), signal: 'inc', signalArgs: [] });
    expect(b.signaledRunId).toBe(a.signaledRunId);
    await a.signal('inc');
    expect(await a.result()).toBe(3);
  });
});

describe('workflow lifecycle', () => {
  it('fails a workflow with its error', async () => {
    const err = await h.client.workflow.execute(wf.failing, opts('wf-fail')).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toBe('boom');
  });

  it('cancels a workflow, which may run cleanup first', async () => {
    const handle = await h.client.workflow.start(wf.cancellableWorkflow, opts('wf-cancel'));
    await h.client.workflow.getHandle('wf-cancel').describe();
    await new Promise((r) => setTimeout(r, 200));
    await handle.cancel();
    const err = await handle.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(calls.get('greet:cleanup')).toBeGreaterThanOrEqual(1);
  });

  it('terminates a workflow', async () => {
    const handle = await h.client.workflow.start(wf.blockedChild, opts('wf-terminate'));
    await handle.terminate('enough');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    await expect(handle.signal(wf.approve, 'x')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('continues as new and follows the chain to the result', async () => {
    const handle = await h.client.workflow.start(wf.looping, { ...opts('wf-can'), args: [3, 0] });
    expect(await handle.result()).toBe(6);
    const first = await h.client.workflow.getHandle('wf-can', handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
  });

  it('retries a failed workflow task', async () => {
    expect(await h.client.workflow.execute(wf.wftFailsOnce, opts('wft-retry'))).toBe('recovered');
    const history = await h.client.workflow.getHandle('wft-retry').fetchHistory();
    expect(history.events!.map((e) => e.eventType)).toContain(9); // WorkflowTaskFailed
  });

  it('times out a workflow task nobody completes, then retries it', async () => {
    const handle = await h.client.workflow.start(wf.hello, { taskQueue: 'tq-wft-timeout', workflowId: 'wft-timeout', args: ['late'], workflowTaskTimeout: '1s' });
    // a poller that takes the task and never answers
    const task = await rawPoll('tq-wft-timeout');
    expect(task.taskToken?.length).toBeGreaterThan(0);
    const { stop } = await h.startWorker({ taskQueue: 'tq-wft-timeout' });
    expect(await handle.result()).toBe('Hello, late!');
    await stop();
    const types = (await handle.fetchHistory()).events!.map((e) => e.eventType);
    expect(types).toContain(8); // WorkflowTaskTimedOut
  });

  // the Java test server closes the failed attempt as CONTINUED_AS_NEW
  it.runIf(realServerSemantics)('retries a failed workflow per its retry policy, in a new run', async () => {
    const handle = await h.client.workflow.start(wf.succeedsOnSecondAttempt, { ...opts('wf-retry'), retry: { maximumAttempts: 3, initialInterval: '50ms' } });
    expect(await handle.result()).toBe(2);
    const first = await h.client.workflow.getHandle('wf-retry', handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('FAILED');
  });

  it('delays the first workflow task by startDelay', async () => {
    const t0 = Date.now();
    expect(await h.client.workflow.execute(wf.hello, { ...opts('wf-delay'), args: ['later'], startDelay: '600ms' })).toBe('Hello, later!');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
  });

  it('runs child workflows: completion, failure and cancellation reach the parent', async () => {
    expect(await h.client.workflow.execute(wf.parent, { ...opts('parent-1'), args: [21] })).toBe('42|negative|child cancelled');
  });

  // the Java test server does not apply parent close policies
  it.runIf(realServerSemantics)('applies the parent close policy', async () => {
    await h.client.workflow.execute(wf.abandoningParent, { ...opts('pcp-term'), args: ['TERMINATE'] });
    await h.client.workflow.execute(wf.abandoningParent, { ...opts('pcp-aband'), args: ['ABANDON'] });
    expect((await h.client.workflow.getHandle('pcp-term-kid').describe()).status.name).toBe('TERMINATED');
    const kid = h.client.workflow.getHandle('pcp-aband-kid');
    expect((await kid.describe()).status.name).toBe('RUNNING');
    await kid.terminate();
  });

  it('keeps memo and search attributes', async () => {
    const handle = await h.client.workflow.start(wf.withMemo, { ...opts('memo'), memo: { stage: 'one', owner: 'ann' } });
    await handle.result();
    const d = await handle.describe();
    expect(d.memo).toEqual({ stage: 'two', owner: 'ann' });
    expect(d.searchAttributes.CustomKeywordField).toEqual(['abc']);
  });
});

describe('workflow id policies', () => {
  it('refuses a second start of a running id, or attaches with USE_EXISTING', async () => {
    const a = await h.client.workflow.start(wf.blockedChild, opts('ids-1'));
    await expect(h.client.workflow.start(wf.blockedChild, opts('ids-1'))).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const b = await h.client.workflow.start(wf.blockedChild, { ...opts('ids-1'), workflowIdConflictPolicy: 'USE_EXISTING' });
    expect(b.firstExecutionRunId).toBe(a.firstExecutionRunId);
    const c = await h.client.workflow.start(wf.blockedChild, { ...opts('ids-1'), workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
    expect(c.firstExecutionRunId).not.toBe(a.firstExecutionRunId);
    expect((await h.client.workflow.getHandle('ids-1', a.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');
    await c.terminate();
  });

  it('starts one run when many starts of the same new id arrive at once', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => h.client.workflow.start(wf.blockedChild, opts('ids-race'))));
    const started = results.filter((r) => r.status === 'fulfilled');
    expect(started).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    if (hasVisibility) {
      let n = 0;
      for (let i = 0; i < 100 && n < 1; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        n = (await h.client.workflow.count(`WorkflowId = 'ids-race' AND ExecutionStatus = 'Running'`)).count;
      }
      expect(n).toBe(1);
    }
    await (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof h.client.workflow.start>>>).value.terminate();
  });

  it('applies the id reuse policy to closed runs', async () => {
    await h.client.workflow.execute(wf.hello, { ...opts('ids-2'), args: ['a'] });
    await expect(h.client.workflow.start(wf.hello, { ...opts('ids-2'), args: ['b'], workflowIdReusePolicy: 'REJECT_DUPLICATE' }))
      .rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await expect(h.client.workflow.start(wf.hello, { ...opts('ids-2'), args: ['b'], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }))
      .rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(await h.client.workflow.execute(wf.hello, { ...opts('ids-2'), args: ['c'], workflowIdReusePolicy: 'ALLOW_DUPLICATE' })).toBe('Hello, c!');
  });
});

describe('visibility and history', () => {
  // the Java test server has no visibility store (List/Count with a query)
  it.runIf(hasVisibility)('lists executions by status, type and id, newest first, paged', async () => {
    const prefix = `vis-${Date.now()}`;
    for (let i = 0; i < 5; i++) await h.client.workflow.execute(wf.hello, { ...opts(`${prefix}-${i}`), args: [`v${i}`] });
    const running = await h.client.workflow.start(wf.blockedChild, opts(`${prefix}-run`));
    let ids: string[] = [];
    for (let i = 0; i < 100 && ids.length < 5; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      ids = [];
      for await (const x of h.client.workflow.list({ query: `WorkflowType = 'hello' AND WorkflowId STARTS_WITH '${prefix}'`, pageSize: 2 })) ids.push(x.workflowId);
    }
    expect(ids).toEqual([4, 3, 2, 1, 0].map((i) => `${prefix}-${i}`));
    // a real server's visibility is eventually consistent: a run just started shows up shortly after
    let open: string[] = [];
    for (let i = 0; i < 100 && open.length === 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      open = [];
      for await (const x of h.client.workflow.list({ query: `ExecutionStatus = 'Running' AND WorkflowId = '${prefix}-run'` })) open.push(x.workflowId);
    }
    expect(open).toEqual([`${prefix}-run`]);
    let n = 0;
    for (let i = 0; i < 100 && n < 6; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      n = (await h.client.workflow.count(`WorkflowId STARTS_WITH '${prefix}'`)).count;
    }
    expect(n).toBe(6);
    await expect(h.client.workflow.list({ query: 'WorkflowType = ' })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT, details: expect.stringMatching(/invalid query/) } });
    await running.terminate();
  });

  // the Java test server ignores maximumPageSize
  it.runIf(realServerSemantics)('pages history and long-polls for new events', async () => {
    const handle = await h.client.workflow.start(wf.waitForApproval, { ...opts('history'), args: [60_000] });
    await new Promise((r) => setTimeout(r, 300));
    const page1 = await h.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: 'history' }, maximumPageSize: 2 });
    // a real server pages by stored event batches (a page may hold a little more than asked)
    expect(page1.history!.events!.map((e) => Number(e.eventId))).toEqual([1, 2, 3].slice(0, page1.history!.events!.length));
    expect(page1.nextPageToken!.length).toBeGreaterThan(0);
    const page2 = await h.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: 'history' }, maximumPageSize: 2, nextPageToken: page1.nextPageToken });
    expect(Number(page2.history!.events![0]!.eventId)).toBe(page1.history!.events!.length + 1);
    const all = await h.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: 'history' }, waitNewEvent: true });
    const last = Number(all.history!.events!.at(-1)!.eventId);
    const poll = h.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: 'history' }, waitNewEvent: true, nextPageToken: all.nextPageToken });
    await handle.signal(wf.approve, 'bob');
    const next = await poll;
    expect(Number(next.history!.events![0]!.eventId)).toBe(last + 1);
    expect(await handle.result()).toBe('approved by bob');
  });

  it('refuses to close a workflow while a signal waits: the task fails with UNHANDLED_COMMAND, the next one sees the signal', async () => {
    const svc = h.connection.workflowService;
    const tq = 'tq-unhandled';
    await h.client.workflow.start('hello', { taskQueue: tq, workflowId: 'unhandled-1', args: ['x'] });
    const first = await rawPoll(tq);
    await h.client.workflow.getHandle('unhandled-1').signal('late');
    // the completion is refused (INVALID_ARGUMENT "UnhandledCommand") and the task failed
    await expect(svc.respondWorkflowTaskCompleted({ taskToken: first.taskToken, identity: 'raw', commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }] }))
      .rejects.toMatchObject({ code: grpcStatus.INVALID_ARGUMENT, details: 'UnhandledCommand' });
    const second = await rawPoll(tq);
    const types = second.history!.events!.map((e) => e.eventType);
    expect(types).toEqual([1, 5, 6, 9, 26, 5, 6]); // started, wft sched/start, WFT FAILED, SIGNALED, wft sched/start
    expect(second.history!.events![3]!.workflowTaskFailedEventAttributes!.cause).toBe(1); // UNHANDLED_COMMAND
    await svc.respondWorkflowTaskCompleted({ taskToken: second.taskToken, identity: 'raw', commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }] });
    expect((await h.client.workflow.getHandle('unhandled-1').describe()).status.name).toBe('COMPLETED');
  });

  // temporal-lite's own answer for what it leaves out (a real server implements DescribeTaskQueue)
  it.runIf(onLite)('answers UNIMPLEMENTED naming the RPC it does not support', async () => {
    const err = await h.connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'x' } }).catch((e) => e);
    expect(err.code).toBe(grpcStatus.UNIMPLEMENTED);
    expect(err.details ?? err.message).toMatch(/DescribeTaskQueue/);
  });
});
