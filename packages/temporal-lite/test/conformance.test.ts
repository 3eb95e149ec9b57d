/**
 * Differential conformance: every test here runs unchanged on temporal-lite (default) and on a real
 * Temporal server (`NUDGE_TEST_TEMPORAL=dev` — the CLI's dev server — or `timeskip` — the Java
 * time-skipping test server), with the same assertions. Where temporal-lite answered differently
 * the real server was taken as right (behaviour confirmed against temporalio/temporal and
 * temporalio/sdk-java sources and the binaries themselves).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection.js';
import { createTestDb } from '@nudge/db/testing';
import { startTestTemporal } from '../src/testing.js';
import { canSkipTime, createHarness, hasVisibility, realServerSemantics, type Harness } from './harness.js';
import * as wf from './workflows.js';

let h: Harness;
const ns = 'default';
const opts = (workflowId: string) => ({ taskQueue: h.taskQueue, workflowId });
/** a raw long poll, with the deadline a real server insists on */
const rawPoll = (queue: string) => h.connection.withDeadline(Date.now() + 70_000, () =>
  h.connection.workflowService.pollWorkflowTaskQueue({ namespace: ns, taskQueue: { name: queue }, identity: 'raw' }));
const eventTypes = async (workflowId: string) => ((await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map((e) => Number(e.eventType));
const E = { WorkflowTaskFailed: 9, TimerStarted: 17, TimerFired: 18 };
const grpcCode = (e: unknown) => (e as { code?: number; cause?: { code?: number } }).code ?? (e as { cause?: { code?: number } }).cause?.code;

// search attributes this file registers (unique per run: a real server keeps them)
const KW = 'NudgeConfKeyword';
const INT = 'NudgeConfInt';

beforeAll(async () => {
  h = await createHarness({ timeSkipping: true });
  await h.startWorker();
  // like the Java server, a time-skipping server starts with the clock held by one lock, which
  // TestWorkflowEnvironment's client releases around each wait; the harness released it once
}, 120_000);
afterAll(async () => { await h?.close(); });

describe.runIf(canSkipTime)('time skipping (the Java test server is the reference)', () => {
  it('holds the clock while a fired timer\'s workflow task waits for a worker: sleep(1.5 s) returns at +1.5 s with only the +1 s timer fired', async () => {
    // no SDK worker on this queue: the test is the worker, so "not picked up yet" is exact
    const tq = 'tq-ts-two-timers';
    const svc = h.connection.workflowService;
    await h.temporal.lock();
    try {
      await h.client.workflow.start('twoTimers', { taskQueue: tq, workflowId: 'ts-two-timers' });
      const task = await rawPoll(tq);
      await svc.respondWorkflowTaskCompleted({
        taskToken: task.taskToken, identity: 'raw',
        commands: [
          { commandType: 3 /* StartTimer */, startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: { seconds: 1 as never } } },
          { commandType: 3, startTimerCommandAttributes: { timerId: 't3', startToFireTimeout: { seconds: 3 as never } } },
        ],
      });
      const t0 = await h.temporal.now();
      await h.temporal.sleep(1500);
      const moved = (await h.temporal.now()) - t0;
      expect(moved).toBeGreaterThanOrEqual(1500);
      // the +1 s timer's workflow task is scheduled and nobody has taken it: the clock did not jump on
      expect(moved).toBeLessThan(3000);
      expect((await eventTypes('ts-two-timers')).filter((t) => t === E.TimerFired)).toHaveLength(1);
      const next = await rawPoll(tq);
      await svc.respondWorkflowTaskCompleted({ taskToken: next.taskToken, identity: 'raw', commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }] });
    } finally {
      await h.temporal.unlock();
    }
  });

  it('starts with the clock held by one lock: the first UnlockTimeSkipping succeeds, and locks nest', async () => {
    const db = await createTestDb({ migrate: false });
    const fresh = await startTestTemporal({ db, timeSkipping: false }); // as started, nothing released
    const conn = await Connection.connect({ address: fresh.address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } } as never);
    try {
      // what TestWorkflowEnvironment's client does around a wait for a result: unlock, then lock again
      await conn.testService!.unlockTimeSkipping({});
      await conn.testService!.lockTimeSkipping({});
      await conn.testService!.lockTimeSkipping({});
      await conn.testService!.unlockTimeSkipping({});
      await conn.testService!.unlockTimeSkipping({});
      // released: a 1-hour sleep of the server clock takes no hour
      const t0 = Number((await conn.testService!.getCurrentTime({})).time!.seconds);
      await conn.testService!.lockTimeSkipping({});
      await conn.testService!.unlockTimeSkippingWithSleep({ duration: { seconds: 3600 as never } });
      expect(Number((await conn.testService!.getCurrentTime({})).time!.seconds) - t0).toBeGreaterThanOrEqual(3600);
    } finally {
      await conn.close();
      await fresh.stop();
      await db.cleanup();
    }
  });

  it('does not skip past the timeout of a workflow task a worker holds: its completion is accepted after sleep(15 s)', async () => {
    const tq = 'tq-ts-held-task';
    const handle = await h.client.workflow.start(wf.hello, { taskQueue: tq, workflowId: 'ts-held-task', args: ['x'], workflowTaskTimeout: '10s' });
    await h.temporal.lock();
    try {
      const task = await rawPoll(tq);
      expect(task.taskToken?.length).toBeGreaterThan(0);
      const t0 = await h.temporal.now();
      const slept = h.temporal.sleep(15_000);
      // while the task is out, the clock runs in real time only (a jump would time the task out)
      await new Promise((r) => setTimeout(r, 5000));
      expect((await h.temporal.now()) - t0).toBeLessThan(10_000);
      // complete the workflow from this "worker" while the test's sleep is pending
      await h.connection.workflowService.respondWorkflowTaskCompleted({
        taskToken: task.taskToken, identity: 'raw',
        commands: [{ commandType: 4 /* CompleteWorkflowExecution */, completeWorkflowExecutionCommandAttributes: {} }],
      });
      await slept;
    } finally {
      await h.temporal.unlock();
    }
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await eventTypes('ts-held-task')).not.toContain(8); // no WorkflowTaskTimedOut
  });
});

describe('search attributes', () => {
  const kw = defineSearchAttributeKey(KW, SearchAttributeType.KEYWORD);
  const int = defineSearchAttributeKey(INT, SearchAttributeType.INT);

  beforeAll(async () => {
    await h.connection.operatorService.addSearchAttributes({ namespace: ns, searchAttributes: { [KW]: 2, [INT]: 3 } });
  });

  // the Java test server does not implement OperatorService.ListSearchAttributes
  it.runIf(realServerSemantics)('registers custom attributes through the OperatorService and lists them with their types', async () => {
    const list = await h.connection.operatorService.listSearchAttributes({ namespace: ns });
    expect(list.customAttributes).toMatchObject({ [KW]: 2, [INT]: 3 });
    expect(list.systemAttributes).toMatchObject({ WorkflowId: 2, StartTime: 6, HistoryLength: 3, ExecutionStatus: 2 });
  });

  it('keeps their types: describe() answers typedSearchAttributes for typed and untyped starts', async () => {
    const typed = await h.client.workflow.start(wf.blockedChild, { ...opts('sa-typed'), typedSearchAttributes: [{ key: int, value: 7 }, { key: kw, value: 'seven' }] });
    const untyped = await h.client.workflow.start(wf.blockedChild, { ...opts('sa-untyped'), searchAttributes: { [INT]: [8], [KW]: ['eight'] } });
    const d1 = await typed.describe();
    expect(d1.typedSearchAttributes.get(int)).toBe(7);
    expect(d1.typedSearchAttributes.get(kw)).toBe('seven');
    const d2 = await untyped.describe();
    expect(d2.typedSearchAttributes.get(int)).toBe(8);
    expect(d2.typedSearchAttributes.get(kw)).toBe('eight');
    await typed.terminate();
    await untyped.terminate();
  });

  it('refuses an unregistered attribute, and a value of the wrong type, on start with INVALID_ARGUMENT', async () => {
    const unregistered = await h.client.workflow.start(wf.blockedChild, { ...opts('sa-unregistered'), searchAttributes: { NudgeNobodyRegisteredThis: ['x'] } }).catch((e) => e);
    expect(grpcCode(unregistered)).toBe(grpcStatus.INVALID_ARGUMENT);
    const wrongType = await h.client.workflow.start(wf.blockedChild, { ...opts('sa-wrong-type'), searchAttributes: { [INT]: ['not a number'] } }).catch((e) => e);
    expect(grpcCode(wrongType)).toBe(grpcStatus.INVALID_ARGUMENT);
    // neither started
    await expect(h.client.workflow.getHandle('sa-unregistered').describe()).rejects.toThrow();
    await expect(h.client.workflow.getHandle('sa-wrong-type').describe()).rejects.toThrow();
  });

  it('fails the workflow task with BAD_SEARCH_ATTRIBUTES when a workflow upserts an unregistered attribute', async () => {
    const handle = await h.client.workflow.start(wf.upsertGiven, { ...opts('sa-upsert-bad'), args: [{ NudgeNobodyRegisteredThis: ['x'] }] });
    let failed: { cause?: number } | undefined;
    for (let i = 0; i < 200 && !failed; i++) {
      const events = (await handle.fetchHistory()).events ?? [];
      failed = events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes as { cause?: number } | undefined;
      if (!failed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(failed?.cause).toBe(23); // WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate();
    // a registered one of the right type is upserted
    expect(await h.client.workflow.execute(wf.upsertGiven, { ...opts('sa-upsert-good'), args: [{ [INT]: [42] }] })).toBe('upserted');
    expect((await h.client.workflow.getHandle('sa-upsert-good').describe()).typedSearchAttributes.get(int)).toBe(42);
  });

  it.runIf(hasVisibility)('refuses a list query on an unknown attribute with INVALID_ARGUMENT, and counts GROUP BY ExecutionStatus', async () => {
    const err = await h.client.workflow.list({ query: `NudgeNobodyRegisteredThis = 'x'` })[Symbol.asyncIterator]().next().catch((e) => e);
    expect(grpcCode(err)).toBe(grpcStatus.INVALID_ARGUMENT);
    await h.client.workflow.execute(wf.hello, { ...opts('sa-count-1'), args: ['a'], typedSearchAttributes: [{ key: kw, value: 'grouped' }] });
    const open = await h.client.workflow.start(wf.blockedChild, { ...opts('sa-count-2'), typedSearchAttributes: [{ key: kw, value: 'grouped' }] });
    let groups: { status?: string; count: number }[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await h.connection.workflowService.countWorkflowExecutions({ namespace: ns, query: `${KW} = 'grouped' GROUP BY ExecutionStatus` });
      groups = (r.groups ?? []).map((g) => ({ status: JSON.parse(Buffer.from(g.groupValues![0]!.data!).toString()), count: Number(g.count) }));
      if (Number(r.count) === 2) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(groups.sort((a, b) => String(a.status).localeCompare(String(b.status)))).toEqual([{ status: 'Completed', count: 1 }, { status: 'Running', count: 1 }]);
    await open.terminate();
  });
});

describe('workflow id policies', () => {
  const start = (workflowId: string, extra: Record<string, unknown>) => h.connection.workflowService.startWorkflowExecution({
    namespace: ns, workflowId, workflowType: { name: 'blockedChild' }, taskQueue: { name: h.taskQueue }, identity: 'conformance',
    requestId: `${workflowId}-${Math.random()}`, ...extra,
  });

  it('refuses TERMINATE_IF_RUNNING together with a conflict policy, and REJECT_DUPLICATE with TERMINATE_EXISTING', async () => {
    const a = await start('ids-combo-1', { workflowIdReusePolicy: 4 /* TERMINATE_IF_RUNNING */, workflowIdConflictPolicy: 1 /* FAIL */ }).catch((e) => e);
    expect(a.code).toBe(grpcStatus.INVALID_ARGUMENT);
    const b = await start('ids-combo-2', { workflowIdReusePolicy: 3 /* REJECT_DUPLICATE */, workflowIdConflictPolicy: 3 /* TERMINATE_EXISTING */ }).catch((e) => e);
    expect(b.code).toBe(grpcStatus.INVALID_ARGUMENT);
    await expect(h.client.workflow.getHandle('ids-combo-1').describe()).rejects.toThrow();
    await expect(h.client.workflow.getHandle('ids-combo-2').describe()).rejects.toThrow();
  });

  // the Java test server accepts it
  it.runIf(realServerSemantics)('refuses SignalWithStart with conflict policy FAIL', async () => {
    const err = await h.connection.workflowService.signalWithStartWorkflowExecution({
      namespace: ns, workflowId: 'ids-sws-fail', workflowType: { name: 'counter' }, taskQueue: { name: h.taskQueue }, identity: 'conformance',
      requestId: `sws-${Math.random()}`, signalName: 'inc', workflowIdConflictPolicy: 1 /* FAIL */,
    }).catch((e) => e);
    expect(err.code).toBe(grpcStatus.INVALID_ARGUMENT);
    await expect(h.client.workflow.getHandle('ids-sws-fail').describe()).rejects.toThrow();
  });
});

// the SDK's side (a worker on the client's NativeConnection) is in updates.test.ts
describe('eager workflow start, the raw API', () => {
  const start = (workflowId: string, extra: Record<string, unknown> = {}) => h.connection.workflowService.startWorkflowExecution({
    namespace: ns, workflowId, workflowType: { name: 'blockedChild' }, taskQueue: { name: 'tq-eager' }, identity: 'conformance',
    requestId: `${workflowId}-${Math.random()}`, requestEagerExecution: true, ...extra,
  });
  const startedEvent = async (workflowId: string) => (await h.client.workflow.getHandle(workflowId).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;

  it('answers a start that asks for it with the first workflow task, marked accepted in the started event', async () => {
    const r = await start('conf-eager-1');
    expect(r.started).toBe(true);
    const task = r.eagerWorkflowTask!;
    expect(task.taskToken?.length).toBeGreaterThan(0);
    expect(task.workflowExecution?.runId).toBe(r.runId);
    // the task is started: its history ends with WorkflowTaskScheduled, WorkflowTaskStarted
    expect(task.history!.events!.map((e) => Number(e.eventType))).toEqual([1, 5, 6]);
    // the Java test server hands out the task but leaves the flag unset
    if (realServerSemantics) expect((await startedEvent('conf-eager-1')).eagerExecutionAccepted).toBe(true);
    await h.connection.workflowService.respondWorkflowTaskCompleted({
      taskToken: task.taskToken, identity: 'conformance',
      commands: [{ commandType: 4 /* CompleteWorkflowExecution */, completeWorkflowExecutionCommandAttributes: {} }],
    });
    expect((await h.client.workflow.getHandle('conf-eager-1').describe()).status.name).toBe('COMPLETED');
  });

  it('gives no task when USE_EXISTING finds the workflow running, and none to a start that does not ask', async () => {
    const first = await start('conf-eager-2', { requestEagerExecution: false });
    expect(first.eagerWorkflowTask ?? null).toBeNull();
    expect((await startedEvent('conf-eager-2')).eagerExecutionAccepted ?? false).toBe(false);
    const again = await start('conf-eager-2', { workflowIdConflictPolicy: 2 /* USE_EXISTING */ });
    expect(again.started).toBe(false);
    expect(again.runId).toBe(first.runId);
    expect(again.eagerWorkflowTask ?? null).toBeNull();
    await h.client.workflow.getHandle('conf-eager-2').terminate();
  });
});

// what the real server's command validator refuses: the whole task's commands are dropped, the
// task fails with the command's cause (retried), and the worker is told INVALID_ARGUMENT. (The Java
// test server answers INVALID_ARGUMENT too but records no WorkflowTaskFailed.)
describe.runIf(realServerSemantics)('a workflow task with an invalid command', () => {
  const q = 'tq-bad-command';
  const validTimer = { commandType: 3, startTimerCommandAttributes: { timerId: 't-ok', startToFireTimeout: { seconds: 3600 as never } } };
  const activity = { commandType: 1, scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'echo' }, taskQueue: { name: q }, startToCloseTimeout: { seconds: 60 as never } } };
  const cases: [string, Record<string, unknown> | Record<string, unknown>[], number][] = [
    ['a schedule-activity command without attributes', { commandType: 1 }, 2 /* BAD_SCHEDULE_ACTIVITY_ATTRIBUTES */],
    ['a schedule-activity command without a timeout', { commandType: 1, scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'echo' }, taskQueue: { name: q } } }, 2],
    ['an activity id already in use', [activity, activity], 22 /* SCHEDULE_ACTIVITY_DUPLICATE_ID */],
    ['a start-timer command without attributes', { commandType: 3 }, 4 /* BAD_START_TIMER_ATTRIBUTES */],
    ['a timer id already in use', { commandType: 3, startTimerCommandAttributes: { timerId: 't-ok', startToFireTimeout: { seconds: 5 as never } } }, 12 /* START_TIMER_DUPLICATE_ID */],
    ['a cancel-timer command without attributes', { commandType: 6 }, 5 /* BAD_CANCEL_TIMER_ATTRIBUTES */],
    ['a record-marker command without attributes', { commandType: 9 }, 6 /* BAD_RECORD_MARKER_ATTRIBUTES */],
    ['a complete command without attributes', { commandType: 4 }, 7 /* BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES */],
    ['a fail command without attributes', { commandType: 5 }, 8 /* BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES */],
    ['a fail command without a failure', { commandType: 5, failWorkflowExecutionCommandAttributes: {} }, 8],
  ];
  it.each(cases)('refuses %s: INVALID_ARGUMENT, WorkflowTaskFailed with its cause, nothing of the task applied, the task retried', async (label, bad, cause) => {
    const workflowId = `bad-cmd-${cases.findIndex((c) => c[0] === label)}`;
    await h.connection.workflowService.startWorkflowExecution({
      namespace: ns, workflowId, workflowType: { name: 'blockedChild' }, taskQueue: { name: q }, identity: 'conformance', requestId: `${workflowId}-${Math.random()}`,
    });
    const task = await rawPoll(q);
    expect(task.workflowExecution?.workflowId).toBe(workflowId);
    const err = await h.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: task.taskToken, identity: 'conformance', commands: [validTimer, ...[bad].flat()] }).catch((e) => e);
    expect(grpcCode(err)).toBe(grpcStatus.INVALID_ARGUMENT);
    const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const failed = events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
    expect(failed?.cause).toBe(cause);
    // the valid command before it was not applied either
    expect(events.map((e) => Number(e.eventType))).not.toContain(E.TimerStarted);
    expect((await h.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    // the task is retried: the next attempt completes the run
    const retry = await rawPoll(q);
    expect(retry.workflowExecution?.workflowId).toBe(workflowId);
    expect(retry.attempt).toBe(2);
    await h.connection.workflowService.respondWorkflowTaskCompleted({
      taskToken: retry.taskToken, identity: 'conformance', commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }],
    });
    expect((await h.client.workflow.getHandle(workflowId).describe()).status.name).toBe('COMPLETED');
  });
});
