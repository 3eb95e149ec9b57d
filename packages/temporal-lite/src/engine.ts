/**
 * The history engine of temporal-lite: workflow executions, their events, workflow and activity
 * task queues with long polls, timers and timeouts, and the group-committed persistence.
 * Behaviour follows the real Temporal server where the official SDK can observe it (see README).
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { searchAttributeType, searchAttributesError, typedSearchAttributes } from './search-attributes.js';
import { Execution, decodeSearchAttributes, type ActivityState, type ExecState, type Obj, type UpdateState, type WftState } from './execution.js';
import { DueHeap, type Due } from './heap.js';
import { anyOf, concatBytes, decodePlain, dur, durToMs, encodePlain, enums, lengthDelimited, ts, type } from './proto.js';
import { RpcError, alreadyStarted, failedPrecondition, invalidArgument, notFound } from './errors.js';
import { canonicalSpec, compileSpec } from './schedule-spec.js';
import type { Store } from './store.js';
import { compileListQuery } from './visibility.js';

const E = enums.EventType;
const C = enums.CommandType;
const S = enums.Status;

export interface EngineOptions {
  timeSkipping?: boolean;
  /**
   * Start with the clock held by one time lock, like Temporal's Java test server (which is what
   * `TestWorkflowEnvironment`'s client expects: it releases that lock around each wait and takes
   * it back after). The CLI's `--time-skipping` sets it.
   */
  initialTimeLock?: boolean;
  /** How long a task poll waits before answering empty (ms). */
  pollTimeoutMs?: number;
  /** How long a history long poll waits before answering empty (ms). */
  historyPollTimeoutMs?: number;
  /** How many closed executions to keep in memory (default 500). */
  closedCacheSize?: number;
  /**
   * How many bytes of encoded history the closed executions kept in memory may hold together
   * (default 8 MiB; the decoded events beside them take about 3–4× that). Closed executions
   * are loaded again from the database when asked for.
   */
  closedCacheBytes?: number;
  /**
   * Due times of closed runs (their execution / run timeouts, activity schedule-to-close…) do
   * nothing when they come; once the heap holds more than this many entries (default 10,000) and
   * twice as many as after the last compaction, they are dropped, so the heap does not grow with
   * finished runs.
   */
  dueCompactAbove?: number;
  log?: (msg: string) => void;
}

interface Poller {
  resolve: (task: Uint8Array | Obj | null) => void;
  identity: string;
  workerKey: string;
  cancelled: () => boolean;
  timer: NodeJS.Timeout;
  kind: 'wf' | 'act';
  queueKey: string;
}

type TaskRef =
  | { k: 'w'; runId: string; seq: number }
  | { k: 'a'; runId: string; sid: number; attempt: number }
  | { k: 'q'; id: string };

interface QueueState { tasks: TaskRef[]; pollers: Poller[] }

interface PendingQuery {
  id: string;
  runId: string;
  query: Obj;
  resolve: (r: Obj) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  dispatched: boolean;
}

const DEFAULT_RETRY = { initialInterval: dur(1000), backoffCoefficient: 2, maximumInterval: dur(100_000), maximumAttempts: 0 };

/**
 * Something outside the history engine that runs on its clock (schedules, src/schedules.ts): its
 * due times fire with the engine's (time skipping moves them too), while it is busy time skipping
 * waits for it, and it hears of every run that closes.
 */
export interface EngineExtension {
  onDue(key: string): void;
  busy(): boolean;
  onClose(e: Execution): void;
}

interface InboundMessage { id: string; updateId: string; kind: 'acceptance' | 'rejection' | 'response'; body: Obj; done: boolean }

const closeCommandTypes = new Set<number>([C.CompleteWorkflowExecution, C.FailWorkflowExecution, C.CancelWorkflowExecution, C.ContinueAsNewWorkflowExecution]);

function token(t: Obj): Uint8Array { return Buffer.from(JSON.stringify(t)); }
function parseToken(b: Uint8Array | undefined): Obj {
  try {
    return JSON.parse(Buffer.from(b ?? []).toString('utf8'));
  } catch {
    throw invalidArgument('malformed task token');
  }
}

/** Applies one command of a completed workflow task (see Engine.applyCommand). */
type CommandHandler = (this: Engine, e: Execution, cmd: Obj, wftCompletedId: number, now: number) => boolean;

type CommandError = { cause: number; message: string };

/**
 * What the real server's command validator refuses in a workflow task's commands (before any is
 * applied): a command without its attributes, a schedule-activity command without an id, a type
 * or a timeout, a timer without an id (one of no duration is fine: it fires at once), a marker without a name, a fail command
 * without a failure, a timer or activity id that is already in use.
 */
function commandError(e: Execution, commands: Obj[]): CommandError | undefined {
  const F = enums.WftFailedCause;
  const timers = new Set(Object.keys(e.s.timers));
  const activityIds = new Set(Object.values(e.s.activities).map((a) => a.activityId));
  for (const cmd of commands) {
    const spec = commandAttributes[cmd.commandType];
    if (!spec) continue; // an unknown type is refused when applied
    const [field, cause, name] = spec;
    const a = cmd[field];
    if (!a) return { cause, message: `${name}CommandAttributes is not set on ${name}Command.` };
    switch (cmd.commandType) {
      case C.ScheduleActivityTask:
        if (!a.activityId) return { cause, message: 'ActivityId is not set on ScheduleActivityTaskCommand.' };
        if (!a.activityType?.name) return { cause, message: 'ActivityType is not set on ScheduleActivityTaskCommand.' };
        if (durToMs(a.scheduleToCloseTimeout) <= 0 && durToMs(a.startToCloseTimeout) <= 0) {
          return { cause, message: `BadScheduleActivityAttributes: a valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand (activity ${a.activityId})` };
        }
        if (activityIds.has(a.activityId)) return { cause: F.ScheduleActivityDuplicateId, message: `Activity ID ${a.activityId} already exists.` };
        activityIds.add(a.activityId);
        break;
      case C.StartTimer:
        if (!a.timerId) return { cause, message: 'TimerId is not set on StartTimerCommand.' };
        if (timers.has(a.timerId)) return { cause: F.StartTimerDuplicateId, message: `Timer ID ${a.timerId} already exists.` };
        timers.add(a.timerId);
        break;
      case C.CancelTimer:
        if (!a.timerId) return { cause, message: 'TimerId is not set on CancelTimerCommand.' };
        timers.delete(a.timerId);
        break;
      case C.RequestCancelActivityTask:
        if (!(Number(a.scheduledEventId) > 0)) return { cause, message: 'ScheduledEventId is not set on RequestCancelActivityTaskCommand.' };
        break;
      case C.RecordMarker:
        if (!a.markerName) return { cause, message: 'MarkerName is not set on RecordMarkerCommand.' };
        break;
      case C.FailWorkflowExecution:
        if (!a.failure) return { cause, message: 'Failure is not set on FailWorkflowExecutionCommand.' };
        break;
    }
  }
  return undefined;
}

/** command type → [its attributes' field, the task's failure cause when they are bad, the command's name] */
const commandAttributes: Partial<Record<number, [string, number, string]>> = {
  [C.ScheduleActivityTask]: ['scheduleActivityTaskCommandAttributes', 2, 'ScheduleActivityTask'],
  [C.RequestCancelActivityTask]: ['requestCancelActivityTaskCommandAttributes', 3, 'RequestCancelActivityTask'],
  [C.StartTimer]: ['startTimerCommandAttributes', 4, 'StartTimer'],
  [C.CancelTimer]: ['cancelTimerCommandAttributes', 5, 'CancelTimer'],
  [C.RecordMarker]: ['recordMarkerCommandAttributes', 6, 'RecordMarker'],
  [C.CompleteWorkflowExecution]: ['completeWorkflowExecutionCommandAttributes', 7, 'CompleteWorkflowExecution'],
  [C.FailWorkflowExecution]: ['failWorkflowExecutionCommandAttributes', 8, 'FailWorkflowExecution'],
  [C.CancelWorkflowExecution]: ['cancelWorkflowExecutionCommandAttributes', 9, 'CancelWorkflowExecution'],
  [C.RequestCancelExternalWorkflowExecution]: ['requestCancelExternalWorkflowExecutionCommandAttributes', 10, 'RequestCancelExternalWorkflowExecution'],
  [C.ContinueAsNewWorkflowExecution]: ['continueAsNewWorkflowExecutionCommandAttributes', 11, 'ContinueAsNewWorkflowExecution'],
  [C.SignalExternalWorkflowExecution]: ['signalExternalWorkflowExecutionCommandAttributes', 15, 'SignalExternalWorkflowExecution'],
  [C.StartChildWorkflowExecution]: ['startChildWorkflowExecutionCommandAttributes', 16, 'StartChildWorkflowExecution'],
  [C.UpsertWorkflowSearchAttributes]: ['upsertWorkflowSearchAttributesCommandAttributes', 23, 'UpsertWorkflowSearchAttributes'],
  [C.ModifyWorkflowProperties]: ['modifyWorkflowPropertiesCommandAttributes', 25, 'ModifyWorkflowProperties'],
};

export class Engine {
  private execs = new Map<string, Execution>();
  private openById = new Map<string, string>();
  private closedOrder: string[] = [];
  /** estimated encoded bytes of the closed executions in `closedOrder` (see `cachedSize`) */
  private closedBytes = 0;
  private queues = new Map<string, QueueState>();
  private heap = new DueHeap();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private queries = new Map<string, PendingQuery>();
  private offset = 0;
  private lockCount = 0;
  private dirty = new Set<Execution>();
  private metaDirty = false;
  private committing = false;
  private syncWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private latestLookups = new Map<string, Map<string, { resolve: (runId: string | undefined) => void; reject: (e: Error) => void }[]>>();
  private skipScheduled = false;
  private stopped = false;
  private fatal: Error | undefined;
  readonly timeSkipping: boolean;
  private readonly pollTimeoutMs: number;
  private readonly historyPollTimeoutMs: number;
  private readonly closedCacheSize: number;
  private readonly closedCacheBytes: number;
  private readonly dueCompactAbove: number;
  /** the heap's size after the last compaction: the next one waits until it has doubled */
  private dueAfterCompact = 0;
  private readonly log: (msg: string) => void;
  customSearchAttributes: Record<string, number> = {};
  private extensions = new Map<string, EngineExtension>();
  readonly stats = { commits: 0, rows: 0, eagerActivities: 0, eagerWorkflows: 0, stickyTasks: 0, normalTasks: 0 };

  constructor(private readonly store: Store, opts: EngineOptions = {}) {
    this.timeSkipping = !!opts.timeSkipping;
    if (opts.timeSkipping && opts.initialTimeLock) this.lockCount = 1;
    this.pollTimeoutMs = opts.pollTimeoutMs ?? 55_000;
    this.historyPollTimeoutMs = opts.historyPollTimeoutMs ?? 20_000;
    this.closedCacheSize = opts.closedCacheSize ?? 500;
    this.closedCacheBytes = opts.closedCacheBytes ?? 8 * 1024 * 1024;
    this.dueCompactAbove = opts.dueCompactAbove ?? 10_000;
    this.log = opts.log ?? (() => {});
  }

  // ------------------------------------------------------------------ clock & time skipping
  now(): number { return Date.now() + this.offset; }

  lockTimeSkipping() { this.lockCount++; }
  unlockTimeSkipping() {
    if (this.lockCount === 0) throw failedPrecondition('time skipping is not locked');
    this.lockCount--;
    this.scheduleSkipCheck();
  }
  /**
   * Moves the clock forward by `ms`, firing every timer that falls due on the way — like the Java
   * test server's Sleep / UnlockTimeSkippingWithSleep: the clock only jumps while nothing is
   * outstanding (a scheduled or running workflow task, a pending activity, a query); while
   * something is, it runs in real time. So the workflow task of each fired timer completes before
   * the clock moves on, and a task a worker holds never times out by a jump.
   */
  async sleep(ms: number): Promise<void> {
    await this.advanceTo(this.now() + ms);
  }
  async advanceTo(target: number): Promise<void> {
    await this.sync();
    while (!this.stopped && this.now() < target) {
      if (this.hasOutstanding() || this.committing || this.dirty.size) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      const next = this.heap.peek();
      const to = next && next.at < target ? next.at : target;
      if (to > this.now()) { this.offset += to - this.now(); this.metaDirty = true; }
      this.fireDue();
      await this.sync();
    }
    this.fireDue();
    await this.sync();
  }

  private hasOutstanding(): boolean {
    const now = this.now();
    if (this.queries.size) return true;
    for (const x of this.extensions.values()) if (x.busy()) return true;
    for (const runId of this.openById.values()) {
      const e = this.execs.get(runId);
      if (!e) continue;
      const w = e.s.wft;
      if (w && !(w.readyAt && w.readyAt > now)) return true;
      for (const a of Object.values(e.s.activities)) if (!(a.readyAt && a.readyAt > now)) return true;
    }
    return false;
  }

  private scheduleSkipCheck() {
    if (!this.timeSkipping || this.skipScheduled || this.stopped || this.lockCount > 0) return; // unlock re-arms it
    this.skipScheduled = true;
    setTimeout(() => {
      this.skipScheduled = false;
      if (this.stopped || this.lockCount > 0 || this.committing || this.dirty.size) {
        if (this.lockCount === 0) this.scheduleSkipCheck();
        return;
      }
      const next = this.heap.peek();
      if (!next || this.hasOutstanding()) return;
      if (next.at > this.now()) {
        this.offset += next.at - this.now();
        this.metaDirty = true;
      }
      this.fireDue();
      void this.sync().catch(() => {});
      // what fired may have been a due time left behind (an activity that already finished):
      // look again, or the clock would stop there with nothing pending to move it
      this.scheduleSkipCheck();
    }, 1);
  }

  // ------------------------------------------------------------------ lifecycle
  async start(): Promise<void> {
    await this.store.init();
    const off = await this.store.getMeta('clock_offset_ms');
    if (off) this.offset = Math.max(this.offset, Number(off));
    const sa = await this.store.getMeta('custom_search_attributes');
    if (sa) this.customSearchAttributes = JSON.parse(sa);
    const rows = await this.store.loadOpen();
    const states = rows.map((r) => Execution.parse(r.state));
    const events = await this.store.loadEvents(states.map((s) => s.runId));
    for (const s of states) {
      const e = this.hydrate(s, events.get(s.runId) ?? []);
      this.restoreRuntime(e);
    }
    this.log(`temporal-lite: recovered ${states.length} open executions`);
    this.armTimer();
    this.scheduleSkipCheck();
  }

  private hydrate(s: ExecState, eventBytes: Uint8Array[]): Execution {
    const e = new Execution(s);
    const t = type('temporal.api.history.v1.HistoryEvent');
    for (const b of eventBytes) {
      e.events.push(t.toObject(t.decode(b), { longs: Number, enums: Number, defaults: false }));
      e.eventBytes.push(b);
    }
    e.savedUpTo = e.events.length;
    this.execs.set(s.runId, e);
    if (s.status === S.Running) this.openById.set(e.key, s.runId);
    else this.rememberClosed(e);
    return e;
  }

  /** After a restart: queues and due times rebuilt from the persisted state. */
  private restoreRuntime(e: Execution) {
    const s = e.s;
    const now = this.now();
    if (s.startDelayUntil && !s.wft) this.due(s.startDelayUntil, e, 'wf-start', '');
    if (s.runExpireAt) this.due(s.runExpireAt, e, 'wf-run-timeout', '');
    if (s.execExpireAt) this.due(s.execExpireAt, e, 'wf-exec-timeout', '');
    const w = s.wft;
    if (w) {
      if (w.startedTime !== undefined) this.due(w.startedTime + s.wftTimeoutMs, e, 'wft-stc', `${w.seq}`);
      else if (w.readyAt && w.readyAt > now) this.due(w.readyAt, e, 'wft-ready', `${w.seq}`);
      else {
        if (w.sticky) { w.sticky = false; w.queue = s.taskQueue; }
        this.enqueue(this.queueKey(s.namespace, w.queue, 'wf'), { k: 'w', runId: s.runId, seq: w.seq });
      }
    }
    for (const t of Object.values(s.timers)) this.due(t.fireAt, e, 'timer', t.timerId);
    for (const a of Object.values(s.activities)) this.armActivity(e, a);
    for (const u of Object.values(s.updates ?? {})) if (u.stage === 'sent') u.stage = 'admitted';
    if (!s.wft && this.hasAdmittedUpdates(e)) this.scheduleWft(e, { speculative: true });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const q of this.queues.values()) {
      for (const p of q.pollers) { clearTimeout(p.timer); p.resolve(null); }
      q.pollers = [];
    }
    for (const q of this.queries.values()) { clearTimeout(q.timer); q.reject(new RpcError(grpcStatus.UNAVAILABLE, 'temporal-lite is stopping')); }
    for (const e of this.execs.values()) e.notify();
    await this.sync().catch(() => {});
  }

  // ------------------------------------------------------------------ persistence (group commit)
  private touch(e: Execution) { this.dirty.add(e); }

  /** Resolves once every change made so far is committed. */
  sync(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (!this.dirty.size && !this.metaDirty && !this.committing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      if (!this.committing) void this.commitLoop();
    });
  }

  private async commitLoop() {
    this.committing = true;
    try {
      while (this.dirty.size || this.metaDirty || this.syncWaiters.length) {
        // let the RPCs that already arrived make their changes first: one commit then covers them all
        await new Promise((r) => setImmediate(r));
        const batch = [...this.dirty];
        this.dirty.clear();
        const waiters = this.syncWaiters;
        this.syncWaiters = [];
        const meta: Record<string, string> | undefined = this.metaDirty
          ? { clock_offset_ms: String(this.offset), custom_search_attributes: JSON.stringify(this.customSearchAttributes) }
          : undefined;
        this.metaDirty = false;
        const events: { runId: string; firstEventId: number; lastEventId: number; data: Uint8Array }[] = [];
        const executions = batch.map((e) => {
          if (e.unsaved.length) {
            events.push({
              runId: e.s.runId, firstEventId: e.unsaved[0]!, lastEventId: e.unsaved[e.unsaved.length - 1]!,
              data: concatBytes(e.unsaved.map((id) => lengthDelimited(1, e.bytesOf(id)))),
            });
          }
          e.unsaved = [];
          const s = e.s;
          return {
            runId: s.runId, namespace: s.namespace, workflowId: s.workflowId, workflowType: s.workflowType,
            taskQueue: s.taskQueue, status: s.status, startTime: s.startTime, executionTime: s.executionTime,
            closeTime: s.closeTime, historyLength: s.nextEventId - 1,
            searchAttributes: decodeSearchAttributes(s.searchAttributes), state: e.toJSON(),
          };
        });
        try {
          if (executions.length || meta) await this.store.save({ executions, events, meta });
          this.stats.commits++;
          this.stats.rows += executions.length;
        } catch (err) {
          this.fatal = err as Error;
          this.log(`temporal-lite: commit failed, refusing further changes: ${(err as Error).message}`);
          for (const w of waiters) w.reject(err as Error);
          for (const w of this.syncWaiters) w.reject(err as Error);
          this.syncWaiters = [];
          return;
        }
        for (const e of batch) {
          e.savedUpTo = e.s.nextEventId - 1 - e.unsaved.length;
          e.notify();
        }
        for (const w of waiters) w.resolve();
        // closed executions that were still being written (or waited on) when they closed can go now
        if (this.closedBytes > this.closedCacheBytes || this.closedOrder.length > this.closedCacheSize) this.evictClosed();
      }
    } finally {
      this.committing = false;
      this.scheduleSkipCheck();
    }
  }

  // ------------------------------------------------------------------ due times
  /** Registers an extension: its due times are heap entries of `kind` without a run. */
  extend(kind: string, x: EngineExtension) { this.extensions.set(kind, x); }
  /** A due time of an extension (fires `onDue(key)` at `at` of the engine's clock). */
  dueExternal(at: number, kind: string, key: string) {
    this.heap.push({ at, runId: '', kind, key });
    if (at < this.timerAt) this.armTimer();
    this.scheduleSkipCheck();
  }

  private due(at: number, e: Execution, kind: string, key: string) {
    this.heap.push({ at, runId: e.s.runId, kind, key });
    if (at < this.timerAt) this.armTimer();
  }

  private armTimer() {
    if (this.stopped) return;
    const next = this.heap.peek();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (!next) return;
    this.timerAt = next.at;
    const delay = Math.max(0, Math.min(next.at - this.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.fireDue();
      void this.sync().catch(() => {});
      this.scheduleSkipCheck();
    }, delay);
  }

  private fireDue() {
    const now = this.now();
    for (;;) {
      const d = this.heap.peek();
      if (!d || d.at > now) break;
      this.heap.pop();
      if (!d.runId) {
        try { this.extensions.get(d.kind)?.onDue(d.key); } catch (err) { this.log(`temporal-lite: error handling ${d.kind} ${d.key}: ${(err as Error).stack}`); }
        continue;
      }
      const e = this.execs.get(d.runId);
      if (e && e.open) {
        try {
          this.onDue(e, d);
        } catch (err) {
          this.log(`temporal-lite: error handling ${d.kind} for ${d.runId}: ${(err as Error).stack}`);
        }
      }
    }
    this.armTimer();
  }

  private onDue(e: Execution, d: Due) {
    const s = e.s;
    const now = this.now();
    switch (d.kind) {
      case 'timer': {
        const t = s.timers[d.key];
        if (!t || t.fireAt > now) return;
        delete s.timers[d.key];
        this.addOrBuffer(e, E.TimerFired, 'TimerFired', { timerId: t.timerId, startedEventId: t.startedEventId });
        this.scheduleWft(e);
        break;
      }
      case 'wf-start': {
        if (s.startDelayUntil && s.startDelayUntil <= now) {
          s.startDelayUntil = null;
          this.scheduleWft(e);
        }
        break;
      }
      case 'wf-run-timeout':
      case 'wf-exec-timeout': {
        const at = d.kind === 'wf-run-timeout' ? s.runExpireAt : s.execExpireAt;
        if (!at || at > now) return;
        this.failInFlightWft(e, 17);
        this.flushBuffered(e);
        // a run timeout goes on with the next cron run; the execution timeout spans the whole chain
        const cron = d.kind === 'wf-run-timeout' ? this.cronContinuation(e, {}) : undefined;
        e.add(E.WorkflowExecutionTimedOut, 'WorkflowExecutionTimedOut', { retryState: enums.RetryState.Timeout, newExecutionRunId: cron?.newRunId }, now);
        this.close(e, S.TimedOut, cron);
        break;
      }
      case 'wft-ready': {
        const w = s.wft;
        if (w && `${w.seq}` === d.key && w.readyAt && w.readyAt <= now) {
          w.readyAt = undefined;
          this.enqueue(this.queueKey(s.namespace, w.queue, 'wf'), { k: 'w', runId: s.runId, seq: w.seq });
        }
        return;
      }
      case 'wft-stc': {
        const w = s.wft;
        if (!w || `${w.seq}` !== d.key || w.startedTime === undefined) return;
        if (w.startedTime + s.wftTimeoutMs > now) { this.due(w.startedTime + s.wftTimeoutMs, e, d.kind, d.key); return; }
        if (!w.transient) {
          e.add(E.WorkflowTaskTimedOut, 'WorkflowTaskTimedOut', {
            scheduledEventId: w.scheduledEventId, startedEventId: w.startedEventId, timeoutType: enums.TimeoutType.StartToClose,
          }, now);
        }
        this.retryWft(e, w);
        break;
      }
      case 'wft-s2s': {
        // a sticky task nobody picked up: back to the normal queue, as the real server does
        const w = s.wft;
        if (!w || `${w.seq}` !== d.key || w.startedTime !== undefined || !w.sticky) return;
        s.sticky = null;
        w.sticky = false;
        w.queue = s.taskQueue;
        this.enqueue(this.queueKey(s.namespace, w.queue, 'wf'), { k: 'w', runId: s.runId, seq: w.seq });
        break;
      }
      case 'act-ready': {
        const a = s.activities[d.key.split(':')[0]!];
        if (!a || `${a.scheduledEventId}:${a.attempt}` !== d.key || !a.readyAt || a.readyAt > now) return;
        a.readyAt = undefined;
        this.enqueue(this.queueKey(s.namespace, a.taskQueue, 'act'), { k: 'a', runId: s.runId, sid: a.scheduledEventId, attempt: a.attempt });
        if (a.s2sMs) this.due(now + a.s2sMs, e, 'act-s2s', `${a.scheduledEventId}:${a.attempt}`);
        return;
      }
      case 'act-s2c': {
        const a = s.activities[d.key];
        if (!a || a.scheduledTime + a.s2cMs > now) return;
        this.activityTimedOut(e, a, enums.TimeoutType.ScheduleToClose, false);
        break;
      }
      case 'act-s2s': {
        const a = s.activities[d.key.split(':')[0]!];
        if (!a || `${a.scheduledEventId}:${a.attempt}` !== d.key || a.startedTime !== undefined) return;
        this.activityTimedOut(e, a, enums.TimeoutType.ScheduleToStart, false);
        break;
      }
      case 'act-stc': {
        const a = s.activities[d.key.split(':')[0]!];
        if (!a || `${a.scheduledEventId}:${a.attempt}` !== d.key || a.startedTime === undefined) return;
        this.activityTimedOut(e, a, enums.TimeoutType.StartToClose, true);
        break;
      }
      case 'act-hb': {
        const a = s.activities[d.key.split(':')[0]!];
        if (!a || `${a.scheduledEventId}:${a.attempt}` !== d.key || a.startedTime === undefined) return;
        const last = a.lastHeartbeatTime ?? a.startedTime;
        if (last + a.hbMs > now) { this.due(last + a.hbMs, e, 'act-hb', d.key); return; }
        this.activityTimedOut(e, a, enums.TimeoutType.Heartbeat, true);
        break;
      }
      default:
        return;
    }
    this.touch(e);
  }

  // ------------------------------------------------------------------ task queues & polls
  private queueKey(ns: string, name: string, kind: 'wf' | 'act') { return `${kind}\u0000${ns}\u0000${name}`; }

  private queue(key: string): QueueState {
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { tasks: [], pollers: [] }));
    return q;
  }

  private enqueue(key: string, ref: TaskRef) {
    const q = this.queue(key);
    q.tasks.push(ref);
    this.drain(key, q);
  }

  private drain(key: string, q: QueueState) {
    while (q.tasks.length && q.pollers.length) {
      const p = q.pollers.shift()!;
      if (p.cancelled()) { clearTimeout(p.timer); p.resolve(null); continue; }
      const ref = q.tasks.shift()!;
      const task = this.startTask(ref, p);
      if (task) { clearTimeout(p.timer); p.resolve(task); }
      else q.pollers.unshift(p);
    }
  }

  async poll(kind: 'wf' | 'act', ns: string, queueName: string, identity: string, workerKey: string, cancelled: () => boolean): Promise<Uint8Array | Obj> {
    if (!queueName) throw invalidArgument('taskQueue.name is required');
    const key = this.queueKey(ns, queueName, kind);
    const q = this.queue(key);
    const fake: Poller = { resolve: () => {}, identity, workerKey, cancelled, timer: undefined as never, kind, queueKey: key };
    while (q.tasks.length && !this.stopped) {
      const ref = q.tasks.shift()!;
      const task = this.startTask(ref, fake);
      // Not awaiting the commit of "started" here is safe: the task's token is only good for that
      // attempt; if we crash before the commit, the task is dispatched again after the restart and
      // the old token is refused. The worker's answer commits everything before it (FIFO commits).
      if (task) return task;
    }
    if (this.stopped) return {};
    const task = await new Promise<Uint8Array | Obj | null>((resolve) => {
      const p: Poller = {
        resolve, identity, workerKey, cancelled, kind, queueKey: key,
        timer: setTimeout(() => {
          const i = q.pollers.indexOf(p);
          if (i >= 0) q.pollers.splice(i, 1);
          resolve(null);
        }, this.pollTimeoutMs),
      };
      q.pollers.push(p);
    });
    return task ?? {};
  }

  /** Completes pending polls of a worker that shuts down (capability workerPollCompleteOnShutdown). */
  shutdownWorker(ns: string, stickyQueue: string | undefined, workerKey: string | undefined) {
    for (const [key, q] of this.queues) {
      const isSticky = stickyQueue && key === this.queueKey(ns, stickyQueue, 'wf');
      q.pollers = q.pollers.filter((p) => {
        if (isSticky || (workerKey && p.workerKey === workerKey)) { clearTimeout(p.timer); p.resolve(null); return false; }
        return true;
      });
    }
    if (stickyQueue) {
      for (const runId of this.openById.values()) {
        const e = this.execs.get(runId);
        if (e?.s.sticky?.queue === stickyQueue) {
          e.s.sticky = null;
          const w = e.s.wft;
          if (w && w.sticky && w.startedTime === undefined) {
            w.sticky = false;
            w.queue = e.s.taskQueue;
            this.enqueue(this.queueKey(ns, w.queue, 'wf'), { k: 'w', runId, seq: w.seq });
          }
          this.touch(e);
        }
      }
    }
  }

  private startTask(ref: TaskRef, p: Poller): Uint8Array | Obj | null {
    if (ref.k === 'q') return this.startQueryTask(ref.id);
    const e = this.execs.get(ref.runId);
    if (!e || !e.open) return null;
    if (ref.k === 'w') return this.startWft(e, ref.seq, p);
    return this.startActivity(e, ref.sid, ref.attempt, p);
  }

  // ------------------------------------------------------------------ workflow tasks
  private scheduleWft(e: Execution, opts: { forceNormal?: boolean; speculative?: boolean; noDispatch?: boolean } = {}) {
    const s = e.s;
    if (!e.open || s.wft || s.startDelayUntil) return;
    const sticky = !!s.sticky && !opts.forceNormal;
    const queue = sticky ? s.sticky!.queue : s.taskQueue;
    if (opts.speculative) {
      // no events yet: they are written when the task completes, unless it only rejected updates
      s.wft = { seq: ++s.wftSeq, attempt: 1, transient: true, speculative: s.nextEventId, queue, sticky, scheduledEventId: 0, scheduledTime: this.now() };
      this.enqueue(this.queueKey(s.namespace, queue, 'wf'), { k: 'w', runId: s.runId, seq: s.wft.seq });
      if (sticky) this.due(this.now() + s.sticky!.timeoutMs, e, 'wft-s2s', `${s.wft.seq}`);
      this.touch(e);
      return;
    }
    const ev = e.add(E.WorkflowTaskScheduled, 'WorkflowTaskScheduled', {
      taskQueue: { name: queue, kind: sticky ? enums.TaskQueueKind.Sticky : enums.TaskQueueKind.Normal, ...(sticky ? { normalName: s.taskQueue } : {}) },
      startToCloseTimeout: dur(s.wftTimeoutMs),
      attempt: 1,
    }, this.now());
    s.wft = { seq: ++s.wftSeq, attempt: 1, transient: false, queue, sticky, scheduledEventId: ev.eventId, scheduledTime: this.now() };
    if (!opts.noDispatch) this.enqueue(this.queueKey(s.namespace, queue, 'wf'), { k: 'w', runId: s.runId, seq: s.wft.seq });
    if (sticky) this.due(this.now() + s.sticky!.timeoutMs, e, 'wft-s2s', `${s.wft.seq}`);
    this.touch(e);
  }

  /** After a failed or timed-out workflow task: a transient retry (no events until it succeeds). */
  private retryWft(e: Execution, w: WftState) {
    const s = e.s;
    s.sticky = null;
    for (const u of Object.values(s.updates ?? {})) if (u.stage === 'sent') u.stage = 'admitted';
    const hadBuffered = s.buffered.length > 0;
    s.wft = null;
    this.flushBuffered(e);
    if (!e.open) return;
    if (hadBuffered) { this.scheduleWft(e); return; }
    const attempt = w.attempt + 1;
    const delay = attempt <= 2 ? 0 : Math.min(1000 * 2 ** (attempt - 3), 600_000);
    const now = this.now();
    s.wft = { seq: ++s.wftSeq, attempt, transient: true, queue: s.taskQueue, sticky: false, scheduledEventId: 0, scheduledTime: now, readyAt: delay ? now + delay : undefined };
    if (delay) this.due(now + delay, e, 'wft-ready', `${s.wft.seq}`);
    else this.enqueue(this.queueKey(s.namespace, s.taskQueue, 'wf'), { k: 'w', runId: s.runId, seq: s.wft.seq });
    this.touch(e);
    this.dispatchQueries(e);
  }

  private startWft(e: Execution, seq: number, p: Poller): Uint8Array | null {
    const s = e.s;
    const w = s.wft;
    if (!w || w.seq !== seq || w.startedTime !== undefined || (w.readyAt && w.readyAt > this.now())) return null;
    const now = this.now();
    const requestId = randomUUID();
    let transientEvents: Obj[] = [];
    if (w.speculative !== undefined && w.speculative !== s.nextEventId) w.speculative = undefined; // events came: an ordinary task now
    if (w.transient) {
      w.scheduledEventId = s.nextEventId;
      w.startedEventId = s.nextEventId + 1;
      transientEvents = [
        { eventId: w.scheduledEventId, eventTime: ts(now), eventType: E.WorkflowTaskScheduled, workflowTaskScheduledEventAttributes: { taskQueue: this.wftQueueOf(e, w), startToCloseTimeout: dur(s.wftTimeoutMs), attempt: w.attempt } },
        { eventId: w.startedEventId, eventTime: ts(now), eventType: E.WorkflowTaskStarted, workflowTaskStartedEventAttributes: { scheduledEventId: w.scheduledEventId, identity: p.identity, requestId } },
      ];
    } else {
      const ev = e.add(E.WorkflowTaskStarted, 'WorkflowTaskStarted', {
        scheduledEventId: w.scheduledEventId, identity: p.identity, requestId, historySizeBytes: 0,
      }, now);
      w.startedEventId = ev.eventId;
    }
    w.startedTime = now;
    w.identity = p.identity;
    w.requestId = requestId;
    this.due(now + s.wftTimeoutMs, e, 'wft-stc', `${w.seq}`);
    // not marked dirty: "started" is committed with the task's answer (or its timeout); a crash
    // before that only means the task is dispatched again, with a new token
    const from = w.sticky ? s.previousStartedEventId + 1 : 1;
    if (w.sticky) this.stats.stickyTasks++; else this.stats.normalTasks++;
    const parts: Uint8Array[] = [];
    for (let id = from; id < s.nextEventId; id++) parts.push(lengthDelimited(1, e.bytesOf(id)));
    const HE = type('temporal.api.history.v1.HistoryEvent');
    for (const t of transientEvents) parts.push(lengthDelimited(1, encodePlain(HE, t)));
    const head = encodePlain(type('temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse'), {
      taskToken: token({ k: 'w', r: s.runId, n: w.seq, a: w.attempt }),
      workflowExecution: { workflowId: s.workflowId, runId: s.runId },
      workflowType: { name: s.workflowType },
      previousStartedEventId: s.previousStartedEventId,
      startedEventId: w.startedEventId,
      attempt: w.attempt,
      workflowExecutionTaskQueue: { name: s.taskQueue, kind: 1 },
      scheduledTime: ts(w.scheduledTime),
      startedTime: ts(now),
      messages: this.outgoingUpdateMessages(e, w.startedEventId!),
    });
    return concatBytes([head, lengthDelimited(8, concatBytes(parts))]);
  }

  private wftFromToken(tok: Obj): { e: Execution; w: WftState } {
    const e = this.execs.get(tok.r);
    if (!e || !e.open) throw notFound('workflow execution already completed');
    const w = e.s.wft;
    if (!w || w.seq !== tok.n || w.startedTime === undefined) throw notFound('workflow task not found');
    return { e, w };
  }

  async respondWorkflowTaskCompleted(req: Obj): Promise<Obj> {
    const tok = parseToken(req.taskToken);
    if (tok.k === 'q') throw invalidArgument('query task token given to RespondWorkflowTaskCompleted');
    const { e, w } = this.wftFromToken(tok);
    const s = e.s;
    const now = this.now();
    const commands: Obj[] = req.commands ?? [];
    const bad = commandError(e, commands) ?? this.commandSearchAttributesError(s.namespace, commands);
    if (bad) {
      // like the real server's command validator: none of the task's commands is applied, the
      // task fails with the command's cause (and is retried), and the worker is told so
      await this.respondWorkflowTaskFailed({ taskToken: req.taskToken, identity: req.identity, cause: bad.cause, failure: { message: bad.message } });
      throw invalidArgument(bad.message);
    }
    const messages = this.inboundUpdateMessages(req.messages);
    if (w.speculative !== undefined && !commands.length && !s.buffered.length && !req.forceCreateNewWorkflowTask
      && [...messages.values()].every((m) => m.kind === 'rejection')) {
      // like the real server's speculative task: nothing but rejections leaves no trace in history
      return this.dropSpeculativeWft(e, req, messages);
    }
    if (s.buffered.length && commands.some((c) => closeCommandTypes.has(c.commandType))) {
      // new events arrived while the task ran: the workflow must see them before it may close
      this.persistTransient(e, w);
      e.add(E.WorkflowTaskFailed, 'WorkflowTaskFailed', {
        scheduledEventId: w.scheduledEventId, startedEventId: w.startedEventId, cause: enums.WftFailedCause.UnhandledCommand,
        identity: req.identity ?? '',
      }, now);
      s.wft = null;
      s.sticky = null;
      for (const u of Object.values(s.updates ?? {})) if (u.stage === 'sent') u.stage = 'admitted'; // sent again with the next task
      this.flushBuffered(e);
      this.scheduleWft(e);
      this.touch(e);
      await this.sync();
      // like the real server: the task is failed AND the worker is told so
      throw invalidArgument('UnhandledCommand');
    }
    this.persistTransient(e, w);
    const completed = e.add(E.WorkflowTaskCompleted, 'WorkflowTaskCompleted', {
      scheduledEventId: w.scheduledEventId, startedEventId: w.startedEventId, identity: req.identity ?? '',
      binaryChecksum: req.binaryChecksum ?? '', sdkMetadata: req.sdkMetadata, meteringMetadata: req.meteringMetadata,
      workerVersion: req.workerVersionStamp,
    }, now);
    s.previousStartedEventId = w.startedEventId!;
    s.wft = null;
    const stickyName = req.stickyAttributes?.workerTaskQueue?.name;
    s.sticky = stickyName ? { queue: stickyName, timeoutMs: durToMs(req.stickyAttributes.scheduleToStartTimeout) || 10_000 } : null;
    let needWft = false;
    const eager: number[] = [];
    this.inbound.set(e, messages);
    for (const cmd of commands) {
      if (!e.open) break;
      const before = s.nextEventId;
      if (this.applyCommand(e, cmd, completed.eventId)) needWft = true;
      const a = cmd.scheduleActivityTaskCommandAttributes;
      if (cmd.commandType === C.ScheduleActivityTask && a?.requestEagerExecution && s.activities[before]
        && s.activities[before]!.taskQueue === s.taskQueue) eager.push(before);
    }
    this.finishUpdateMessages(e, completed.eventId);
    if (e.open) {
      if (s.buffered.length) { this.flushBuffered(e); needWft = true; }
      if (needWft || req.forceCreateNewWorkflowTask) this.scheduleWft(e);
      else if (this.hasAdmittedUpdates(e)) this.scheduleWft(e, { speculative: true });
      this.dispatchQueries(e);
    }
    // eager activity dispatch: the worker reserved a slot for each activity it flagged, so the
    // task goes back in this response instead of through a poll (as the real server does)
    const activityTasks: Obj[] = [];
    const worker: Poller = { resolve: () => {}, identity: req.identity ?? '', workerKey: '', cancelled: () => false, timer: undefined as never, kind: 'act', queueKey: '' };
    for (const sid of eager) {
      const act = s.activities[sid];
      const task = e.open && act ? this.startActivity(e, sid, act.attempt, worker) : null;
      if (task) { activityTasks.push(task); this.stats.eagerActivities++; }
    }
    this.touch(e);
    await this.sync();
    return { activityTasks };
  }

  private persistTransient(e: Execution, w: WftState) {
    if (!w.transient) return;
    const now = this.now();
    e.add(E.WorkflowTaskScheduled, 'WorkflowTaskScheduled', { taskQueue: this.wftQueueOf(e, w), startToCloseTimeout: dur(e.s.wftTimeoutMs), attempt: w.attempt }, w.startedTime ?? now);
    e.add(E.WorkflowTaskStarted, 'WorkflowTaskStarted', { scheduledEventId: w.scheduledEventId, identity: w.identity ?? '', requestId: w.requestId ?? '' }, w.startedTime ?? now);
  }

  async respondWorkflowTaskFailed(req: Obj): Promise<Obj> {
    const tok = parseToken(req.taskToken);
    const { e, w } = this.wftFromToken(tok);
    if (!w.transient) {
      e.add(E.WorkflowTaskFailed, 'WorkflowTaskFailed', {
        scheduledEventId: w.scheduledEventId, startedEventId: w.startedEventId, cause: req.cause ?? 0,
        failure: req.failure, identity: req.identity ?? '', binaryChecksum: req.binaryChecksum ?? '',
      }, this.now());
    }
    this.retryWft(e, w);
    await this.sync();
    return {};
  }

  /** What the real server's frontend refuses in a start (before looking at any run). */
  private validateStart(req: Obj, signalWithStart: boolean) {
    const ns = req.namespace || 'default';
    const reuse = req.workflowIdReusePolicy || 0;
    const conflict = req.workflowIdConflictPolicy || 0;
    if (reuse === enums.ReusePolicy.TerminateIfRunning && conflict) {
      throw invalidArgument('Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.');
    }
    if (reuse === enums.ReusePolicy.RejectDuplicate && conflict === enums.ConflictPolicy.TerminateExisting) {
      throw invalidArgument('Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING');
    }
    if (signalWithStart && conflict === enums.ConflictPolicy.Fail) {
      throw invalidArgument('Invalid WorkflowIDConflictPolicy: WORKFLOW_ID_CONFLICT_POLICY_FAIL is not supported for SignalWithStart');
    }
    const saErr = searchAttributesError(req.searchAttributes, this.customSearchAttributes, ns);
    if (saErr) throw invalidArgument(saErr);
    if (req.cronSchedule) validateCron(req.cronSchedule);
  }

  /** Search attributes a workflow task's commands set (upsert, child, continue-as-new), checked like a real server. */
  private commandSearchAttributesError(ns: string, commands: Obj[]): CommandError | undefined {
    for (const c of commands) {
      const sa = c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes
        ?? c.startChildWorkflowExecutionCommandAttributes?.searchAttributes
        ?? c.continueAsNewWorkflowExecutionCommandAttributes?.searchAttributes;
      const err = sa && searchAttributesError(sa, this.customSearchAttributes, ns);
      if (err) return { cause: enums.WftFailedCause.BadSearchAttributes, message: err };
    }
    return undefined;
  }

  /** Closing the workflow from outside (terminate, timeout) while a task runs fails that task. */
  private failInFlightWft(e: Execution, cause: number) {
    const w = e.s.wft;
    if (w && w.startedTime !== undefined && !w.transient) {
      e.add(E.WorkflowTaskFailed, 'WorkflowTaskFailed', { scheduledEventId: w.scheduledEventId, startedEventId: w.startedEventId, cause }, this.now());
    }
    e.s.wft = null;
  }

  /** Adds an event now, or buffers it while a workflow task is running (as the real server does). */
  private addOrBuffer(e: Execution, eventType: number, name: string, attrs: Obj) {
    const w = e.s.wft;
    if (w && w.startedTime !== undefined) {
      e.s.buffered.push({ eventType, name, attrs, time: this.now() });
      e.notify();
    } else {
      e.add(eventType, name, attrs, this.now());
    }
    this.touch(e);
  }

  private flushBuffered(e: Execution) {
    const s = e.s;
    if (!s.buffered.length) return;
    const started = new Map<number, number>();
    for (const b of s.buffered) {
      const attrs = b.attrs;
      if (b.eventType === E.ActivityTaskStarted) {
        const ev = e.add(b.eventType, b.name, attrs, b.time);
        started.set(attrs.scheduledEventId, ev.eventId);
        continue;
      }
      if ([E.ActivityTaskCompleted, E.ActivityTaskFailed, E.ActivityTaskTimedOut, E.ActivityTaskCanceled].includes(b.eventType)
        && started.has(attrs.scheduledEventId)) {
        attrs.startedEventId = started.get(attrs.scheduledEventId);
      }
      e.add(b.eventType, b.name, attrs, b.time);
    }
    s.buffered = [];
  }

  // ------------------------------------------------------------------ commands
  /** Applies one command; returns true when it produced events the workflow must see at once. */
  private applyCommand(e: Execution, cmd: Obj, wftCompletedId: number): boolean {
    const handler = this.commandHandlers[cmd.commandType];
    if (!handler) throw invalidArgument(`temporal-lite does not support command type ${cmd.commandType}`);
    return handler.call(this, e, cmd, wftCompletedId, this.now());
  }

  /** One handler per command type: each adds the command's events and updates the run's state. */
  private readonly commandHandlers: Partial<Record<number, CommandHandler>> = {
    [C.ScheduleActivityTask]: this.onScheduleActivityTask,
    [C.RequestCancelActivityTask]: this.onRequestCancelActivityTask,
    [C.StartTimer]: this.onStartTimer,
    [C.CancelTimer]: this.onCancelTimer,
    [C.RecordMarker]: this.onRecordMarker,
    [C.CompleteWorkflowExecution]: this.onCompleteWorkflowExecution,
    [C.FailWorkflowExecution]: this.onFailWorkflowExecution,
    [C.CancelWorkflowExecution]: this.onCancelWorkflowExecution,
    [C.ContinueAsNewWorkflowExecution]: this.onContinueAsNewWorkflowExecution,
    [C.StartChildWorkflowExecution]: this.onStartChildWorkflowExecution,
    [C.SignalExternalWorkflowExecution]: this.onSignalExternalWorkflowExecution,
    [C.RequestCancelExternalWorkflowExecution]: this.onRequestCancelExternalWorkflowExecution,
    [C.UpsertWorkflowSearchAttributes]: this.onUpsertWorkflowSearchAttributes,
    [C.ModifyWorkflowProperties]: this.onModifyWorkflowProperties,
    [C.ProtocolMessage]: this.applyProtocolMessageCommand,
  };

  private onScheduleActivityTask(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const a = cmd.scheduleActivityTaskCommandAttributes ?? {};
    let s2c = durToMs(a.scheduleToCloseTimeout), s2s = durToMs(a.scheduleToStartTimeout), stc = durToMs(a.startToCloseTimeout), hb = durToMs(a.heartbeatTimeout);
    const runLeft = s.runExpireAt ? Math.max(1, s.runExpireAt - now) : 0;
    if (s2c > 0) {
      if (runLeft && s2c > runLeft) s2c = runLeft;
      if (s2s <= 0 || s2s > s2c) s2s = s2c;
      if (stc <= 0 || stc > s2c) stc = s2c;
    } else if (stc > 0) {
      s2c = runLeft;
      if (s2s <= 0) s2s = runLeft;
    } else {
      throw invalidArgument(`BadScheduleActivityAttributes: a valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand (activity ${a.activityId})`);
    }
    if (hb > stc && stc > 0) hb = stc;
    const rp = { ...DEFAULT_RETRY, ...(a.retryPolicy ?? {}) };
    if (!durToMs(rp.initialInterval)) rp.initialInterval = DEFAULT_RETRY.initialInterval;
    if (!rp.backoffCoefficient) rp.backoffCoefficient = 2;
    if (!durToMs(rp.maximumInterval)) rp.maximumInterval = dur(durToMs(rp.initialInterval) * 100);
    const taskQueue = a.taskQueue?.name || s.taskQueue;
    const ev = e.add(E.ActivityTaskScheduled, 'ActivityTaskScheduled', {
      activityId: a.activityId, activityType: a.activityType, taskQueue: { name: taskQueue, kind: 1 }, header: a.header,
      input: a.input, scheduleToCloseTimeout: dur(s2c), scheduleToStartTimeout: dur(s2s), startToCloseTimeout: dur(stc),
      heartbeatTimeout: dur(hb), workflowTaskCompletedEventId: wftCompletedId, retryPolicy: rp,
      useWorkflowBuildId: a.useWorkflowBuildId, priority: a.priority,
    }, now);
    const act: ActivityState = {
      scheduledEventId: ev.eventId, activityId: a.activityId, activityType: a.activityType?.name ?? '', taskQueue,
      scheduledTime: now, attemptScheduledTime: now, attempt: 1, cancelRequested: false,
      s2cMs: s2c, s2sMs: s2s, stcMs: stc, hbMs: hb, retryPolicy: rp,
    };
    s.activities[ev.eventId] = act;
    this.armActivity(e, act);
    return false;
  }

  private onRequestCancelActivityTask(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const sid = Number(cmd.requestCancelActivityTaskCommandAttributes?.scheduledEventId);
    const act = s.activities[sid];
    if (!act) return false;
    const req = e.add(E.ActivityTaskCancelRequested, 'ActivityTaskCancelRequested', { scheduledEventId: sid, workflowTaskCompletedEventId: wftCompletedId }, now);
    if (act.startedTime === undefined) {
      e.add(E.ActivityTaskCanceled, 'ActivityTaskCanceled', { latestCancelRequestedEventId: req.eventId, scheduledEventId: sid, startedEventId: 0, identity: '' }, now);
      delete s.activities[sid];
      return true;
    }
    act.cancelRequested = true;
    act.cancelRequestedEventId = req.eventId;
    return false;
  }

  private onStartTimer(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const a = cmd.startTimerCommandAttributes ?? {};
    const ms = durToMs(a.startToFireTimeout);
    const ev = e.add(E.TimerStarted, 'TimerStarted', { timerId: a.timerId, startToFireTimeout: a.startToFireTimeout, workflowTaskCompletedEventId: wftCompletedId }, now);
    s.timers[a.timerId] = { timerId: a.timerId, startedEventId: ev.eventId, fireAt: now + ms };
    this.due(now + ms, e, 'timer', a.timerId);
    return false;
  }

  private onCancelTimer(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const id = cmd.cancelTimerCommandAttributes?.timerId;
    const t = s.timers[id];
    if (!t) return false;
    e.add(E.TimerCanceled, 'TimerCanceled', { timerId: id, startedEventId: t.startedEventId, workflowTaskCompletedEventId: wftCompletedId, identity: '' }, now);
    delete s.timers[id];
    return false;
  }

  private onRecordMarker(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const a = cmd.recordMarkerCommandAttributes ?? {};
    e.add(E.MarkerRecorded, 'MarkerRecorded', { markerName: a.markerName, details: a.details, workflowTaskCompletedEventId: wftCompletedId, header: a.header, failure: a.failure }, now);
    return false;
  }

  private onCompleteWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const result = cmd.completeWorkflowExecutionCommandAttributes?.result;
    const cron = this.cronContinuation(e, { lastCompletionResult: result });
    e.add(E.WorkflowExecutionCompleted, 'WorkflowExecutionCompleted', { result, workflowTaskCompletedEventId: wftCompletedId, newExecutionRunId: cron?.newRunId }, now);
    this.close(e, S.Completed, cron);
    return false;
  }

  private onFailWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const failure = cmd.failWorkflowExecutionCommandAttributes?.failure;
    const retry = this.workflowRetry(e, failure);
    const cron = retry.newRunId ? undefined : this.cronContinuation(e, { failure });
    e.add(E.WorkflowExecutionFailed, 'WorkflowExecutionFailed', {
      failure, retryState: retry.state, workflowTaskCompletedEventId: wftCompletedId, newExecutionRunId: retry.newRunId ?? cron?.newRunId,
    }, now);
    this.close(e, S.Failed, retry.newRunId ? { initiator: enums.ContinueAsNewInitiator.Retry, backoffMs: retry.backoffMs, failure } : cron);
    return false;
  }

  private onCancelWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    e.add(E.WorkflowExecutionCanceled, 'WorkflowExecutionCanceled', { details: cmd.cancelWorkflowExecutionCommandAttributes?.details, workflowTaskCompletedEventId: wftCompletedId }, now);
    this.close(e, S.Canceled);
    return false;
  }

  private onContinueAsNewWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const a = cmd.continueAsNewWorkflowExecutionCommandAttributes ?? {};
    const newRunId = randomUUID();
    e.add(E.WorkflowExecutionContinuedAsNew, 'WorkflowExecutionContinuedAsNew', {
      newExecutionRunId: newRunId, workflowType: a.workflowType ?? { name: s.workflowType },
      taskQueue: { name: a.taskQueue?.name || s.taskQueue, kind: 1 }, input: a.input,
      workflowRunTimeout: a.workflowRunTimeout, workflowTaskTimeout: a.workflowTaskTimeout,
      workflowTaskCompletedEventId: wftCompletedId, backoffStartInterval: a.backoffStartInterval,
      initiator: enums.ContinueAsNewInitiator.Workflow, header: a.header, memo: a.memo, searchAttributes: a.searchAttributes,
    }, now);
    s.newRunId = newRunId;
    this.close(e, S.ContinuedAsNew, { initiator: enums.ContinueAsNewInitiator.Workflow, attrs: a, newRunId });
    return false;
  }

  private onStartChildWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const a = cmd.startChildWorkflowExecutionCommandAttributes ?? {};
    const ns = a.namespace || s.namespace;
    const pcp = a.parentClosePolicy || enums.ParentClosePolicy.Terminate;
    const init = e.add(E.StartChildWorkflowExecutionInitiated, 'StartChildWorkflowExecutionInitiated', {
      ...a, namespace: ns, parentClosePolicy: pcp, workflowTaskCompletedEventId: wftCompletedId,
    }, now);
    const existing = this.openById.get(`${ns}\u0000${a.workflowId}`);
    if (existing) {
      e.add(E.StartChildWorkflowExecutionFailed, 'StartChildWorkflowExecutionFailed', {
        namespace: ns, workflowId: a.workflowId, workflowType: a.workflowType, cause: 1, control: a.control,
        initiatedEventId: init.eventId, workflowTaskCompletedEventId: wftCompletedId,
      }, now);
      return true;
    }
    const child = this.createRun({
      namespace: ns, workflowId: a.workflowId, workflowType: a.workflowType?.name, taskQueue: a.taskQueue?.name || s.taskQueue,
      input: a.input, executionTimeoutMs: durToMs(a.workflowExecutionTimeout), runTimeoutMs: durToMs(a.workflowRunTimeout),
      taskTimeoutMs: durToMs(a.workflowTaskTimeout), identity: '', requestId: randomUUID(), retryPolicy: a.retryPolicy,
      memo: a.memo, searchAttributes: a.searchAttributes, header: a.header, cronSchedule: a.cronSchedule,
      parent: { namespace: s.namespace, workflowId: s.workflowId, runId: s.runId, initiatedEventId: init.eventId },
      rootWorkflowId: s.workflowId,
    });
    const started = e.add(E.ChildWorkflowExecutionStarted, 'ChildWorkflowExecutionStarted', {
      namespace: ns, initiatedEventId: init.eventId, workflowExecution: { workflowId: a.workflowId, runId: child.s.runId },
      workflowType: a.workflowType, header: a.header,
    }, now);
    s.children[init.eventId] = {
      initiatedEventId: init.eventId, namespace: ns, workflowId: a.workflowId, workflowType: a.workflowType?.name ?? '',
      runId: child.s.runId, startedEventId: started.eventId, parentClosePolicy: pcp,
    };
    return true;
  }

  private onSignalExternalWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const a = cmd.signalExternalWorkflowExecutionCommandAttributes ?? {};
    const ns = a.namespace || s.namespace;
    const init = e.add(E.SignalExternalWorkflowExecutionInitiated, 'SignalExternalWorkflowExecutionInitiated', {
      ...a, namespace: ns, workflowTaskCompletedEventId: wftCompletedId,
    }, now);
    const target = this.findOpen(ns, a.execution?.workflowId, a.execution?.runId);
    if (target && target !== e) {
      this.signal(target, { signalName: a.signalName, input: a.input, header: a.header, identity: '', externalWorkflowExecution: { workflowId: s.workflowId, runId: s.runId } });
      e.add(E.ExternalWorkflowExecutionSignaled, 'ExternalWorkflowExecutionSignaled', {
        initiatedEventId: init.eventId, namespace: ns, workflowExecution: { workflowId: target.s.workflowId, runId: target.s.runId }, control: a.control,
      }, now);
    } else {
      e.add(E.SignalExternalWorkflowExecutionFailed, 'SignalExternalWorkflowExecutionFailed', {
        cause: 1, workflowTaskCompletedEventId: wftCompletedId, namespace: ns, workflowExecution: a.execution,
        initiatedEventId: init.eventId, control: a.control,
      }, now);
    }
    return true;
  }

  private onRequestCancelExternalWorkflowExecution(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const a = cmd.requestCancelExternalWorkflowExecutionCommandAttributes ?? {};
    const ns = a.namespace || s.namespace;
    const init = e.add(E.RequestCancelExternalWorkflowExecutionInitiated, 'RequestCancelExternalWorkflowExecutionInitiated', {
      workflowTaskCompletedEventId: wftCompletedId, namespace: ns, workflowExecution: { workflowId: a.workflowId, runId: a.runId },
      control: a.control, childWorkflowOnly: a.childWorkflowOnly, reason: a.reason,
    }, now);
    const target = this.findOpen(ns, a.workflowId, a.runId);
    if (target && target !== e) {
      this.requestCancel(target, { identity: '', reason: a.reason ?? '', externalInitiatedEventId: init.eventId, externalWorkflowExecution: { workflowId: s.workflowId, runId: s.runId } });
      e.add(E.ExternalWorkflowExecutionCancelRequested, 'ExternalWorkflowExecutionCancelRequested', {
        initiatedEventId: init.eventId, namespace: ns, workflowExecution: { workflowId: target.s.workflowId, runId: target.s.runId },
      }, now);
    } else {
      e.add(E.RequestCancelExternalWorkflowExecutionFailed, 'RequestCancelExternalWorkflowExecutionFailed', {
        cause: 1, workflowTaskCompletedEventId: wftCompletedId, namespace: ns,
        workflowExecution: { workflowId: a.workflowId, runId: a.runId }, initiatedEventId: init.eventId, control: a.control,
      }, now);
    }
    return true;
  }

  private onUpsertWorkflowSearchAttributes(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const sa = cmd.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes;
    e.add(E.UpsertWorkflowSearchAttributes, 'UpsertWorkflowSearchAttributes', { workflowTaskCompletedEventId: wftCompletedId, searchAttributes: sa }, now);
    s.searchAttributes = mergeFields(s.searchAttributes, sa, 'indexedFields');
    return false;
  }

  private onModifyWorkflowProperties(e: Execution, cmd: Obj, wftCompletedId: number, now: number): boolean {
    const s = e.s;
    const memo = cmd.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
    e.add(E.WorkflowPropertiesModified, 'WorkflowPropertiesModified', { workflowTaskCompletedEventId: wftCompletedId, upsertedMemo: memo }, now);
    s.memo = mergeFields(s.memo, memo, 'fields');
    return false;
  }

  /** The next run of a cron workflow (the real server's CRON_SCHEDULE continue-as-new), or undefined. */
  private cronContinuation(e: Execution, o: { lastCompletionResult?: Obj; failure?: Obj }) {
    const s = e.s;
    if (!s.cronSchedule) return undefined;
    const backoffMs = cronBackoff(s.cronSchedule, s.executionTime, this.now());
    if (s.execExpireAt && this.now() + backoffMs >= s.execExpireAt) return undefined;
    return { initiator: enums.ContinueAsNewInitiator.Cron, newRunId: randomUUID(), backoffMs, ...o };
  }

  private workflowRetry(e: Execution, failure: Obj | undefined): { state: number; newRunId?: string; backoffMs?: number } {
    const rp = e.s.retryPolicy;
    if (!rp) return { state: enums.RetryState.RetryPolicyNotSet };
    const info = failure?.applicationFailureInfo;
    if (info?.nonRetryable || (rp.nonRetryableErrorTypes ?? []).includes(info?.type)) return { state: enums.RetryState.NonRetryableFailure };
    const max = Number(rp.maximumAttempts ?? 0);
    if (max > 0 && e.s.attempt >= max) return { state: enums.RetryState.MaximumAttemptsReached };
    const backoffMs = retryBackoff(rp, e.s.attempt, info?.nextRetryDelay);
    if (e.s.execExpireAt && this.now() + backoffMs >= e.s.execExpireAt) return { state: enums.RetryState.Timeout };
    return { state: enums.RetryState.InProgress, newRunId: randomUUID(), backoffMs };
  }

  // ------------------------------------------------------------------ activities
  private armActivity(e: Execution, a: ActivityState) {
    const s = e.s;
    const k = `${a.scheduledEventId}:${a.attempt}`;
    if (a.s2cMs) this.due(a.scheduledTime + a.s2cMs, e, 'act-s2c', `${a.scheduledEventId}`);
    if (a.startedTime !== undefined) {
      if (a.stcMs) this.due(a.startedTime + a.stcMs, e, 'act-stc', k);
      if (a.hbMs) this.due((a.lastHeartbeatTime ?? a.startedTime) + a.hbMs, e, 'act-hb', k);
    } else if (a.readyAt && a.readyAt > this.now()) {
      this.due(a.readyAt, e, 'act-ready', k);
    } else {
      a.readyAt = undefined;
      this.enqueue(this.queueKey(s.namespace, a.taskQueue, 'act'), { k: 'a', runId: s.runId, sid: a.scheduledEventId, attempt: a.attempt });
      if (a.s2sMs) this.due(a.attemptScheduledTime + a.s2sMs, e, 'act-s2s', k);
    }
  }

  private startActivity(e: Execution, sid: number, attempt: number, p: Poller): Obj | null {
    const s = e.s;
    const a = s.activities[sid];
    if (!a || a.attempt !== attempt || a.startedTime !== undefined || (a.readyAt && a.readyAt > this.now())) return null;
    const now = this.now();
    a.startedTime = now;
    a.startedIdentity = p.identity;
    a.lastWorkerIdentity = p.identity;
    a.startedRequestId = randomUUID();
    a.lastHeartbeatTime = undefined;
    const k = `${sid}:${attempt}`;
    if (a.stcMs) this.due(now + a.stcMs, e, 'act-stc', k);
    if (a.hbMs) this.due(now + a.hbMs, e, 'act-hb', k);
    // not marked dirty, like a workflow task start: committed with the answer or a heartbeat
    const sched = e.event(sid)?.activityTaskScheduledEventAttributes ?? {};
    return {
      taskToken: token({ k: 'a', r: s.runId, s: sid, a: attempt }),
      workflowNamespace: s.namespace,
      workflowType: { name: s.workflowType },
      workflowExecution: { workflowId: s.workflowId, runId: s.runId },
      activityType: sched.activityType,
      activityId: a.activityId,
      header: sched.header,
      input: sched.input,
      heartbeatDetails: a.heartbeatDetails,
      scheduledTime: ts(a.scheduledTime),
      currentAttemptScheduledTime: ts(a.attemptScheduledTime),
      startedTime: ts(now),
      attempt,
      scheduleToCloseTimeout: dur(a.s2cMs),
      startToCloseTimeout: dur(a.stcMs),
      heartbeatTimeout: dur(a.hbMs),
      retryPolicy: a.retryPolicy,
      priority: sched.priority,
    };
  }

  private activityFrom(req: Obj): { e: Execution; a: ActivityState } {
    if (req.taskToken && req.taskToken.length) {
      const tok = parseToken(req.taskToken);
      if (tok.k !== 'a') throw invalidArgument('not an activity task token');
      const e = this.execs.get(tok.r);
      if (!e || !e.open) throw notFound('workflow execution already completed');
      const a = e.s.activities[tok.s];
      if (!a || a.attempt !== tok.a || a.startedTime === undefined) throw notFound('activity task not found');
      return { e, a };
    }
    const ns = req.namespace || 'default';
    const e = this.findOpen(ns, req.workflowId, req.runId);
    if (!e) throw notFound('workflow execution already completed');
    const a = Object.values(e.s.activities).find((x) => x.activityId === req.activityId);
    if (!a) throw notFound(`activity ${req.activityId} not found`);
    if (a.startedTime === undefined) throw notFound(`activity ${req.activityId} is not started`);
    return { e, a };
  }

  async heartbeat(req: Obj): Promise<Obj> {
    const { e, a } = this.activityFrom(req);
    if (req.details) a.heartbeatDetails = req.details;
    a.lastHeartbeatTime = this.now();
    this.touch(e);
    await this.sync();
    return { cancelRequested: a.cancelRequested, activityPaused: false, activityReset: false };
  }

  private activityStartedEvent(e: Execution, a: ActivityState) {
    this.addOrBuffer(e, E.ActivityTaskStarted, 'ActivityTaskStarted', {
      scheduledEventId: a.scheduledEventId, identity: a.startedIdentity ?? '', requestId: a.startedRequestId ?? '',
      attempt: a.attempt, lastFailure: a.lastFailure,
    });
  }

  private startedIdPlaceholder(e: Execution): number {
    // when events are buffered, flushBuffered patches startedEventId; otherwise it is the event just added
    return e.s.buffered.length ? 0 : e.s.nextEventId - 1;
  }

  async respondActivityCompleted(req: Obj): Promise<Obj> {
    const { e, a } = this.activityFrom(req);
    this.activityStartedEvent(e, a);
    this.addOrBuffer(e, E.ActivityTaskCompleted, 'ActivityTaskCompleted', {
      result: req.result, scheduledEventId: a.scheduledEventId, startedEventId: this.startedIdPlaceholder(e), identity: req.identity ?? '',
    });
    delete e.s.activities[a.scheduledEventId];
    this.scheduleWft(e);
    this.touch(e);
    await this.sync();
    return {};
  }

  async respondActivityFailed(req: Obj): Promise<Obj> {
    const { e, a } = this.activityFrom(req);
    if (req.lastHeartbeatDetails) a.heartbeatDetails = req.lastHeartbeatDetails;
    this.activityFailed(e, a, req.failure ?? { message: 'activity failed' }, req.identity ?? '', true);
    this.touch(e);
    await this.sync();
    return { failures: [] };
  }

  async respondActivityCanceled(req: Obj): Promise<Obj> {
    const { e, a } = this.activityFrom(req);
    this.activityStartedEvent(e, a);
    this.addOrBuffer(e, E.ActivityTaskCanceled, 'ActivityTaskCanceled', {
      details: req.details, latestCancelRequestedEventId: a.cancelRequestedEventId ?? 0, scheduledEventId: a.scheduledEventId,
      startedEventId: this.startedIdPlaceholder(e), identity: req.identity ?? '',
    });
    delete e.s.activities[a.scheduledEventId];
    this.scheduleWft(e);
    this.touch(e);
    await this.sync();
    return {};
  }

  /** Retries per policy, or records the final failure. */
  private activityFailed(e: Execution, a: ActivityState, failure: Obj, identity: string, retryableKind: boolean) {
    const now = this.now();
    const info = failure.applicationFailureInfo;
    const rp = a.retryPolicy;
    let state: number = enums.RetryState.InProgress;
    if (!retryableKind || info?.nonRetryable || (rp.nonRetryableErrorTypes ?? []).includes(info?.type)) state = enums.RetryState.NonRetryableFailure;
    else if (Number(rp.maximumAttempts ?? 0) > 0 && a.attempt >= Number(rp.maximumAttempts)) state = enums.RetryState.MaximumAttemptsReached;
    else if (a.cancelRequested) state = enums.RetryState.CancelRequested;
    let backoff = 0;
    if (state === enums.RetryState.InProgress) {
      backoff = retryBackoff(rp, a.attempt, info?.nextRetryDelay);
      if (a.s2cMs && now + backoff >= a.scheduledTime + a.s2cMs) state = enums.RetryState.Timeout;
    }
    if (state === enums.RetryState.InProgress) {
      a.attempt += 1;
      a.lastFailure = failure;
      a.startedTime = undefined;
      a.startedIdentity = undefined;
      a.readyAt = now + backoff;
      a.attemptScheduledTime = now + backoff;
      this.armActivity(e, a);
      this.touch(e);
      return;
    }
    const started = a.startedTime !== undefined;
    if (started) this.activityStartedEvent(e, a);
    if (failure.timeoutFailureInfo) {
      this.addOrBuffer(e, E.ActivityTaskTimedOut, 'ActivityTaskTimedOut', {
        failure, scheduledEventId: a.scheduledEventId, startedEventId: started ? this.startedIdPlaceholder(e) : 0, retryState: state,
      });
    } else {
      this.addOrBuffer(e, E.ActivityTaskFailed, 'ActivityTaskFailed', {
        failure, scheduledEventId: a.scheduledEventId, startedEventId: started ? this.startedIdPlaceholder(e) : 0, identity, retryState: state,
      });
    }
    delete e.s.activities[a.scheduledEventId];
    this.scheduleWft(e);
  }

  private activityTimedOut(e: Execution, a: ActivityState, timeoutType: number, retryable: boolean) {
    const name = { 1: 'StartToClose', 2: 'ScheduleToStart', 3: 'ScheduleToClose', 4: 'Heartbeat' }[timeoutType];
    const failure: Obj = {
      message: `activity ${name} timeout`,
      source: 'Server',
      timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: a.heartbeatDetails },
    };
    if (!retryable && a.lastFailure) failure.cause = a.lastFailure;
    this.activityFailed(e, a, failure, '', retryable);
  }

  // ------------------------------------------------------------------ starting runs
  createRun(o: {
    namespace: string; workflowId: string; workflowType: string; taskQueue: string; input?: Obj; identity: string;
    requestId: string; executionTimeoutMs?: number; runTimeoutMs?: number; taskTimeoutMs?: number; retryPolicy?: Obj;
    memo?: Obj; searchAttributes?: Obj; header?: Obj; cronSchedule?: string; parent?: Execution['s']['parent'];
    rootWorkflowId?: string; startDelayMs?: number; signal?: Obj; continuedFrom?: Execution; initiator?: number;
    /** eager start: the first workflow task is scheduled but not queued (the start's answer carries it) */
    eager?: boolean;
    attempt?: number; failure?: Obj; lastCompletionResult?: Obj; runId?: string; execExpireAt?: number | null;
    /** update-with-start: the update, admitted before the first workflow task so that task carries it */
    updateRequest?: Obj;
  }): Execution {
    if (!o.workflowId) throw invalidArgument('workflowId is required');
    if (!o.workflowType) throw invalidArgument('workflowType.name is required');
    if (!o.taskQueue) throw invalidArgument('taskQueue.name is required');
    const now = this.now();
    const runId = o.runId ?? randomUUID();
    const execTimeout = o.executionTimeoutMs ?? 0;
    let runTimeout = o.runTimeoutMs ?? 0;
    if (!runTimeout || (execTimeout && runTimeout > execTimeout)) runTimeout = execTimeout;
    const wftTimeout = Math.min(o.taskTimeoutMs || 10_000, 120_000);
    const prev = o.continuedFrom?.s;
    // a cron workflow's first run waits for the next match (firstWorkflowTaskBackoff), like the real server
    const delay = o.startDelayMs || (o.cronSchedule && !o.continuedFrom ? cronBackoff(o.cronSchedule, now, now) : 0);
    const s: ExecState = {
      namespace: o.namespace, workflowId: o.workflowId, runId, firstRunId: prev?.firstRunId ?? runId,
      originalRunId: runId, workflowType: o.workflowType, taskQueue: o.taskQueue, status: S.Running, startTime: now,
      executionTime: now + delay, closeTime: null, nextEventId: 1, previousStartedEventId: 0, wftTimeoutMs: wftTimeout,
      runTimeoutMs: runTimeout, execTimeoutMs: execTimeout,
      runExpireAt: runTimeout ? now + delay + runTimeout : null,
      execExpireAt: o.execExpireAt !== undefined ? o.execExpireAt : (execTimeout ? now + delay + execTimeout : null),
      memo: o.memo ?? null, searchAttributes: o.searchAttributes ?? null, parent: o.parent ?? null,
      retryPolicy: o.retryPolicy ?? null, attempt: o.attempt ?? 1, wftSeq: 0, wft: null, sticky: null, buffered: [],
      activities: {}, timers: {}, children: {}, cancelRequested: false, requestIds: [o.requestId], newRunId: null,
      closeEventId: null, startDelayUntil: delay ? now + delay : null, identity: o.identity,
      ...(o.cronSchedule ? { cronSchedule: o.cronSchedule } : {}),
    };
    const e = new Execution(s);
    e.add(E.WorkflowExecutionStarted, 'WorkflowExecutionStarted', {
      workflowType: { name: o.workflowType }, parentWorkflowNamespace: o.parent?.namespace, parentWorkflowExecution: o.parent ? { workflowId: o.parent.workflowId, runId: o.parent.runId } : undefined,
      parentInitiatedEventId: o.parent?.initiatedEventId, taskQueue: { name: o.taskQueue, kind: 1 }, input: o.input,
      workflowExecutionTimeout: dur(execTimeout), workflowRunTimeout: dur(runTimeout), workflowTaskTimeout: dur(wftTimeout),
      continuedExecutionRunId: prev?.runId, initiator: o.initiator, continuedFailure: o.failure, lastCompletionResult: o.lastCompletionResult,
      originalExecutionRunId: runId, identity: o.identity, firstExecutionRunId: s.firstRunId, retryPolicy: o.retryPolicy,
      attempt: s.attempt, workflowExecutionExpirationTime: s.execExpireAt ? ts(s.execExpireAt) : undefined,
      cronSchedule: o.cronSchedule, firstWorkflowTaskBackoff: delay ? dur(delay) : undefined, memo: o.memo,
      searchAttributes: o.searchAttributes, header: o.header, workflowId: o.workflowId,
      rootWorkflowExecution: o.rootWorkflowId ? undefined : undefined,
      // as the real server (≥ 1.29) records it: the start asked for its first task and got it
      ...(o.eager && !delay ? { eagerExecutionAccepted: true } : {}),
    }, now);
    if (o.signal) {
      e.add(E.WorkflowExecutionSignaled, 'WorkflowExecutionSignaled', o.signal, now);
    }
    if (o.updateRequest) s.updates = { [o.updateRequest.meta.updateId]: { id: o.updateRequest.meta.updateId, stage: 'admitted', request: o.updateRequest } };
    this.execs.set(runId, e);
    this.openById.set(e.key, runId);
    if (s.runExpireAt) this.due(s.runExpireAt, e, 'wf-run-timeout', '');
    if (s.execExpireAt) this.due(s.execExpireAt, e, 'wf-exec-timeout', '');
    if (delay) this.due(now + delay, e, 'wf-start', '');
    else this.scheduleWft(e, { noDispatch: o.eager });
    this.touch(e);
    return e;
  }

  private async latestExecution(ns: string, workflowId: string): Promise<Execution | undefined> {
    const open = this.openById.get(`${ns}\u0000${workflowId}`);
    if (open) return this.execs.get(open);
    const runId = await this.latestRunId(ns, workflowId);
    return runId ? this.load(runId) : undefined;
  }

  /**
   * The newest run id of a workflow id in the database. Lookups made while the same event-loop
   * turn runs (many starts arriving together) share one query instead of one query each.
   */
  private latestRunId(ns: string, workflowId: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      let byId = this.latestLookups.get(ns);
      if (!byId) this.latestLookups.set(ns, (byId = new Map()));
      const waiting = byId.get(workflowId);
      if (waiting) waiting.push({ resolve, reject });
      else byId.set(workflowId, [{ resolve, reject }]);
      if (this.latestLookups.size === 1 && byId.size === 1 && !waiting) setImmediate(() => void this.flushLatestLookups());
    });
  }

  private async flushLatestLookups() {
    const batches = this.latestLookups;
    this.latestLookups = new Map();
    for (const [ns, byId] of batches) {
      try {
        const found = await this.store.latestRuns(ns, [...byId.keys()]);
        for (const [id, waiters] of byId) for (const w of waiters) w.resolve(found.get(id));
      } catch (err) {
        for (const waiters of byId.values()) for (const w of waiters) w.reject(err as Error);
      }
    }
  }

  /** The execution for (workflowId, runId?): memory first, then the database. */
  async getExecution(ns: string, workflowId: string | undefined, runId: string | undefined): Promise<Execution> {
    let e: Execution | undefined;
    if (runId) {
      e = await this.load(runId);
      if (e && (e.s.namespace !== ns || (workflowId && e.s.workflowId !== workflowId))) e = undefined;
    } else if (workflowId) {
      e = await this.latestExecution(ns, workflowId);
    }
    if (!e) throw notFound(`workflow execution not found for workflowId ${workflowId ?? ''}${runId ? ` runId ${runId}` : ''}`);
    return e;
  }

  private async load(runId: string): Promise<Execution | undefined> {
    const inMem = this.execs.get(runId);
    if (inMem) return inMem;
    const state = await this.store.loadState(runId);
    if (!state) return undefined;
    const again = this.execs.get(runId);
    if (again) return again;
    const events = await this.store.loadEvents([runId]);
    const e = this.hydrate(Execution.parse(state), events.get(runId) ?? []);
    this.evictClosed();
    return e;
  }

  private findOpen(ns: string, workflowId: string | undefined, runId: string | undefined): Execution | undefined {
    if (!workflowId) return undefined;
    const id = this.openById.get(`${ns}\u0000${workflowId}`);
    if (!id || (runId && runId !== id)) return undefined;
    return this.execs.get(id);
  }

  async startWorkflow(req: Obj, signal?: Obj, updateRequest?: Obj): Promise<Obj> {
    const ns = req.namespace || 'default';
    this.validateStart(req, !!signal);
    const requestId = req.requestId || randomUUID();
    const conflict = req.workflowIdConflictPolicy || (signal ? enums.ConflictPolicy.UseExisting : enums.ConflictPolicy.Fail);
    const reuse = req.workflowIdReusePolicy || enums.ReusePolicy.AllowDuplicate;
    const current = this.findOpen(ns, req.workflowId, undefined);
    if (current) {
      if (current.s.requestIds.includes(requestId)) return { runId: current.s.runId, started: true };
      if (signal) {
        if (conflict !== enums.ConflictPolicy.TerminateExisting) {
          this.signal(current, signal);
          await this.sync();
          return { runId: current.s.runId, started: false };
        }
      } else if (conflict === enums.ConflictPolicy.UseExisting) {
        if (req.onConflictOptions?.attachRequestId) current.s.requestIds.push(requestId);
        this.touch(current);
        await this.sync();
        return { runId: current.s.runId, started: false };
      }
      if (conflict === enums.ConflictPolicy.TerminateExisting || reuse === enums.ReusePolicy.TerminateIfRunning) {
        this.terminate(current, 'terminated by a new start (workflow id conflict policy TERMINATE_EXISTING)', undefined, req.identity ?? '');
      } else {
        throw alreadyStarted(`Workflow execution is already running. WorkflowId: ${req.workflowId}, RunId: ${current.s.runId}.`, current.s.requestIds[0] ?? '', current.s.runId);
      }
    } else if (req.workflowId) {
      const prev = await this.latestExecution(ns, req.workflowId);
      // another start of the same id may have created a run while this one looked in the database
      if (this.findOpen(ns, req.workflowId, undefined)) return this.startWorkflow(req, signal, updateRequest);
      if (prev && !prev.open) {
        if (prev.s.requestIds.includes(requestId)) return { runId: prev.s.runId, started: true };
        const failedLike = [S.Failed, S.Canceled, S.Terminated, S.TimedOut].includes(prev.s.status as never);
        if (reuse === enums.ReusePolicy.RejectDuplicate || (reuse === enums.ReusePolicy.AllowDuplicateFailedOnly && !failedLike)) {
          throw alreadyStarted(`Workflow execution already finished and the workflow id reuse policy does not allow starting it again. WorkflowId: ${req.workflowId}, RunId: ${prev.s.runId}.`, prev.s.requestIds[0] ?? '', prev.s.runId);
        }
      }
    }
    const e = this.createRun({
      namespace: ns, workflowId: req.workflowId, workflowType: req.workflowType?.name, taskQueue: req.taskQueue?.name,
      input: req.input, identity: req.identity ?? '', requestId, executionTimeoutMs: durToMs(req.workflowExecutionTimeout),
      runTimeoutMs: durToMs(req.workflowRunTimeout), taskTimeoutMs: durToMs(req.workflowTaskTimeout), retryPolicy: req.retryPolicy,
      memo: req.memo, searchAttributes: req.searchAttributes, header: req.header, cronSchedule: req.cronSchedule || undefined,
      startDelayMs: durToMs(req.workflowStartDelay), signal, updateRequest,
      eager: !!req.requestEagerExecution && !signal && !updateRequest,
    });
    const eagerTask = req.requestEagerExecution && !signal && !updateRequest ? this.eagerWorkflowTask(e, req.identity ?? '') : undefined;
    await this.sync();
    if (!eagerTask) return { runId: e.s.runId, started: true };
    const head = encodePlain(type('temporal.api.workflowservice.v1.StartWorkflowExecutionResponse'), { runId: e.s.runId, started: true, status: e.s.status });
    return concatBytes([head, lengthDelimited(2, eagerTask)]);
  }

  /**
   * Eager workflow start: the first workflow task goes back in the start's answer, to the worker
   * that shares the client's connection (as the real server does when the namespace allows it).
   * A run whose first task is delayed (start delay, cron) is started normally.
   */
  private eagerWorkflowTask(e: Execution, identity: string): Uint8Array | undefined {
    const w = e.s.wft;
    if (!w) return undefined;
    const worker: Poller = { resolve: () => {}, identity, workerKey: '', cancelled: () => false, timer: undefined as never, kind: 'wf', queueKey: '' };
    const task = this.startWft(e, w.seq, worker);
    if (task) this.stats.eagerWorkflows++;
    return task ?? undefined;
  }

  // ------------------------------------------------------------------ signals, cancel, terminate
  signal(e: Execution, sig: Obj) {
    this.addOrBuffer(e, E.WorkflowExecutionSignaled, 'WorkflowExecutionSignaled', sig);
    this.scheduleWft(e);
  }

  async signalWorkflow(req: Obj): Promise<Obj> {
    const e = this.findOpen(req.namespace || 'default', req.workflowExecution?.workflowId, req.workflowExecution?.runId || undefined);
    if (!e) throw notFound('workflow execution already completed');
    this.signal(e, { signalName: req.signalName, input: req.input, identity: req.identity ?? '', header: req.header });
    await this.sync();
    return {};
  }

  requestCancel(e: Execution, o: { identity: string; reason: string; externalInitiatedEventId?: number; externalWorkflowExecution?: Obj }) {
    if (e.s.cancelRequested) return;
    e.s.cancelRequested = true;
    // like the real server: a run still waiting for its first task (start delay, cron backoff) gets it now
    e.s.startDelayUntil = null;
    this.addOrBuffer(e, E.WorkflowExecutionCancelRequested, 'WorkflowExecutionCancelRequested', {
      cause: o.reason, identity: o.identity, externalInitiatedEventId: o.externalInitiatedEventId, externalWorkflowExecution: o.externalWorkflowExecution,
    });
    this.scheduleWft(e);
  }

  async requestCancelWorkflow(req: Obj): Promise<Obj> {
    const e = this.findOpen(req.namespace || 'default', req.workflowExecution?.workflowId, req.workflowExecution?.runId || undefined);
    if (!e) throw notFound('workflow execution already completed');
    this.requestCancel(e, { identity: req.identity ?? '', reason: req.reason ?? '' });
    await this.sync();
    return {};
  }

  terminate(e: Execution, reason: string, details: Obj | undefined, identity: string) {
    this.failInFlightWft(e, enums.WftFailedCause.ForceCloseCommand);
    this.flushBuffered(e);
    e.add(E.WorkflowExecutionTerminated, 'WorkflowExecutionTerminated', { reason, details, identity }, this.now());
    this.close(e, S.Terminated);
  }

  async terminateWorkflow(req: Obj): Promise<Obj> {
    const e = this.findOpen(req.namespace || 'default', req.workflowExecution?.workflowId, req.workflowExecution?.runId || undefined);
    if (!e) throw notFound('workflow execution already completed');
    this.terminate(e, req.reason ?? '', req.details, req.identity ?? '');
    await this.sync();
    return {};
  }

  // ------------------------------------------------------------------ closing
  private close(e: Execution, status: number, next?: { initiator: number; attrs?: Obj; newRunId?: string; backoffMs?: number; failure?: Obj; lastCompletionResult?: Obj }) {
    const s = e.s;
    const now = this.now();
    s.status = status;
    s.closeTime = now;
    s.closeEventId = s.nextEventId - 1;
    s.wft = null;
    s.activities = {};
    s.timers = {};
    this.abortUpdates(e);
    if (this.openById.get(e.key) === s.runId) this.openById.delete(e.key);
    this.touch(e);
    // runs that go on under the same workflow id: continue-as-new and workflow retry
    if (next) {
      const closeEv = e.event(s.closeEventId!)!;
      const newRunId = next.newRunId ?? closeEv.workflowExecutionFailedEventAttributes?.newExecutionRunId;
      const a = next.attrs ?? {};
      this.createRun({
        runId: newRunId, namespace: s.namespace, workflowId: s.workflowId,
        workflowType: a.workflowType?.name || s.workflowType, taskQueue: a.taskQueue?.name || s.taskQueue,
        input: next.initiator === enums.ContinueAsNewInitiator.Workflow ? a.input : e.event(1)?.workflowExecutionStartedEventAttributes?.input,
        identity: s.identity, requestId: randomUUID(), executionTimeoutMs: s.execTimeoutMs,
        runTimeoutMs: durToMs(a.workflowRunTimeout) || s.runTimeoutMs, taskTimeoutMs: durToMs(a.workflowTaskTimeout) || s.wftTimeoutMs,
        retryPolicy: a.retryPolicy ?? s.retryPolicy ?? undefined, memo: a.memo ?? s.memo ?? undefined,
        searchAttributes: a.searchAttributes ?? s.searchAttributes ?? undefined, header: a.header,
        parent: s.parent, continuedFrom: e, initiator: next.initiator,
        startDelayMs: next.backoffMs ?? durToMs(a.backoffStartInterval),
        attempt: next.initiator === enums.ContinueAsNewInitiator.Retry ? s.attempt + 1 : 1,
        failure: next.failure, execExpireAt: s.execExpireAt, cronSchedule: a.cronSchedule || s.cronSchedule,
        lastCompletionResult: next.lastCompletionResult,
      });
    }
    // children by their parent close policy
    for (const c of Object.values(s.children)) {
      const child = c.runId ? this.execs.get(c.runId) : undefined;
      const live = child && child.open ? child : this.findOpen(c.namespace, c.workflowId, undefined);
      if (!live) continue;
      if (c.parentClosePolicy === enums.ParentClosePolicy.Terminate) this.terminate(live, 'by parent close policy', undefined, '');
      else if (c.parentClosePolicy === enums.ParentClosePolicy.RequestCancel) this.requestCancel(live, { identity: '', reason: 'by parent close policy' });
    }
    s.children = {};
    if (s.parent && !next) this.notifyParent(e, status);
    e.notify();
    for (const x of this.extensions.values()) x.onClose(e);
    for (const id of e.pendingQueries) this.dispatchQuery(id);
    e.pendingQueries = [];
    this.rememberClosed(e);
    this.evictClosed();
    this.compactDue();
  }

  /** Drops the due times of closed runs once the heap is large and has doubled since the last time (amortised O(1)). */
  private compactDue() {
    if (this.heap.size <= Math.max(this.dueCompactAbove, 2 * this.dueAfterCompact)) return;
    this.heap.retain((d) => !d.runId || !!this.execs.get(d.runId)?.open);
    this.dueAfterCompact = this.heap.size;
  }

  private notifyParent(e: Execution, status: number) {
    const s = e.s;
    const p = s.parent!;
    const parent = this.findOpen(p.namespace, p.workflowId, p.runId);
    if (!parent) return;
    const child = parent.s.children[p.initiatedEventId];
    if (!child) return;
    delete parent.s.children[p.initiatedEventId];
    const close = e.event(s.closeEventId!) ?? {};
    const base = {
      namespace: s.namespace, workflowExecution: { workflowId: s.workflowId, runId: s.runId },
      workflowType: { name: s.workflowType }, initiatedEventId: p.initiatedEventId, startedEventId: child.startedEventId,
    };
    switch (status) {
      case S.Completed:
        this.addOrBuffer(parent, E.ChildWorkflowExecutionCompleted, 'ChildWorkflowExecutionCompleted', { ...base, result: close.workflowExecutionCompletedEventAttributes?.result });
        break;
      case S.Failed:
        this.addOrBuffer(parent, E.ChildWorkflowExecutionFailed, 'ChildWorkflowExecutionFailed', { ...base, failure: close.workflowExecutionFailedEventAttributes?.failure, retryState: close.workflowExecutionFailedEventAttributes?.retryState });
        break;
      case S.Canceled:
        this.addOrBuffer(parent, E.ChildWorkflowExecutionCanceled, 'ChildWorkflowExecutionCanceled', { ...base, details: close.workflowExecutionCanceledEventAttributes?.details });
        break;
      case S.Terminated:
        this.addOrBuffer(parent, E.ChildWorkflowExecutionTerminated, 'ChildWorkflowExecutionTerminated', base);
        break;
      case S.TimedOut:
        this.addOrBuffer(parent, E.ChildWorkflowExecutionTimedOut, 'ChildWorkflowExecutionTimedOut', { ...base, retryState: close.workflowExecutionTimedOutEventAttributes?.retryState });
        break;
    }
    this.scheduleWft(parent);
  }

  private rememberClosed(e: Execution) {
    e.cachedSize = e.sizeEstimate();
    this.closedBytes += e.cachedSize;
    this.closedOrder.push(e.s.runId);
  }

  /** Drops the oldest closed executions beyond the count or the byte budget (never one being written or waited on). */
  private evictClosed() {
    while (this.closedOrder.length > this.closedCacheSize || (this.closedBytes > this.closedCacheBytes && this.closedOrder.length > 1)) {
      const runId = this.closedOrder.shift()!;
      const e = this.execs.get(runId);
      if (!e || e.open) continue;
      if (this.dirty.has(e) || e.waiters.size > 0) { this.closedOrder.push(runId); break; }
      this.closedBytes -= e.cachedSize;
      e.cachedSize = 0;
      this.execs.delete(runId);
    }
  }

  /** What the engine holds in memory: for the soak benchmark and the README. */
  memoryStats(): Record<string, number> {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.tasks.length + q.pollers.length;
    return {
      executions: this.execs.size,
      open: this.openById.size,
      closedCached: this.closedOrder.length,
      closedCachedKiB: Math.round(this.closedBytes / 1024),
      taskQueues: this.queues.size,
      queuedItems: queued,
      dueTimes: this.heap.size,
      pendingQueries: this.queries.size,
      dirty: this.dirty.size,
    };
  }


  // ------------------------------------------------------------------ updates
  // The real server's update protocol: an update is admitted (in memory and in the run's state),
  // sent to the worker as a protocol message in the next workflow task (a speculative one when
  // nothing else is pending), and the worker answers with Acceptance / Rejection / Response
  // messages, placed in the command sequence by PROTOCOL_MESSAGE commands. Accepted and completed
  // updates are history events (WorkflowExecutionUpdateAccepted / -Completed); a rejection leaves
  // none. Update ids are de-duplicated per run, also after it closed.

  /** a workflow task completion's messages, by id, while its commands are applied */
  private inbound = new Map<Execution, Map<string, InboundMessage>>();

  private updatesOf(e: Execution): Record<string, UpdateState> {
    return (e.s.updates ??= {});
  }

  private hasAdmittedUpdates(e: Execution): boolean {
    for (const u of Object.values(e.s.updates ?? {})) if (u.stage === 'admitted') return true;
    return false;
  }

  private wftQueueOf(e: Execution, w: WftState): Obj {
    return w.sticky ? { name: w.queue, kind: enums.TaskQueueKind.Sticky, normalName: e.s.taskQueue } : { name: e.s.taskQueue, kind: enums.TaskQueueKind.Normal };
  }

  /** The admitted updates, as the request messages of the workflow task being started (they become "sent"). */
  private outgoingUpdateMessages(e: Execution, startedEventId: number): Obj[] | undefined {
    const out: Obj[] = [];
    for (const u of Object.values(e.s.updates ?? {})) {
      if (u.stage !== 'admitted' || !u.request) continue;
      u.stage = 'sent';
      out.push({ id: `${u.id}/request`, protocolInstanceId: u.id, eventId: startedEventId - 1, body: anyOf('temporal.api.update.v1.Request', u.request) });
    }
    return out.length ? out : undefined;
  }

  private inboundUpdateMessages(messages: Obj[] | undefined): Map<string, InboundMessage> {
    const out = new Map<string, InboundMessage>();
    for (const m of messages ?? []) {
      const url: string = m.body?.type_url ?? m.body?.typeUrl ?? '';
      const kind = url.endsWith('update.v1.Acceptance') ? 'acceptance' : url.endsWith('update.v1.Rejection') ? 'rejection'
        : url.endsWith('update.v1.Response') ? 'response' : undefined;
      if (!kind) throw invalidArgument(`BadUpdateWorkflowExecutionMessage: unknown message body type ${url}`);
      const typeName = `temporal.api.update.v1.${kind[0]!.toUpperCase()}${kind.slice(1)}`;
      out.set(m.id, { id: m.id, updateId: m.protocolInstanceId, kind, body: decodePlain(type(typeName), m.body.value ?? new Uint8Array()), done: false });
    }
    return out;
  }

  /** PROTOCOL_MESSAGE: the message it names takes effect here, between the other commands. */
  private applyProtocolMessageCommand(e: Execution, cmd: Obj, wftCompletedId: number): boolean {
    const m = this.inbound.get(e)?.get(cmd.protocolMessageCommandAttributes?.messageId);
    if (m) this.applyUpdateMessage(e, m, wftCompletedId);
    return false;
  }

  private applyUpdateMessage(e: Execution, m: InboundMessage, _wftCompletedId: number) {
    if (m.done) return;
    m.done = true;
    const updates = this.updatesOf(e);
    const u = updates[m.updateId];
    if (!u) return;
    const now = this.now();
    if (m.kind === 'rejection') {
      if (u.stage !== 'sent' && u.stage !== 'admitted') return;
      u.stage = 'completed';
      u.rejected = true;
      u.outcome = { failure: m.body.failure };
      delete updates[u.id]; // the real server forgets a rejected update: the same id may be tried again
    } else if (!e.open) {
      return; // the run closed: closing aborted the update
    } else if (m.kind === 'acceptance') {
      if (u.stage !== 'sent' && u.stage !== 'admitted') return;
      const ev = e.add(E.WorkflowExecutionUpdateAccepted, 'WorkflowExecutionUpdateAccepted', {
        protocolInstanceId: u.id, acceptedRequestMessageId: `${u.id}/request`,
        acceptedRequestSequencingEventId: m.body.acceptedRequestSequencingEventId, acceptedRequest: u.request,
      }, now);
      u.stage = 'accepted';
      u.acceptedEventId = ev.eventId;
      delete u.request;
    } else {
      if (u.stage !== 'accepted') return;
      e.add(E.WorkflowExecutionUpdateCompleted, 'WorkflowExecutionUpdateCompleted', {
        meta: m.body.meta, acceptedEventId: u.acceptedEventId, outcome: m.body.outcome,
      }, now);
      u.stage = 'completed';
      u.outcome = m.body.outcome;
    }
    e.notify();
  }

  /** After the commands: messages no command placed, then the sent updates the worker did not answer. */
  private finishUpdateMessages(e: Execution, wftCompletedId: number) {
    const messages = this.inbound.get(e);
    this.inbound.delete(e);
    for (const m of messages?.values() ?? []) this.applyUpdateMessage(e, m, wftCompletedId);
    this.rejectUnprocessedUpdates(e);
  }

  private rejectUnprocessedUpdates(e: Execution) {
    const updates = this.updatesOf(e);
    for (const u of Object.values(updates)) {
      if (u.stage !== 'sent') continue;
      u.stage = 'completed';
      u.rejected = true;
      u.outcome = { failure: { message: "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker.", source: 'Server', applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true } } };
      delete updates[u.id];
      e.notify();
    }
  }

  /** A speculative task that only rejected updates: no events, as if it never happened (except for the answers). */
  private async dropSpeculativeWft(e: Execution, req: Obj, messages: Map<string, InboundMessage>): Promise<Obj> {
    const s = e.s;
    for (const m of messages.values()) this.applyUpdateMessage(e, m, 0);
    this.rejectUnprocessedUpdates(e);
    s.wft = null;
    const stickyName = req.stickyAttributes?.workerTaskQueue?.name;
    s.sticky = stickyName ? { queue: stickyName, timeoutMs: durToMs(req.stickyAttributes.scheduleToStartTimeout) || 10_000 } : null;
    if (this.hasAdmittedUpdates(e)) this.scheduleWft(e, { speculative: true });
    this.dispatchQueries(e);
    this.touch(e);
    await this.sync();
    // tells the worker the task was discarded: its history ends at the last task that stayed
    return { resetHistoryEventId: s.previousStartedEventId };
  }

  /** The run closes: updates not accepted yet are aborted, accepted ones fail (as the real server does). */
  private abortUpdates(e: Execution) {
    const updates = e.s.updates;
    if (!updates) return;
    for (const u of Object.values(updates)) {
      if (u.stage === 'admitted' || u.stage === 'sent') {
        u.aborted = true;
        delete updates[u.id];
      } else if (u.stage === 'accepted') {
        u.stage = 'completed';
        u.outcome = { failure: { message: 'Workflow Update failed because the Workflow completed before the Update completed.', source: 'Server', applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true } } };
      }
    }
  }

  private admitUpdate(e: Execution, request: Obj): UpdateState {
    const id: string = request.meta.updateId;
    const updates = this.updatesOf(e);
    let u = updates[id];
    if (u) return u; // de-duplicated by id
    if (!e.open) throw notFound('workflow execution already completed');
    u = { id, stage: 'admitted', request };
    updates[id] = u;
    if (!e.s.wft) this.scheduleWft(e, { speculative: true });
    this.touch(e);
    e.notify();
    return u;
  }

  private validateUpdateRequest(req: Obj) {
    const stage = req.waitPolicy?.lifecycleStage ?? 0;
    if (stage === enums.UpdateStage.Admitted) {
      throw new RpcError(grpcStatus.PERMISSION_DENIED, 'UpdateWorkflowExecution issued asynchronously and waiting on update admitted is not supported.');
    }
    if (!req.workflowExecution?.workflowId) throw invalidArgument('WorkflowId is not set on request.');
    if (!req.request?.meta?.updateId) throw invalidArgument('Update ID is not set on request.');
    if (!req.request?.input?.name) throw invalidArgument('Update name is not set on request.');
  }

  /** UpdateWorkflowExecution: admits the update (or finds it by id) and waits for the stage asked for. */
  async updateWorkflow(req: Obj, deadline = Infinity): Promise<Obj> {
    this.validateUpdateRequest(req);
    const ns = req.namespace || 'default';
    const e = await this.getExecution(ns, req.workflowExecution.workflowId, req.workflowExecution.runId || undefined);
    const u = this.updatesOf(e)[req.request.meta.updateId] ?? this.admitUpdate(e, req.request);
    return this.awaitUpdate(e, u, req.waitPolicy?.lifecycleStage ?? 0, deadline);
  }

  /** PollWorkflowExecutionUpdate: waits for a known update to reach the stage asked for. */
  async pollUpdate(req: Obj, deadline = Infinity): Promise<Obj> {
    const ref = req.updateRef ?? {};
    const ns = req.namespace || 'default';
    if (!ref.updateId) throw invalidArgument('Update ID is not set on request.');
    const e = await this.getExecution(ns, ref.workflowExecution?.workflowId, ref.workflowExecution?.runId || undefined);
    const u = this.updatesOf(e)[ref.updateId];
    if (!u) throw notFound(`update ${ref.updateId} not found`);
    return this.awaitUpdate(e, u, req.waitPolicy?.lifecycleStage ?? 0, deadline);
  }

  private async awaitUpdate(e: Execution, u: UpdateState, want: number, deadline: number): Promise<Obj> {
    const stageOf = () => (u.stage === 'completed' ? enums.UpdateStage.Completed : u.stage === 'accepted' ? enums.UpdateStage.Accepted : enums.UpdateStage.Admitted);
    // like the real server: answer with the stage reached so far a little before the caller's deadline
    const soft = Math.min(Date.now() + 20_000, deadline - 1_000);
    while (!u.aborted && stageOf() < want && Date.now() < soft && !this.stopped) {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(t); e.waiters.delete(done); resolve(); };
        const t = setTimeout(done, Math.max(1, soft - Date.now()));
        e.waiters.add(done);
      });
    }
    if (u.aborted) throw notFound('workflow update was aborted by closing workflow');
    await this.sync();
    return {
      updateRef: { workflowExecution: { workflowId: e.s.workflowId, runId: e.s.runId }, updateId: u.id },
      outcome: u.stage === 'completed' ? u.outcome : undefined,
      stage: stageOf(),
    };
  }

  /** ExecuteMultiOperation: update-with-start (a start, then an update of the run it started or found). */
  async executeMultiOperation(req: Obj, deadline = Infinity): Promise<Obj> {
    const ops: Obj[] = req.operations ?? [];
    const start = ops[0]?.startWorkflow;
    const update = ops[1]?.updateWorkflow;
    if (ops.length !== 2 || !start || !update) throw invalidArgument('Operations have to be exactly [Start, Update].');
    const ns = req.namespace || 'default';
    if ((start.namespace || ns) !== ns || (update.namespace || ns) !== ns) throw invalidArgument('Operation namespace mismatch with request namespace.');
    if (update.workflowExecution?.workflowId !== start.workflowId) throw invalidArgument("Update operation's WorkflowId is not set or does not match the Start operation's WorkflowId.");
    if (update.workflowExecution?.runId) throw invalidArgument("Update operation's RunId cannot be set.");
    if (!start.workflowIdConflictPolicy) throw invalidArgument('WorkflowIdConflictPolicy is not set on the Start operation (required for update-with-start).');
    if (start.cronSchedule) throw invalidArgument('CronSchedule is not allowed in update-with-start.');
    if (durToMs(start.workflowStartDelay)) throw invalidArgument('WorkflowStartDelay is not allowed in update-with-start.');
    this.validateUpdateRequest({ ...update, workflowExecution: { workflowId: start.workflowId } });
    const started = await this.startWorkflow({ ...start, namespace: ns }, undefined, update.request);
    const e = await this.getExecution(ns, start.workflowId, started.runId);
    const u = this.updatesOf(e)[update.request.meta.updateId] ?? this.admitUpdate(e, update.request);
    const res = await this.awaitUpdate(e, u, update.waitPolicy?.lifecycleStage ?? 0, deadline);
    return { responses: [{ startWorkflow: { runId: started.runId, started: started.started, status: e.s.status } }, { updateWorkflow: res }] };
  }

  // ------------------------------------------------------------------ queries
  async query(req: Obj): Promise<Obj> {
    const ns = req.namespace || 'default';
    const e = await this.getExecution(ns, req.execution?.workflowId, req.execution?.runId || undefined);
    const cond = req.queryRejectCondition ?? 0;
    if ((cond === 2 && !e.open) || (cond === 3 && e.s.status !== S.Completed && e.s.status !== S.Running)) {
      return { queryRejected: { status: e.s.status } };
    }
    const id = randomUUID();
    return new Promise<Obj>((resolve, reject) => {
      const pq: PendingQuery = {
        id, runId: e.s.runId, query: req.query ?? {}, resolve, reject, dispatched: false,
        timer: setTimeout(() => {
          this.queries.delete(id);
          reject(new RpcError(grpcStatus.DEADLINE_EXCEEDED, 'query timed out: no worker answered it (is a worker polling the task queue?)'));
        }, 30_000),
      };
      this.queries.set(id, pq);
      if (e.s.wft && e.open) e.pendingQueries.push(id);
      else this.dispatchQuery(id);
    });
  }

  private dispatchQueries(e: Execution) {
    if (e.s.wft) return;
    const ids = e.pendingQueries;
    e.pendingQueries = [];
    for (const id of ids) this.dispatchQuery(id);
  }

  private dispatchQuery(id: string) {
    const q = this.queries.get(id);
    const e = q && this.execs.get(q.runId);
    if (!q || !e || q.dispatched) return;
    q.dispatched = true;
    this.enqueue(this.queueKey(e.s.namespace, e.s.taskQueue, 'wf'), { k: 'q', id });
  }

  private startQueryTask(id: string): Uint8Array | null {
    const q = this.queries.get(id);
    const e = q && this.execs.get(q.runId);
    if (!q || !e) return null;
    const s = e.s;
    const parts: Uint8Array[] = [];
    for (let i = 1; i < s.nextEventId; i++) parts.push(lengthDelimited(1, e.bytesOf(i)));
    const head = encodePlain(type('temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse'), {
      taskToken: token({ k: 'q', id }),
      workflowExecution: { workflowId: s.workflowId, runId: s.runId },
      workflowType: { name: s.workflowType },
      previousStartedEventId: s.previousStartedEventId,
      startedEventId: s.previousStartedEventId,
      attempt: 1,
      query: q.query,
      workflowExecutionTaskQueue: { name: s.taskQueue, kind: 1 },
      scheduledTime: ts(this.now()),
      startedTime: ts(this.now()),
    });
    return concatBytes([head, lengthDelimited(8, concatBytes(parts))]);
  }

  respondQueryTaskCompleted(req: Obj): Obj {
    const tok = parseToken(req.taskToken);
    const q = this.queries.get(tok.id);
    if (!q) throw notFound('query not found (it may have timed out)');
    this.queries.delete(tok.id);
    clearTimeout(q.timer);
    if (req.completedType === enums.QueryResultType.Answered) q.resolve({ queryResult: req.queryResult ?? { payloads: [] } });
    else {
      q.reject(new RpcError(grpcStatus.INVALID_ARGUMENT, req.errorMessage || req.failure?.message || 'query failed', {
        typeName: 'temporal.api.errordetails.v1.QueryFailedFailure', value: { failure: req.failure },
      }));
    }
    this.scheduleSkipCheck();
    return {};
  }

  // ------------------------------------------------------------------ history & visibility
  async getHistory(req: Obj, cancelled: () => boolean, reverse = false): Promise<Uint8Array> {
    const ns = req.namespace || 'default';
    let e = await this.getExecution(ns, req.execution?.workflowId, req.execution?.runId || undefined);
    await this.sync();
    const pageSize = Math.max(1, Number(req.maximumPageSize) || 1000);
    const closeOnly = req.historyEventFilterType === enums.FilterType.Close;
    let from = 1;
    if (req.nextPageToken?.length) {
      const t = parseToken(req.nextPageToken);
      if (t.r && t.r !== e.s.runId) e = await this.getExecution(ns, undefined, t.r);
      from = Number(t.from) || 1;
    }
    const deadline = Date.now() + this.historyPollTimeoutMs;
    const wait = () => new Promise<void>((resolve) => {
      const done = () => { clearTimeout(t); e.waiters.delete(done); resolve(); };
      const t = setTimeout(done, Math.max(1, deadline - Date.now()));
      e.waiters.add(done);
    });
    const respType = type('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse');
    const build = (ids: number[], next: Obj | null) => {
      const parts = ids.map((id) => lengthDelimited(1, e.bytesOf(id)));
      const head = encodePlain(respType, { nextPageToken: next ? token(next) : undefined, archived: false });
      return concatBytes([head, lengthDelimited(1, concatBytes(parts))]);
    };
    for (;;) {
      if (closeOnly) {
        if (!e.open && e.s.closeEventId && e.s.closeEventId <= e.savedUpTo) return build([e.s.closeEventId], null);
        if (!req.waitNewEvent) return build([], null);
      } else if (reverse) {
        const last = Math.min(e.s.nextEventId - 1, e.savedUpTo);
        const start = req.nextPageToken?.length ? from : last;
        const ids: number[] = [];
        for (let id = start; id >= 1 && ids.length < pageSize; id--) ids.push(id);
        const nextFrom = start - ids.length;
        return build(ids, nextFrom >= 1 ? { r: e.s.runId, from: nextFrom } : null);
      } else {
        const last = Math.min(e.s.nextEventId - 1, e.savedUpTo);
        if (from <= last) {
          const to = Math.min(last, from + pageSize - 1);
          const ids: number[] = [];
          for (let id = from; id <= to; id++) ids.push(id);
          const more = to < last || (e.open && req.waitNewEvent) || last < e.s.nextEventId - 1;
          return build(ids, more ? { r: e.s.runId, from: to + 1 } : null);
        }
        if ((!e.open && last >= e.s.nextEventId - 1) || !req.waitNewEvent) return build([], null);
      }
      if (Date.now() >= deadline || cancelled() || this.stopped) {
        return build([], { r: e.s.runId, from });
      }
      await wait();
    }
  }

  describe(e: Execution): Obj {
    const s = e.s;
    const now = this.now();
    const w = s.wft;
    return {
      executionConfig: {
        taskQueue: { name: s.taskQueue, kind: 1 }, workflowExecutionTimeout: dur(s.execTimeoutMs),
        workflowRunTimeout: dur(s.runTimeoutMs), defaultWorkflowTaskTimeout: dur(s.wftTimeoutMs),
      },
      workflowExecutionInfo: this.info(e),
      pendingActivities: Object.values(s.activities).map((a) => ({
        activityId: a.activityId, activityType: { name: a.activityType },
        state: a.cancelRequested ? 3 : a.startedTime !== undefined ? 2 : 1,
        heartbeatDetails: a.heartbeatDetails, lastHeartbeatTime: a.lastHeartbeatTime ? ts(a.lastHeartbeatTime) : undefined,
        lastStartedTime: a.startedTime !== undefined ? ts(a.startedTime) : undefined, attempt: a.attempt,
        maximumAttempts: Number(a.retryPolicy.maximumAttempts ?? 0), scheduledTime: ts(a.attemptScheduledTime),
        expirationTime: a.s2cMs ? ts(a.scheduledTime + a.s2cMs) : undefined, lastFailure: a.lastFailure,
        lastWorkerIdentity: a.lastWorkerIdentity ?? '',
        nextAttemptScheduleTime: a.readyAt && a.readyAt > now ? ts(a.readyAt) : undefined,
      })),
      pendingChildren: Object.values(s.children).map((c) => ({
        workflowId: c.workflowId, runId: c.runId ?? '', workflowTypeName: c.workflowType, initiatedId: c.initiatedEventId,
        parentClosePolicy: c.parentClosePolicy,
      })),
      pendingWorkflowTask: w ? {
        state: w.startedTime !== undefined ? 2 : 1, scheduledTime: ts(w.scheduledTime),
        originalScheduledTime: ts(w.scheduledTime), startedTime: w.startedTime !== undefined ? ts(w.startedTime) : undefined, attempt: w.attempt,
      } : undefined,
    };
  }

  info(e: Execution): Obj {
    const s = e.s;
    return {
      execution: { workflowId: s.workflowId, runId: s.runId }, type: { name: s.workflowType }, startTime: ts(s.startTime),
      closeTime: s.closeTime ? ts(s.closeTime) : undefined, status: s.status, historyLength: s.nextEventId - 1,
      parentNamespaceId: s.parent?.namespace, parentExecution: s.parent ? { workflowId: s.parent.workflowId, runId: s.parent.runId } : undefined,
      executionTime: ts(s.executionTime), memo: s.memo ?? undefined, searchAttributes: typedSearchAttributes(s.searchAttributes, this.customSearchAttributes),
      taskQueue: s.taskQueue, stateTransitionCount: s.nextEventId, historySizeBytes: 0, firstRunId: s.firstRunId,
      executionDuration: s.closeTime ? dur(s.closeTime - s.executionTime) : undefined,
      rootExecution: { workflowId: s.parent?.workflowId ?? s.workflowId, runId: s.parent?.runId ?? s.runId },
    };
  }

  async list(req: Obj): Promise<Obj> {
    await this.sync();
    const ns = req.namespace || 'default';
    const q = compileListQuery(ns, req.query, this.knownAttribute);
    if (q.groupBy) throw invalidArgument('invalid query: GROUP BY is only supported in CountWorkflowExecutions');
    const pageSize = Math.min(Math.max(1, Number(req.pageSize) || 100), 1000);
    const offset = req.nextPageToken?.length ? Number(parseToken(req.nextPageToken).o) || 0 : 0;
    const rows = await this.store.list(q.where, q.params, q.order, pageSize + 1, offset);
    const page = rows.slice(0, pageSize);
    const executions = page.map((r) => this.info(new Execution(Execution.parse(r.state))));
    return { executions, nextPageToken: rows.length > pageSize ? token({ o: offset + pageSize }) : undefined };
  }

  async count(req: Obj): Promise<Obj> {
    await this.sync();
    const q = compileListQuery(req.namespace || 'default', req.query, this.knownAttribute);
    if (!q.groupBy) return { count: await this.store.count(q.where, q.params) };
    const groups = await this.store.countByStatus(q.where, q.params);
    const name = (n: number) => ['Unspecified', 'Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'][n] ?? String(n);
    return {
      count: groups.reduce((n, g) => n + g.n, 0),
      groups: groups.map((g) => ({ groupValues: [{ metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') }, data: Buffer.from(JSON.stringify(name(g.status))) }], count: g.n })),
    };
  }

  saveMeta() { this.metaDirty = true; return this.sync(); }

  /** Names a list query may use: system attributes and the registered custom ones. */
  readonly knownAttribute = (name: string) => searchAttributeType(name, this.customSearchAttributes) !== undefined;
}

function retryBackoff(rp: Obj, attempt: number, override?: Obj): number {
  const o = durToMs(override);
  if (o > 0) return o;
  const initial = durToMs(rp.initialInterval) || 1000;
  const coef = Number(rp.backoffCoefficient) || 2;
  const max = durToMs(rp.maximumInterval) || initial * 100;
  return Math.min(initial * coef ** (attempt - 1), max);
}

function mergeFields(target: Obj | null, upsert: Obj | undefined, key: 'fields' | 'indexedFields'): Obj | null {
  if (!upsert?.[key]) return target;
  const fields: Obj = { ...(target?.[key] ?? {}) };
  for (const [k, v] of Object.entries<Obj>(upsert[key])) {
    const data = v?.data ? Buffer.from(v.data).toString('utf8') : '';
    if (!v || !v.data || data === '' || data === 'null' || data === '[]') delete fields[k];
    else fields[k] = v;
  }
  return { [key]: fields };
}

/** The real server's cron: five fields (minute…day of week), descriptors (@hourly, @every 1h), CRON_TZ=; no seconds. */
function validateCron(cron: string) {
  const text = cron.trim().replace(/^(CRON_TZ|TZ)=\S+\s+/, '');
  if (!text.startsWith('@') && text.split(/\s+/).length !== 5) throw invalidArgument('invalid CronSchedule.');
  try {
    canonicalSpec({ cronString: [cron] });
  } catch {
    throw invalidArgument('invalid CronSchedule.');
  }
}

/**
 * How long after `closeTime` the next run of a cron workflow starts: the first match after the
 * run's start that is not before its close (as temporalio/temporal's GetBackoffForNextSchedule).
 */
function cronBackoff(cron: string, runStart: number, closeTime: number): number {
  const spec = compileSpec(canonicalSpec({ cronString: [cron] }));
  let next = spec.nextNominal(runStart);
  while (next !== null && next < closeTime) next = spec.nextNominal(next);
  // in whole seconds, rounded up, as the real server's backoff
  return next === null ? 0 : Math.max(0, Math.ceil((next - closeTime) / 1000) * 1000);
}
