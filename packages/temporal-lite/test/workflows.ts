// Workflows used by temporal-lite's tests. Bundled by the SDK: no Node built-ins here.
import {
  ApplicationFailure, CancellationScope, ParentClosePolicy, condition, continueAsNew, defineQuery, defineSignal,
  executeChild, isCancellation, proxyActivities, setHandler, sleep, startChild, upsertMemo, upsertSearchAttributes,
  workflowInfo, patched, ChildWorkflowCancellationType, defineUpdate, allHandlersFinished,
} from '@temporalio/workflow';
import type * as acts from './activities.js';

const { greet } = proxyActivities<typeof acts>({ startToCloseTimeout: '10s' });

export async function hello(name: string): Promise<string> {
  return await greet(name);
}

export async function sleeper(ms: number): Promise<number> {
  const start = Date.now();
  await sleep(ms);
  return Date.now() - start;
}

export const approve = defineSignal<[string]>('approve');
export const statusQuery = defineQuery<string>('status');

export async function waitForApproval(timeoutMs: number): Promise<string> {
  let approvedBy: string | undefined;
  let status = 'waiting';
  setHandler(approve, (who) => { approvedBy = who; });
  setHandler(statusQuery, () => status);
  const ok = await condition(() => approvedBy !== undefined, timeoutMs);
  status = ok ? `approved by ${approvedBy}` : 'timed out';
  return status;
}

export async function counter(): Promise<number> {
  let n = 0;
  setHandler(defineSignal('inc'), () => { n++; });
  setHandler(defineQuery<number>('count'), () => n);
  await condition(() => n >= 3);
  return n;
}

export async function failing(): Promise<void> {
  throw ApplicationFailure.nonRetryable('boom', 'BoomError');
}

const retrying = proxyActivities<typeof acts>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '10ms', backoffCoefficient: 2, maximumAttempts: 4, nonRetryableErrorTypes: ['Fatal'] },
});
export async function flaky(key: string, failTimes: number): Promise<number> {
  return await retrying.flakyActivity(key, failTimes);
}
export async function fatal(): Promise<string> {
  try {
    await retrying.fatalActivity();
    return 'no error';
  } catch (err: any) {
    return `${err.cause?.type}:${err.cause?.message}`;
  }
}
export async function exhausted(key: string): Promise<string> {
  try {
    await retrying.flakyActivity(key, 100);
    return 'no error';
  } catch (err: any) {
    return `failed after attempts: ${err.cause?.message}`;
  }
}

const slow = proxyActivities<typeof acts>({ startToCloseTimeout: '300ms', retry: { maximumAttempts: 2, initialInterval: '10ms' } });
export async function startToCloseTimeout(): Promise<string> {
  try { await slow.slowActivity(2000); return 'no error'; } catch (err: any) { return `${err.cause?.name}:${err.cause?.timeoutType}`; }
}
const s2c = proxyActivities<typeof acts>({ scheduleToCloseTimeout: '500ms', retry: { initialInterval: '10ms' } });
export async function scheduleToCloseTimeout(): Promise<string> {
  try { await s2c.slowActivity(3000); return 'no error'; } catch (err: any) { return `${err.cause?.name}:${err.cause?.timeoutType}`; }
}
const s2s = proxyActivities<typeof acts>({ scheduleToStartTimeout: '300ms', startToCloseTimeout: '5s', taskQueue: 'nobody-polls-here' });
export async function scheduleToStartTimeout(): Promise<string> {
  try { await s2s.greet('x'); return 'no error'; } catch (err: any) { return `${err.cause?.name}:${err.cause?.timeoutType}`; }
}
const hb = proxyActivities<typeof acts>({ startToCloseTimeout: '10s', heartbeatTimeout: '300ms', retry: { maximumAttempts: 3, initialInterval: '10ms' } });
export async function heartbeatDetails(key: string): Promise<number> {
  return await hb.heartbeatingActivity(key);
}
export async function heartbeatTimeout(): Promise<string> {
  const h = proxyActivities<typeof acts>({ startToCloseTimeout: '10s', heartbeatTimeout: '200ms', retry: { maximumAttempts: 1 } });
  try { await h.slowActivity(2000); return 'no error'; } catch (err: any) { return `${err.cause?.name}:${err.cause?.timeoutType}`; }
}
const cancellable = proxyActivities<typeof acts>({ startToCloseTimeout: '20s', heartbeatTimeout: '2s', cancellationType: 'WAIT_CANCELLATION_COMPLETED' as any });
export async function cancelActivity(): Promise<string> {
  const scope = new CancellationScope();
  const p = scope.run(() => cancellable.cancellableActivity());
  await sleep(300);
  scope.cancel();
  try { await p; return 'completed'; } catch (err) { return isCancellation(err) ? 'cancelled' : `other: ${(err as Error).message}`; }
}

export async function timerCancel(): Promise<string> {
  const scope = new CancellationScope();
  const p = scope.run(() => sleep('1 day'));
  await sleep(10);
  scope.cancel();
  try { await p; return 'fired'; } catch (err) { return isCancellation(err) ? 'timer cancelled' : 'other'; }
}

export async function child(n: number): Promise<number> {
  if (n < 0) throw ApplicationFailure.nonRetryable('negative', 'ChildError');
  await sleep(10);
  return n * 2;
}
export async function blockedChild(): Promise<void> {
  await condition(() => false);
}
export async function parent(n: number): Promise<string> {
  const ok = await executeChild(child, { args: [n], workflowId: `${workflowInfo().workflowId}-child` });
  let failure = '';
  try { await executeChild(child, { args: [-1], workflowId: `${workflowInfo().workflowId}-child-bad` }); } catch (err: any) { failure = err.cause?.message ?? err.message; }
  let cancelled = '';
  const scope = new CancellationScope();
  const p = scope.run(() => executeChild(blockedChild, { workflowId: `${workflowInfo().workflowId}-child-blocked`, cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED }));
  await sleep(10);
  scope.cancel();
  try { await p; } catch (err: any) { cancelled = isCancellation(err) ? 'child cancelled' : err.message; }
  return `${ok}|${failure}|${cancelled}`;
}
export async function abandoningParent(policy: 'TERMINATE' | 'ABANDON'): Promise<string> {
  await startChild(blockedChild, {
    workflowId: `${workflowInfo().workflowId}-kid`,
    parentClosePolicy: policy === 'TERMINATE' ? ParentClosePolicy.TERMINATE : ParentClosePolicy.ABANDON,
  });
  return 'parent done';
}

export async function looping(n: number, total = 0): Promise<number> {
  if (n <= 0) return total;
  await sleep(1);
  await continueAsNew<typeof looping>(n - 1, total + n);
  return -1;
}

export async function cancellableWorkflow(): Promise<string> {
  try {
    await sleep('1 day');
    return 'slept';
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => greet('cleanup'));
      throw err;
    }
    throw err;
  }
}

export async function withMemo(): Promise<string> {
  upsertMemo({ stage: 'two' });
  upsertSearchAttributes({ CustomKeywordField: ['abc'] });
  await sleep(1);
  return 'ok';
}

export async function wftFailsOnce(): Promise<string> {
  // the first task sees 3 events; after its failure the retry sees WorkflowTaskFailed and more
  if (patched('wft-fails-once') && workflowInfo().historyLength <= 3) throw new Error('workflow task failure on purpose');
  return 'recovered';
}

export async function sequence(count: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += (await greet(`n${i}`)).length;
  return sum;
}

export async function longWait(): Promise<number> {
  const start = Date.now();
  await sleep('3 days');
  return Date.now() - start;
}

export const replied = defineSignal('replied');
/** "send email → wait 3 days → replied?" in miniature. */
export async function replyWithin3Days(): Promise<string> {
  let gotReply = false;
  setHandler(replied, () => { gotReply = true; });
  await greet('email');
  const ok = await condition(() => gotReply, '3 days');
  if (!ok) await greet('phone task');
  return ok ? 'replied' : 'no reply';
}

export async function durableSteps(key: string, steps: number): Promise<string> {
  const out: string[] = [];
  for (let i = 0; i < steps; i++) out.push(await durable.recordedStep(`${key}:${i}`));
  return out.join(',');
}
const durable = proxyActivities<typeof acts>({ startToCloseTimeout: '3s', retry: { initialInterval: '100ms' } });

export async function succeedsOnSecondAttempt(): Promise<number> {
  if (workflowInfo().attempt < 2) throw ApplicationFailure.retryable('first attempt fails', 'Flaky');
  return workflowInfo().attempt;
}

/** Leaves an activity's schedule-to-close due time (1 day) behind, then sleeps past it. */
export async function staleTimeoutThenSleep(): Promise<string> {
  const { greet: quick } = proxyActivities<typeof acts>({ scheduleToCloseTimeout: '1 day' });
  await quick('stale');
  await sleep('3 days');
  return 'woke up';
}

// --- conformance (test/conformance.test.ts) ---

/** Upserts the attributes it is given (names and values from the test). */
export async function upsertGiven(attrs: Record<string, unknown[]>): Promise<string> {
  upsertSearchAttributes(attrs as never);
  await sleep(1);
  return 'upserted';
}

// ---- workflow updates
export const addItem = defineUpdate<number, [string]>('addItem');
export const addItemAfterActivity = defineUpdate<string, [string]>('addItemAfterActivity');
export const waitForRelease = defineUpdate<string, [string]>('waitForRelease');
export const release = defineSignal('release');
export const checkout = defineSignal('checkout');
export const itemsQuery = defineQuery<string[]>('items');

/** A cart: updates add items (validated), a signal checks out. */
export async function cart(): Promise<string[]> {
  const items: string[] = [];
  let released = false;
  let done = false;
  setHandler(addItem, (item) => { items.push(item); return items.length; }, {
    validator: (item) => { if (!item || item.startsWith('bad')) throw new Error(`invalid item "${item}"`); },
  });
  setHandler(addItemAfterActivity, async (item) => { const g = await greet(item); items.push(item); return g; });
  setHandler(waitForRelease, async (item) => { await condition(() => released); items.push(item); return `released ${item}`; });
  setHandler(release, () => { released = true; });
  setHandler(checkout, () => { done = true; });
  setHandler(itemsQuery, () => items);
  await condition(() => done && allHandlersFinished());
  return items;
}

/** The samples-typescript "early-return" shape: the update returns once the transaction is initialised, the workflow goes on. */
export const getTransactionConfirmation = defineUpdate<string>('getTransactionConfirmation');
export async function transaction(id: string): Promise<string> {
  let initDone = false;
  setHandler(getTransactionConfirmation, async () => { await condition(() => initDone); return `confirmed ${id}`; });
  await greet(`init ${id}`);
  initDone = true;
  await sleep(100);
  return `completed ${id}`;
}

/** A cron run: returns what it was started with and which run of the chain it is. */
export async function cronRun(): Promise<string> {
  const info = workflowInfo();
  return `${info.runId}:${info.cronSchedule ?? ''}`;
}
