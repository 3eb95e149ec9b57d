/**
 * Workflow updates, update-with-start, cron workflows and eager workflow start, observed through
 * the official SDK — the same tests on temporal-lite and on the real servers
 * (NUDGE_TEST_TEMPORAL=dev|timeskip).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createHarness, type Harness } from './harness.js';
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
    expect(types).toEqual([1, 5, 6, 7, 5, 6, 7, 41, 43, 5, 6, 7, 41, 43, 26, 5, 6, 7, 2]);
    const accepted = events.find((e) => Number(e.eventType) === E.UpdateAccepted)!.workflowExecutionUpdateAcceptedEventAttributes!;
    // the request is sequenced after the event before its task's WorkflowTaskStarted
    expect(Number(accepted.acceptedRequestSequencingEventId)).toBe(5);
    expect(accepted.acceptedRequest?.input?.name).toBe('addItem');
    expect(accepted.acceptedRequestMessageId).toBe(`${accepted.protocolInstanceId}/request`);
    const completed = events.find((e) => Number(e.eventType) === E.UpdateCompleted)!.workflowExecutionUpdateCompletedEventAttributes!;
    expect(Number(completed.acceptedEventId)).toBe(Number(events.find((e) => Number(e.eventType) === E.UpdateAccepted)!.eventId));
    expect(completed.meta?.updateId).toBe(accepted.protocolInstanceId);
  });

  it('a validator rejects: the caller gets WorkflowUpdateFailedError, the handler never runs, history has no update events', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-reject'));
    const err = await handle.executeUpdate(wf.addItem, { args: ['bad-apple'] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(err.cause?.message)).toContain('invalid item "bad-apple"');
    expect(await handle.query(wf.itemsQuery)).toEqual([]);
    expect(await handle.executeUpdate(wf.addItem, { args: ['good'] })).toBe(1);
    // the rejected update's (speculative) workflow task left no events: only the first task and the accepted update's
    expect(await eventTypes('upd-reject')).toEqual([1, 5, 6, 7, 5, 6, 7, E.UpdateAccepted, E.UpdateCompleted]);
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
    expect(err.message).toBe('workflow execution already completed');
  });

  it('UpdateWorkflowExecution waiting for ADMITTED is refused (PERMISSION_DENIED, as the real server does)', async () => {
    const handle = await h.client.workflow.start(wf.cart, opts('upd-admitted'));
    const err = await h.connection.workflowService.updateWorkflowExecution({
      namespace: 'default', workflowExecution: { workflowId: 'upd-admitted' }, waitPolicy: { lifecycleStage: 1 },
      request: { meta: { updateId: 'adm-1' }, input: { name: 'addItem', args: { payloads: [] } } },
    }).catch((e) => e);
    expect(grpcCode(err)).toBe(grpcStatus.PERMISSION_DENIED);
    expect(err.details).toContain('waiting on update admitted is not supported');
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
    const { workflowBundle } = await import('./harness.js');
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await history('upd-replay'), 'upd-replay');
  });
});
