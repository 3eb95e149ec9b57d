/**
 * Workflow updates, update-with-start, cron workflows and eager workflow start, observed through
 * the official SDK — the same tests on temporal-lite and on the real servers
 * (NUDGE_TEST_TEMPORAL=dev|timeskip).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { canSkipTime, createHarness, onLite, realServerSemantics, workflowBundle, type Harness } from './harness.js';
import { waitFor } from './target.js';
import * as activities from './activities.js';
import * as wf from './workflows.js';

let h: Harness;
const opts = (workflowId: string) => ({ taskQueue: h.taskQueue, workflowId });
const grpcCode = (e: unknown) => (e as { code?: number; cause?: { code?: number } }).code ?? (e as { cause?: { code?: number } }).cause?.code;
const E = { UpdateAccepted: 41, UpdateCompleted: 43, UpdateAdmitted: 47 };
const history = async (workflowId: string) => (await h.client.workflow.getHandle(workflowId).fetchHistory());
const eventTypes = async (workflowId: string) => ((await history(workflowId)).events ?? []).map((e) => Number(e.eventType));

beforeAll(async () => {
  h = await createHarness();
  await h.startWorker();
}, 120_000);
afterAll(async () => { await h?.close(); });

describe('cron workflows', () => {
  // first in the file: these tests move the clock by hours, which a time-skipping server only does
  // while nothing else is pending
  let hc: Harness;
  const copts = (workflowId: string) => ({ taskQueue: hc.taskQueue, workflowId });
  beforeAll(() => { hc = h; });

  it('waits for the next match, starts a new run (CRON_SCHEDULE, same id) at each match after the last closed; terminate ends the chain', async () => {
    // the real server's cron is minute-granular: hourly with time skipping, every minute on the dev server (real time)
    const cron = canSkipTime ? '0 * * * *' : '* * * * *';
    const period = canSkipTime ? 3_600_000 : 60_000;
    const handle = await hc.client.workflow.start(wf.cronRun, { ...copts('cron-chain'), cronSchedule: cron });
    const firstRunId = handle.firstExecutionRunId;
    const started = async (runId: string) => {
      const ev = ((await hc.client.workflow.getHandle('cron-chain', runId).fetchHistory()).events ?? [])[0]!;
      return ev.workflowExecutionStartedEventAttributes!;
    };
    const s1 = await started(firstRunId);
    expect(s1.cronSchedule).toBe(cron);
    const backoff1 = Number(s1.firstWorkflowTaskBackoff?.seconds ?? 0) * 1000 + Math.round((s1.firstWorkflowTaskBackoff?.nanos ?? 0) / 1e6);
    expect(backoff1).toBeGreaterThan(0);
    expect(backoff1).toBeLessThanOrEqual(period);
    const d1 = await hc.client.workflow.getHandle('cron-chain', firstRunId).describe();
    expect(d1.status.name).toBe('RUNNING');
    expect(d1.executionTime!.getTime() - d1.startTime.getTime()).toBeGreaterThan(0);
    // not run yet: only the started event
    expect(await eventTypes('cron-chain')).toEqual([1]);

    if (canSkipTime) await hc.temporal.sleep(backoff1 + 1_000);
    const closed = await waitFor('the first cron run to close', async () => {
      const d = await hc.client.workflow.getHandle('cron-chain', firstRunId).describe();
      return d.status.name !== 'RUNNING' && d;
    }, 120_000);
    // the real server closes the run as COMPLETED with the next run's id on the event; the Java
    // test server writes WorkflowExecutionContinuedAsNew instead
    expect(closed.status.name).toBe(realServerSemantics ? 'COMPLETED' : 'CONTINUED_AS_NEW');
    const run1 = (await hc.client.workflow.getHandle('cron-chain', firstRunId).fetchHistory()).events ?? [];
    const last = run1[run1.length - 1]!;
    const done = realServerSemantics ? last.workflowExecutionCompletedEventAttributes! : last.workflowExecutionContinuedAsNewEventAttributes!;
    const secondRunId = done.newExecutionRunId!;
    expect(secondRunId).toBeTruthy();
    expect(secondRunId).not.toBe(firstRunId);
    const s2 = await started(secondRunId);
    if (realServerSemantics) {
      // (the Java test server leaves these unset)
      expect(s2.initiator).toBe(3); // CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE
      expect(s2.continuedExecutionRunId).toBe(firstRunId);
      expect(s2.firstExecutionRunId).toBe(firstRunId);
      expect(s2.lastCompletionResult?.payloads?.length).toBe(1);
    }
    expect(s2.cronSchedule).toBe(cron);
    const backoff2 = Number(s2.firstWorkflowTaskBackoff?.seconds ?? 0) * 1000;
    expect(backoff2).toBeGreaterThan(0);
    expect(backoff2).toBeLessThanOrEqual(period);
    const latest = await hc.client.workflow.getHandle('cron-chain').describe();
    expect(latest.runId).toBe(secondRunId);
    expect(latest.status.name).toBe('RUNNING');

    await hc.client.workflow.getHandle('cron-chain').terminate('enough');
    const after = await hc.client.workflow.getHandle('cron-chain').describe();
    expect(after.runId).toBe(secondRunId);
    expect(after.status.name).toBe('TERMINATED');
    if (canSkipTime) {
      await hc.temporal.sleep(period + 1_000);
      expect((await hc.client.workflow.getHandle('cron-chain').describe()).runId).toBe(secondRunId);
    }
  });

  it('a cancellation requested while the first run waits for its match is acted on at once: the run is canceled, no next run starts', async () => {
    const cron = canSkipTime ? '0 * * * *' : '* * * * *';
    const handle = await hc.client.workflow.start(wf.cart, { ...copts('cron-cancel'), cronSchedule: cron });
    const firstRunId = handle.firstExecutionRunId;
    await handle.cancel();
    // the real server schedules the first workflow task at once for a cancellation (not at the match)
    const closed = await waitFor('the cron run to be canceled', async () => {
      const d = await hc.client.workflow.getHandle('cron-cancel', firstRunId).describe();
      return d.status.name !== 'RUNNING' && d;
    }, 30_000);
    expect(closed.status.name).toBe('CANCELLED');
    const types = await eventTypes('cron-cancel');
    if (realServerSemantics) expect(types).toEqual([1, 20, 5, 6, 7, 21]); // started, cancel requested, task, canceled
    else expect(types[types.length - 1]).toBe(21);
    if (canSkipTime) await hc.temporal.sleep(3_700_000);
    expect((await hc.client.workflow.getHandle('cron-cancel').describe()).runId).toBe(firstRunId);
  });

  it('the first run\'s backoff ends on the match, in whole seconds (rounded up) like the real server', async () => {
    const cron = canSkipTime ? '0 * * * *' : '* * * * *';
    const handle = await hc.client.workflow.start(wf.cart, { ...copts('cron-backoff'), cronSchedule: cron });
    const d = await handle.describe();
    const backoff = d.executionTime!.getTime() - d.startTime.getTime();
    if (realServerSemantics) expect(backoff % 1000).toBe(0); // the Java test server does not round
    const period = canSkipTime ? 3_600_000 : 60_000;
    expect(backoff).toBeGreaterThan(0);
    expect(backoff).toBeLessThanOrEqual(period);
    // the match is at most a second before the execution time
    expect(d.executionTime!.getTime() % period).toBeLessThan(1000 + (d.startTime.getTime() % 1000));
    await handle.terminate();
  });

  it('refuses a cron string the real server does not parse (seconds field): INVALID_ARGUMENT', async () => {
    const err = await hc.client.workflow.start(wf.cronRun, { ...copts('cron-bad'), cronSchedule: '* * * * * *' }).catch((e) => e);
    // the Java test server answers UNKNOWN here
    expect(grpcCode(err)).toBe(realServerSemantics ? grpcStatus.INVALID_ARGUMENT : grpcStatus.UNKNOWN);
    if (realServerSemantics) expect(err.cause?.details).toBe('invalid CronSchedule.');
  });
});

describe('workflow updates', () => {
  it('executeUpdate runs the handler and returns its result; history has Accepted then Completed', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-exec'));
    expect(await handle.executeUpdate(wf.addItem, { args: ['apple'] })).toBe(1);
    expect(await handle.executeUpdate(wf.addItem, { args: ['pear'] })).toBe(2);
    expect(await handle.query(wf.itemsQuery)).toEqual(['apple', 'pear']);
    await handle.signal(wf.checkout);
    expect(await handle.result()).toEqual(['apple', 'pear']);
    const events = (await history('upd-exec')).events ?? [];
    const types = events.map((e) => Number(e.eventType));
    // no Admitted events: the real server writes those only for updates it must keep durably before a task
    expect(types).not.toContain(E.UpdateAdmitted);
    expect(types.filter((t) => t === E.UpdateAccepted)).toHaveLength(2);
    expect(types.filter((t) => t === E.UpdateCompleted)).toHaveLength(2);
    expect(types.slice(-2)).toEqual([7, 2]);
    const acceptedEv = events.find((e) => Number(e.eventType) === E.UpdateAccepted)!;
    const accepted = acceptedEv.workflowExecutionUpdateAcceptedEventAttributes!;
    // the request is sequenced after the event before its task's WorkflowTaskStarted
    const startedBefore = events.filter((e) => Number(e.eventType) === 6 && Number(e.eventId) < Number(acceptedEv.eventId)).pop()!;
    expect(Number(accepted.acceptedRequestSequencingEventId)).toBe(Number(startedBefore.eventId) - 1);
    expect(accepted.acceptedRequest?.input?.name).toBe('addItem');
    expect(accepted.acceptedRequestMessageId).toBe(`${accepted.protocolInstanceId}/request`);
    const completed = events.find((e) => Number(e.eventType) === E.UpdateCompleted)!.workflowExecutionUpdateCompletedEventAttributes!;
    // (the Java test server leaves acceptedEventId unset)
    if (realServerSemantics) expect(Number(completed.acceptedEventId)).toBe(Number(events.find((e) => Number(e.eventType) === E.UpdateAccepted)!.eventId));
    expect(completed.meta?.updateId).toBe(accepted.protocolInstanceId);
  });

  it('a validator rejects: the caller gets WorkflowUpdateFailedError, the handler never runs, history has no update events', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-reject'));
    const err = await handle.executeUpdate(wf.addItem, { args: ['bad-apple'] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(err.cause?.message)).toContain('invalid item "bad-apple"');
    expect(await handle.query(wf.itemsQuery)).toEqual([]);
    expect(await handle.executeUpdate(wf.addItem, { args: ['good'] })).toBe(1);
    // the rejected update's (speculative) workflow task left no events: only the first task and the
    // accepted update's (the Java test server has no speculative tasks and keeps the rejected one's)
    if (realServerSemantics) expect(await eventTypes('upd-reject')).toEqual([1, 5, 6, 7, 5, 6, 7, E.UpdateAccepted, E.UpdateCompleted]);
    else expect((await eventTypes('upd-reject')).filter((t) => t === E.UpdateAccepted)).toHaveLength(1);
    await handle.terminate();
  });

  it('startUpdate returns once ACCEPTED; result() polls until COMPLETED', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-stages'));
    const upd = await handle.startUpdate(wf.waitForRelease, { args: ['gift'], waitForStage: WorkflowUpdateStage.ACCEPTED, updateId: 'release-1' });
    expect(upd.updateId).toBe('release-1');
    const types = await eventTypes('upd-stages');
    expect(types).toContain(E.UpdateAccepted);
    expect(types).not.toContain(E.UpdateCompleted);
    // a raw poll for the outcome with the ACCEPTED stage answers at once, without an outcome
    const raw = await h.connection.workflowService.pollWorkflowExecutionUpdate({
      namespace: 'default', updateRef: { workflowExecution: { workflowId: 'upd-stages' }, updateId: 'release-1' },
      waitPolicy: { lifecycleStage: 2 },
    });
    expect(raw.stage).toBe(2);
    expect(raw.outcome).toBeFalsy();
    await handle.signal(wf.release);
    expect(await upd.result()).toBe('released gift');
    // a handle made later by id finds the same outcome
    expect(await handle.getUpdateHandle<string>('release-1').result()).toBe('released gift');
    await handle.signal(wf.checkout);
    expect(await handle.result()).toEqual(['gift']);
  });

  it('an update whose handler runs an activity completes in a later workflow task', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-activity'));
    expect(await handle.executeUpdate(wf.addItemAfterActivity, { args: ['tea'] })).toBe('Hello, tea!');
    await handle.signal(wf.checkout);
    expect(await handle.result()).toEqual(['tea']);
  });

  it('update ids are de-duplicated: the same id runs the handler once and both callers get its result', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-dedupe'));
    const [a, b] = await Promise.all([
      handle.executeUpdate(wf.addItem, { args: ['x'], updateId: 'same' }),
      handle.executeUpdate(wf.addItem, { args: ['x'], updateId: 'same' }),
    ]);
    expect([a, b]).toEqual([1, 1]);
    expect(await handle.executeUpdate(wf.addItem, { args: ['x'], updateId: 'same' })).toBe(1);
    expect(await handle.query(wf.itemsQuery)).toEqual(['x']);
    await handle.signal(wf.checkout);
    await handle.result();
    // after the workflow closed, the completed update is still found by its id
    expect(await handle.executeUpdate(wf.addItem, { args: ['x'], updateId: 'same' })).toBe(1);
    const types = await eventTypes('upd-dedupe');
    expect(types.filter((t) => t === E.UpdateAccepted)).toHaveLength(1);
  });

  it('an update to a closed workflow is refused like the real server does', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-closed'));
    await handle.signal(wf.checkout);
    await handle.result();
    const err = await handle.executeUpdate(wf.addItem, { args: ['late'] }).catch((e) => e);
    // the real server answers NOT_FOUND "workflow execution already completed"; the SDK makes it WorkflowNotFoundError
    expect(err).toBeInstanceOf(WorkflowNotFoundError);
    if (realServerSemantics) expect(err.message).toBe('workflow execution already completed'); // Java: "update … not found"
  });

  it('UpdateWorkflowExecution waiting for ADMITTED is refused (PERMISSION_DENIED, as the real server does)', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-admitted'));
    const err = await h.connection.workflowService.updateWorkflowExecution({
      namespace: 'default', workflowExecution: { workflowId: 'upd-admitted' }, waitPolicy: { lifecycleStage: 1 },
      request: { meta: { updateId: 'adm-1' }, input: { name: 'addItem', args: { payloads: [] } } },
    }).catch((e) => e);
    expect(grpcCode(err)).toBe(grpcStatus.PERMISSION_DENIED);
    if (realServerSemantics) expect(err.details).toContain('waiting on update admitted is not supported');
    await handle.terminate();
  });

  it('replays an update from history after the worker lost its cache (and Worker.runReplayHistory agrees)', async () => {
    const tq = `${h.taskQueue}-nocache`;
    const { stop } = await h.startWorker({ taskQueue: tq, maxCachedWorkflows: 0 });
    try {
      const handle = await h.client.workflow.start(wf.cart, { taskQueue: tq, workflowId: 'upd-replay' });
      expect(await handle.executeUpdate(wf.addItem, { args: ['one'] })).toBe(1);
      expect(await handle.executeUpdate(wf.addItemAfterActivity, { args: ['two'] })).toBe('Hello, two!');
      expect(await handle.executeUpdate(wf.addItem, { args: ['three'] })).toBe(3);
      await handle.signal(wf.checkout);
      expect(await handle.result()).toEqual(['one', 'two', 'three']);
    } finally {
      await stop();
    }
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await history('upd-replay'), 'upd-replay');
  });
});

describe('the update protocol on the wire (the test is the worker)', () => {
  const svc = () => h.connection.workflowService;
  const rawPoll = (queue: string) => h.connection.withDeadline(Date.now() + 70_000, () =>
    svc().pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'raw' }));
  const any = (name: 'Acceptance' | 'Rejection' | 'Response', value: object) => ({
    type_url: `type.googleapis.com/temporal.api.update.v1.${name}`,
    value: (temporal.api.update.v1[name] as any).encode(value).finish(),
  });

  const sendUpdate = (workflowId: string, updateId: string) => svc().updateWorkflowExecution({
    namespace: 'default', workflowExecution: { workflowId }, waitPolicy: { lifecycleStage: 3 },
    request: { meta: { updateId, identity: 'caller' }, input: { name: 'setValue', args: { payloads: [] } } },
  });

  it('the request arrives as a message of the next task; acceptance and response placed by PROTOCOL_MESSAGE commands become Accepted / Completed events', async () => {
    const tq = 'tq-raw-update';
    await h.client.workflow.start('rawUpdate', { taskQueue: tq, workflowId: 'upd-raw' });
    const first = await rawPoll(tq);
    expect(first.messages ?? []).toHaveLength(0);
    await svc().respondWorkflowTaskCompleted({ taskToken: first.taskToken, identity: 'raw', commands: [] });
    const pending = sendUpdate('upd-raw', 'raw-1');
    const second = await rawPoll(tq);
    expect(second.messages).toHaveLength(1);
    const msg = second.messages![0]!;
    expect(msg.protocolInstanceId).toBe('raw-1');
    expect(msg.id).toBe('raw-1/request');
    expect(msg.body!.type_url).toBe('type.googleapis.com/temporal.api.update.v1.Request');
    const request = temporal.api.update.v1.Request.decode(msg.body!.value!);
    expect(request.input!.name).toBe('setValue');
    expect(request.meta!.identity).toBe('caller');
    expect(Number(msg.eventId)).toBe(Number(second.startedEventId) - 1);
    await svc().respondWorkflowTaskCompleted({
      taskToken: second.taskToken, identity: 'raw',
      messages: [
        { id: 'raw-1/accept', protocolInstanceId: 'raw-1', body: any('Acceptance', { acceptedRequestMessageId: msg.id, acceptedRequestSequencingEventId: msg.eventId, acceptedRequest: request }) },
        { id: 'raw-1/respond', protocolInstanceId: 'raw-1', body: any('Response', { meta: { updateId: 'raw-1', identity: 'raw' }, outcome: { success: { payloads: [] } } }) },
      ],
      commands: [
        { commandType: 14, protocolMessageCommandAttributes: { messageId: 'raw-1/accept' } },
        { commandType: 14, protocolMessageCommandAttributes: { messageId: 'raw-1/respond' } },
        { commandType: 4, completeWorkflowExecutionCommandAttributes: {} },
      ],
    });
    const res = await pending;
    expect(res.stage).toBe(3);
    expect(res.updateRef?.updateId).toBe('raw-1');
    expect(res.outcome?.success).toBeTruthy();
    expect(await eventTypes('upd-raw')).toEqual([1, 5, 6, 7, 5, 6, 7, E.UpdateAccepted, E.UpdateCompleted, 2]);
  });

  // the Java test server fails such a completion with UNHANDLED_COMMAND instead: the real server's behaviour, on lite and dev
  it.runIf(realServerSemantics)('a workflow that completes while an update waits undelivered closes (no UNHANDLED_COMMAND); the update gets NOT_FOUND "workflow update was aborted by closing workflow"', async () => {
    const tq = 'tq-raw-update-2';
    await h.client.workflow.start('rawUpdate', { taskQueue: tq, workflowId: 'upd-raw-2' });
    const first = await rawPoll(tq);
    const pending = sendUpdate('upd-raw-2', 'raw-2').catch((e) => e);
    // the update is admitted while the task is held (nothing in the API shows an admitted update: give it time to arrive)
    await new Promise((r) => setTimeout(r, 1_000));
    await svc().respondWorkflowTaskCompleted({ taskToken: first.taskToken, identity: 'raw', commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }] });
    expect((await h.client.workflow.getHandle('upd-raw-2').describe()).status.name).toBe('COMPLETED');
    const err = await pending;
    expect(grpcCode(err)).toBe(grpcStatus.NOT_FOUND);
    if (realServerSemantics) expect(err.details).toBe('workflow update was aborted by closing workflow');
  });
});

describe.runIf(onLite)('workflow updates across a temporal-lite restart', () => {
  it('an accepted update and an admitted one survive the restart (kept in the run\'s state) and complete after it', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-restart'));
    const accepted = await handle.startUpdate(wf.waitForRelease, { args: ['kept'], waitForStage: WorkflowUpdateStage.ACCEPTED, updateId: 'durable-1' });
    await h.restartServer();
    // the worker reconnects; the update's outcome is still to come and the id still known
    await handle.signal(wf.release);
    expect(await accepted.result()).toBe('released kept');
    expect(await handle.executeUpdate(wf.waitForRelease, { args: ['again'], updateId: 'durable-1' })).toBe('released kept');
    await handle.signal(wf.checkout);
    expect(await handle.result()).toEqual(['kept']);
  });
});

describe('update-with-start', () => {
  it('starts the workflow and delivers the update in its first workflow task: the early-return shape', async () => {
    const startWorkflowOperation = new WithStartWorkflowOperation(wf.transaction, {
      workflowId: 'uws-early', taskQueue: h.taskQueue, args: ['tx-1'], workflowIdConflictPolicy: 'FAIL',
    });
    const confirmation = await h.client.workflow.executeUpdateWithStart(wf.getTransactionConfirmation, { startWorkflowOperation });
    expect(confirmation).toBe('confirmed tx-1');
    const handle = await startWorkflowOperation.workflowHandle();
    expect(await handle.result()).toBe('completed tx-1');
    const types = await eventTypes('uws-early');
    // the first workflow task carries the update: it is accepted in that task's completion
    expect(types.slice(0, 5)).toEqual([1, 5, 6, 7, E.UpdateAccepted]);
    expect(types).toContain(E.UpdateCompleted);
  });

  it('USE_EXISTING: a second update-with-start updates the running workflow; startUpdateWithStart returns at ACCEPTED', async () => {
    const op = () => new WithStartWorkflowOperation(wf.cart, { workflowId: 'uws-cart', taskQueue: h.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
    const op1 = op();
    expect(await h.client.workflow.executeUpdateWithStart(wf.addItem, { args: ['a'], startWorkflowOperation: op1 })).toBe(1);
    const op2 = op();
    expect(await h.client.workflow.executeUpdateWithStart(wf.addItem, { args: ['b'], startWorkflowOperation: op2 })).toBe(2);
    const [h1, h2] = [await op1.workflowHandle(), await op2.workflowHandle()];
    expect((await h2.describe()).runId).toBe((await h1.describe()).runId);
    const op3 = op();
    const upd = await h.client.workflow.startUpdateWithStart(wf.waitForRelease, { args: ['c'], startWorkflowOperation: op3, waitForStage: WorkflowUpdateStage.ACCEPTED });
    await h1.signal(wf.release);
    expect(await upd.result()).toBe('released c');
    await h1.signal(wf.checkout);
    expect(await h1.result()).toEqual(['a', 'b', 'c']);
  });

  it('conflict policy FAIL on a running workflow: WorkflowExecutionAlreadyStartedError', async () => {
    const startWorkflowOperation = new WithStartWorkflowOperation(wf.cart, { workflowId: 'uws-fail', taskQueue: h.taskQueue, workflowIdConflictPolicy: 'FAIL' });
    await h.client.workflow.start(wf.cart, opts('uws-fail'));
    const err = await h.client.workflow.executeUpdateWithStart(wf.addItem, { args: ['a'], startWorkflowOperation }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await h.client.workflow.getHandle('uws-fail').terminate();
  });
});

describe('eager workflow start', () => {
  it('requestEagerStart with a worker sharing the client\'s NativeConnection: lite answers as the real server does', async () => {
    const nc = await NativeConnection.connect({ address: h.temporal.address });
    const tq = `${h.taskQueue}-eager`;
    const worker = await Worker.create({ connection: nc, taskQueue: tq, workflowBundle: await workflowBundle(), activities });
    const running = worker.run();
    try {
      const client = new Client({ connection: nc as never });
      const handle = await client.workflow.start(wf.hello, { taskQueue: tq, workflowId: 'eager-1', args: ['eager'], requestEagerStart: true });
      expect(await handle.result()).toBe('Hello, eager!');
      const events = (await handle.fetchHistory()).events ?? [];
      // the answer to the start carried the first workflow task (no poll): the SDK says so
      expect(handle.eagerlyStarted).toBe(true);
      expect(events.map((e) => Number(e.eventType))).toEqual([1, 5, 6, 7, 10, 11, 12, 5, 6, 7, 2]);
    } finally {
      worker.shutdown();
      await running.catch(() => {});
      await nc.close();
    }
  });
});
