/**
 * Temporal schedules in temporal-lite: the ScheduleService RPCs of WorkflowService (Create,
 * Describe, List, Update, Patch — pause / unpause / trigger immediately / backfill —, Delete,
 * ListScheduleMatchingTimes), following the real server's scheduler workflow
 * (service/worker/scheduler/workflow.go and buffer.go): every action time in
 * (last processed, now] outside the catch-up window is counted as missed, the others go into a
 * buffer that the overlap policy drains (SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER,
 * TERMINATE_OTHER, ALLOW_ALL); paused schedules and spent action limits take no scheduled
 * actions (manual ones — trigger, backfill — always run); started workflows get the id
 * `<workflowId>-<nominal time, RFC 3339, seconds>`.
 *
 * State lives in `temporal_lite.schedules` (one JSON row per schedule), due times in the engine's
 * heap (so time skipping drives schedules too). Crash safety: the buffer is written before a
 * start is attempted and every start carries a request id derived from the schedule and the
 * nominal time, so a start repeated after a restart finds the run it made before.
 */
import type { SqlClient } from '@nudge/db';
import type { Engine } from './engine.js';
import { RpcError, failedPrecondition, invalidArgument, notFound } from './errors.js';
import type { Execution, Obj } from './execution.js';
import { dur, durToMs, enums, ts, tsToMs } from './proto.js';
import { canonicalSpec, compileSpec, type CompiledSpec } from './schedule-spec.js';
import { status as grpcStatus } from '@grpc/grpc-js';

const Overlap = { Unspecified: 0, Skip: 1, BufferOne: 2, BufferAll: 3, CancelOther: 4, TerminateOther: 5, AllowAll: 6 } as const;
const RECENT = 10;
const FUTURE = 10;
const LIST_FUTURE = 5;
const MAX_BUFFER = 1000;
const DEFAULT_CATCHUP = 365 * 86_400_000;
const MIN_CATCHUP = 10_000;
const DDL = `
CREATE SCHEMA IF NOT EXISTS temporal_lite;
CREATE TABLE IF NOT EXISTS temporal_lite.schedules (
  namespace text NOT NULL,
  schedule_id text NOT NULL,
  state text NOT NULL,
  PRIMARY KEY (namespace, schedule_id)
);`;

interface BufferedStart { nominal: number; actual: number; overlap: number; manual: boolean }
interface RunRef { workflowId: string; runId: string }
interface ActionResult { nominal: number; actual: number; workflowId: string; runId: string; status: number }

interface ScheduleState {
  namespace: string;
  scheduleId: string;
  /** the Schedule message (spec canonical), as plain protobuf JSON */
  schedule: Obj;
  memo: Obj | null;
  searchAttributes: Obj | null;
  createTime: number;
  updateTime: number | null;
  lastProcessed: number;
  conflictToken: number;
  buffer: BufferedStart[];
  running: RunRef[];
  recent: ActionResult[];
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
}

interface Live { s: ScheduleState; spec: CompiledSpec; chain: Promise<void>; busy: number; wakeAt: number }

type Handler = (req: Obj) => Promise<Obj> | Obj;

/** JSON with Uint8Array (payload data) kept as base64. */
function replacer(this: Obj, k: string, v: unknown) {
  const orig = this[k]; // before Buffer#toJSON
  return orig instanceof Uint8Array ? { $b64: Buffer.from(orig).toString('base64') } : v;
}
const reviver = (_k: string, v: unknown) => (v && typeof v === 'object' && '$b64' in (v as Obj) ? new Uint8Array(Buffer.from((v as Obj).$b64, 'base64')) : v);

const keyOf = (ns: string, id: string) => `${ns}\u0000${id}`;
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const schedulers = new WeakMap<Engine, Scheduler>();
/** The ScheduleService handlers of the engine's scheduler (none if it has none). */
export function scheduleHandlers(engine: Engine): Record<string, Handler> {
  return schedulers.get(engine)?.handlers() ?? {};
}

export class Scheduler {
  private live = new Map<string, Live>();
  /** workflow id of a running action → the schedule that started it */
  private byWorkflow = new Map<string, string>();
  private stopped = false;

  constructor(private readonly engine: Engine, private readonly sql: SqlClient) {
    schedulers.set(engine, this);
    engine.extend('schedule', {
      onDue: (key) => { const l = this.live.get(key); if (l) this.kick(l); },
      busy: () => { for (const l of this.live.values()) if (l.busy) return true; return false; },
      onClose: (e) => this.onRunClosed(e),
    });
  }

  async start(): Promise<void> {
    await this.sql.exec(DDL);
    const rows = await this.sql.query<{ state: string }>(`SELECT state FROM temporal_lite.schedules`);
    for (const r of rows) {
      const s = JSON.parse(r.state, reviver) as ScheduleState;
      const l = this.adopt(s);
      // runs that closed while the schedule's state was not yet written
      for (const ref of [...s.running]) {
        const e = await this.engine.getExecution(s.namespace, ref.workflowId, ref.runId).catch(() => undefined);
        if (!e || !e.open) this.forgetRun(l, ref, e?.s.status ?? enums.Status.Terminated);
      }
      this.kick(l);
    }
  }

  stop() { this.stopped = true; }

  private adopt(s: ScheduleState): Live {
    const l: Live = { s, spec: compileSpec(s.schedule.spec ?? {}), chain: Promise.resolve(), busy: 0, wakeAt: Infinity };
    this.live.set(keyOf(s.namespace, s.scheduleId), l);
    for (const r of s.running) this.byWorkflow.set(keyOf(s.namespace, r.workflowId), keyOf(s.namespace, s.scheduleId));
    return l;
  }

  /** Runs `fn` after the schedule's earlier work (one change of a schedule at a time). */
  private serial<T>(l: Live, fn: () => Promise<T>): Promise<T> {
    l.busy++;
    const p = l.chain.then(fn);
    l.chain = p.then(() => {}, () => {}).finally(() => { l.busy--; });
    return p;
  }

  private kick(l: Live) {
    if (this.stopped) return;
    void this.serial(l, () => this.process(l)).catch((err) => console.error(`temporal-lite: schedule ${l.s.scheduleId} failed`, err));
  }

  private seed(s: ScheduleState) { return `${s.namespace}/${s.scheduleId}`; }
  private overlapOf(s: ScheduleState, o: number) { return o || s.schedule.policies?.overlapPolicy || Overlap.Skip; }
  private catchup(s: ScheduleState) {
    const c = durToMs(s.schedule.policies?.catchupWindow);
    return c ? Math.max(c, MIN_CATCHUP) : DEFAULT_CATCHUP;
  }
  private canTake(s: ScheduleState, manual: boolean, decrement: boolean): boolean {
    if (manual) return true;
    const st = s.schedule.state ?? {};
    if (st.paused) return false;
    if (!st.limitedActions) return true;
    if (Number(st.remainingActions ?? 0) > 0) {
      if (decrement) st.remainingActions = Number(st.remainingActions) - 1;
      return true;
    }
    return false;
  }

  /** Action times in (t1, t2] into the buffer; returns the first action time after t2. */
  private processTimeRange(l: Live, t1: number, t2: number, overlap: number, manual: boolean): number | null {
    const s = l.s;
    const window = this.catchup(s);
    for (let guard = 0; guard < 100_000; guard++) {
      const n = l.spec.next(t1, this.seed(s));
      if (!n) return null;
      t1 = n.actual;
      if (n.actual > t2) return n.actual;
      if (!manual && t2 - n.actual > window) { s.missedCatchupWindow++; continue; }
      if (!this.canTake(s, manual, false)) continue;
      if (s.buffer.length >= MAX_BUFFER) { s.bufferDropped++; continue; }
      s.buffer.push({ nominal: n.nominal, actual: n.actual, overlap, manual });
    }
    return null;
  }

  private async process(l: Live) {
    const s = l.s;
    const now = this.engine.now();
    if (now > s.lastProcessed) {
      this.processTimeRange(l, s.lastProcessed, now, 0, false);
      s.lastProcessed = now;
    }
    await this.save(s); // the buffer is durable before any start is attempted
    await this.drain(l);
    await this.save(s);
    this.arm(l);
  }

  private arm(l: Live) {
    const n = l.spec.next(l.s.lastProcessed, this.seed(l.s));
    if (!n) return;
    l.wakeAt = n.actual;
    this.engine.dueExternal(n.actual, 'schedule', keyOf(l.s.namespace, l.s.scheduleId));
  }

  /** processBuffer of the real scheduler, then the starts, cancels and terminations it asks for. */
  private async drain(l: Live) {
    const s = l.s;
    for (let round = 0; round < 10; round++) {
      const isRunning = s.running.length > 0;
      let nonOverlapping: BufferedStart | undefined;
      const overlapping: BufferedStart[] = [];
      const newBuffer: BufferedStart[] = [];
      let needCancel = false;
      let needTerminate = false;
      for (const b of s.buffer) {
        const policy = this.overlapOf(s, b.overlap);
        if (policy === Overlap.AllowAll) { overlapping.push(b); continue; }
        if (!isRunning && !nonOverlapping) { nonOverlapping = b; continue; }
        switch (policy) {
          case Overlap.Skip: s.overlapSkipped++; break;
          case Overlap.BufferOne: if (newBuffer.length === 0) newBuffer.push(b); else s.overlapSkipped++; break;
          case Overlap.BufferAll: newBuffer.push(b); break;
          case Overlap.CancelOther:
          case Overlap.TerminateOther:
            if (isRunning) { if (policy === Overlap.CancelOther) needCancel = true; else needTerminate = true; newBuffer.push(b); }
            else nonOverlapping = b;
            break;
          default: s.overlapSkipped++;
        }
      }
      if (needCancel || needTerminate) overlapping.length = 0;
      s.buffer = newBuffer;
      const starts = [...overlapping, ...(nonOverlapping ? [nonOverlapping] : [])];
      for (const b of starts) {
        if (!this.canTake(s, b.manual, true)) continue;
        await this.startAction(l, b, b === nonOverlapping);
      }
      if (needTerminate || needCancel) {
        for (const ref of [...s.running]) {
          const e = await this.engine.getExecution(s.namespace, ref.workflowId, ref.runId).catch(() => undefined);
          if (!e || !e.open) { this.forgetRun(l, ref, e?.s.status ?? enums.Status.Terminated); continue; }
          if (needTerminate) this.engine.terminate(e, 'terminated by schedule overlap policy TERMINATE_OTHER', undefined, 'temporal-lite-scheduler');
          else this.engine.requestCancel(e, { identity: 'temporal-lite-scheduler', reason: 'cancelled by schedule overlap policy CANCEL_OTHER' });
        }
        await this.engine.sync();
        // once the runs close (onRunClosed), the buffered start goes
      }
      break;
    }
  }

  private async startAction(l: Live, b: BufferedStart, tracked: boolean) {
    const s = l.s;
    const a = s.schedule.action?.startWorkflow ?? {};
    const workflowId = `${a.workflowId}-${rfc3339(b.nominal)}`;
    const indexed: Obj = { ...(a.searchAttributes?.indexedFields ?? {}) };
    const json = (v: unknown, t: string) => ({ metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(t) }, data: Buffer.from(JSON.stringify(v)) });
    indexed.TemporalScheduledStartTime = json(new Date(b.nominal).toISOString(), 'Datetime');
    indexed.TemporalScheduledById = json(s.scheduleId, 'Keyword');
    let runId: string;
    try {
      const res = await this.engine.startWorkflow({
        namespace: s.namespace, workflowId, workflowType: a.workflowType, taskQueue: a.taskQueue, input: a.input,
        workflowExecutionTimeout: a.workflowExecutionTimeout, workflowRunTimeout: a.workflowRunTimeout,
        workflowTaskTimeout: a.workflowTaskTimeout, retryPolicy: a.retryPolicy, memo: a.memo, header: a.header,
        searchAttributes: { indexedFields: indexed }, identity: 'temporal-lite-scheduler',
        requestId: `sched-${s.namespace}-${s.scheduleId}-${s.createTime}-${b.nominal}-${b.actual}`,
        workflowIdReusePolicy: enums.ReusePolicy.AllowDuplicate,
      });
      runId = res.runId;
    } catch (err) {
      // e.g. a workflow of that id already running: the real scheduler records no action either
      if (err instanceof RpcError && err.code === grpcStatus.ALREADY_EXISTS) return;
      throw err;
    }
    s.actionCount++;
    s.recent.push({ nominal: b.nominal, actual: b.actual, workflowId, runId, status: enums.Status.Running });
    if (s.recent.length > RECENT) s.recent.splice(0, s.recent.length - RECENT);
    if (tracked) {
      const e = await this.engine.getExecution(s.namespace, workflowId, runId).catch(() => undefined);
      if (e && e.open) {
        s.running.push({ workflowId, runId });
        this.byWorkflow.set(keyOf(s.namespace, workflowId), keyOf(s.namespace, s.scheduleId));
      } else this.setStatus(s, runId, e?.s.status ?? enums.Status.Completed);
    }
  }

  private setStatus(s: ScheduleState, runId: string, status: number) {
    for (const r of s.recent) if (r.runId === runId) r.status = status;
  }

  private forgetRun(l: Live, ref: RunRef, status: number) {
    l.s.running = l.s.running.filter((r) => r.runId !== ref.runId);
    this.byWorkflow.delete(keyOf(l.s.namespace, ref.workflowId));
    this.setStatus(l.s, ref.runId, status);
  }

  private onRunClosed(e: Execution) {
    const key = this.byWorkflow.get(keyOf(e.s.namespace, e.s.workflowId));
    if (!key) return;
    const l = this.live.get(key);
    if (!l) return;
    const ref = l.s.running.find((r) => r.runId === e.s.runId);
    if (!ref) return;
    void this.serial(l, async () => {
      this.forgetRun(l, ref, e.s.status);
      await this.save(l.s);
      await this.drain(l);
      await this.save(l.s);
    }).catch((err) => console.error(`temporal-lite: schedule ${l.s.scheduleId} failed`, err));
  }

  private async save(s: ScheduleState) {
    await this.sql.query(
      `INSERT INTO temporal_lite.schedules (namespace, schedule_id, state) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, schedule_id) DO UPDATE SET state = excluded.state`,
      [s.namespace, s.scheduleId, JSON.stringify(s, replacer)]);
  }

  private get(ns: string, id: string | undefined): Live {
    if (!id) throw invalidArgument('scheduleId is required');
    const l = this.live.get(keyOf(ns, id));
    if (!l) throw notFound(`schedule not found: ${id}`);
    return l;
  }

  // ------------------------------------------------------------------ request checks

  private checkSchedule(schedule: Obj | undefined): Obj {
    if (!schedule) throw invalidArgument('schedule is required');
    const a = schedule.action?.startWorkflow;
    if (!a) throw invalidArgument('schedule.action.startWorkflow is required (the only action Temporal schedules have)');
    if (!a.workflowId) throw invalidArgument('schedule.action.startWorkflow.workflowId is required');
    if (!a.workflowType?.name) throw invalidArgument('schedule.action.startWorkflow.workflowType.name is required');
    if (!a.taskQueue?.name) throw invalidArgument('schedule.action.startWorkflow.taskQueue.name is required');
    const spec = canonicalSpec(schedule.spec);
    const st = schedule.state ?? {};
    if (st.limitedActions && Number(st.remainingActions ?? 0) < 0) throw invalidArgument('schedule.state.remainingActions must not be negative');
    const policies = { ...(schedule.policies ?? {}) };
    if (!policies.overlapPolicy) policies.overlapPolicy = Overlap.Skip;
    if (!policies.catchupWindow) policies.catchupWindow = dur(DEFAULT_CATCHUP);
    return { ...schedule, spec, policies, state: { ...st, ...(st.limitedActions ? { remainingActions: Number(st.remainingActions ?? 0) } : {}) } };
  }

  private applyPatch(l: Live, patch: Obj | undefined) {
    if (!patch) return;
    const s = l.s;
    const st = (s.schedule.state ??= {});
    if (patch.pause) { st.paused = true; st.notes = patch.pause; }
    if (patch.unpause) { st.paused = false; st.notes = patch.unpause; }
    const now = this.engine.now();
    if (patch.triggerImmediately) {
      const at = patch.triggerImmediately.scheduledTime ? tsToMs(patch.triggerImmediately.scheduledTime) : now;
      s.buffer.push({ nominal: at, actual: at, overlap: patch.triggerImmediately.overlapPolicy ?? 0, manual: true });
    }
    for (const bf of patch.backfillRequest ?? []) {
      const start = tsToMs(bf.startTime);
      const end = tsToMs(bf.endTime);
      if (!(end >= start)) throw invalidArgument('backfill endTime must not be before startTime');
      // the start of a backfill range is included, like the current real server
      this.processTimeRange(l, start - 1, end, bf.overlapPolicy ?? 0, true);
    }
  }

  // ------------------------------------------------------------------ RPCs

  handlers(): Record<string, Handler> {
    const ns = (r: Obj) => r.namespace || 'default';
    return {
      CreateSchedule: async (r) => {
        if (!r.scheduleId) throw invalidArgument('scheduleId is required');
        const key = keyOf(ns(r), r.scheduleId);
        if (this.live.has(key)) throw new RpcError(grpcStatus.ALREADY_EXISTS, `schedule with this ID is already registered: ${r.scheduleId}`);
        const now = this.engine.now();
        const s: ScheduleState = {
          namespace: ns(r), scheduleId: r.scheduleId, schedule: this.checkSchedule(r.schedule), memo: r.memo ?? null,
          searchAttributes: r.searchAttributes ?? null, createTime: now, updateTime: null, lastProcessed: now, conflictToken: 1,
          buffer: [], running: [], recent: [], actionCount: 0, missedCatchupWindow: 0, overlapSkipped: 0, bufferDropped: 0,
        };
        const l = this.adopt(s);
        try {
          await this.serial(l, async () => {
            this.applyPatch(l, r.initialPatch);
            await this.process(l);
          });
        } catch (err) {
          this.live.delete(key);
          throw err;
        }
        return { conflictToken: tokenBytes(s.conflictToken) };
      },
      DescribeSchedule: async (r) => {
        const l = this.get(ns(r), r.scheduleId);
        await l.chain;
        return this.describe(l);
      },
      ListSchedules: async (r) => {
        const pageSize = Math.max(1, Math.min(Number(r.maximumPageSize) || 100, 1000));
        const all = [...this.live.values()].filter((l) => l.s.namespace === ns(r)).sort((a, b) => (a.s.scheduleId < b.s.scheduleId ? -1 : 1));
        const offset = r.nextPageToken?.length ? Number(Buffer.from(r.nextPageToken).toString('utf8')) || 0 : 0;
        const page = all.slice(offset, offset + pageSize);
        return {
          schedules: page.map((l) => ({
            scheduleId: l.s.scheduleId, memo: l.s.memo ?? undefined, searchAttributes: l.s.searchAttributes ?? undefined,
            info: {
              spec: l.s.schedule.spec, workflowType: l.s.schedule.action?.startWorkflow?.workflowType,
              notes: l.s.schedule.state?.notes, paused: !!l.s.schedule.state?.paused,
              recentActions: this.recentOf(l.s).slice(-LIST_FUTURE), futureActionTimes: this.future(l, LIST_FUTURE),
            },
          })),
          nextPageToken: offset + pageSize < all.length ? Buffer.from(String(offset + pageSize)) : undefined,
        };
      },
      UpdateSchedule: async (r) => {
        const l = this.get(ns(r), r.scheduleId);
        const schedule = this.checkSchedule(r.schedule);
        await this.serial(l, async () => {
          const s = l.s;
          if (r.conflictToken?.length && tokenNumber(r.conflictToken) !== s.conflictToken) throw failedPrecondition('mismatched conflict token');
          const now = this.engine.now();
          s.schedule = schedule;
          l.spec = compileSpec(schedule.spec);
          if (r.searchAttributes) s.searchAttributes = r.searchAttributes;
          s.updateTime = now;
          s.conflictToken++;
          // actions due before the update are not taken under the new spec
          if (now > s.lastProcessed) s.lastProcessed = now;
          await this.process(l);
        });
        return {};
      },
      PatchSchedule: async (r) => {
        const l = this.get(ns(r), r.scheduleId);
        await this.serial(l, async () => {
          this.applyPatch(l, r.patch);
          l.s.updateTime = this.engine.now();
          l.s.conflictToken++;
          await this.process(l);
        });
        return {};
      },
      DeleteSchedule: async (r) => {
        const l = this.get(ns(r), r.scheduleId);
        await this.serial(l, async () => {
          await this.sql.query(`DELETE FROM temporal_lite.schedules WHERE namespace = $1 AND schedule_id = $2`, [l.s.namespace, l.s.scheduleId]);
          this.live.delete(keyOf(l.s.namespace, l.s.scheduleId));
          for (const ref of l.s.running) this.byWorkflow.delete(keyOf(l.s.namespace, ref.workflowId));
        });
        return {};
      },
      ListScheduleMatchingTimes: async (r) => {
        const l = this.get(ns(r), r.scheduleId);
        const start = tsToMs(r.startTime);
        const end = tsToMs(r.endTime);
        const out: Obj[] = [];
        let t = start;
        while (out.length < 1000) {
          const n = l.spec.nextNominal(t);
          if (n === null || n > end) break;
          out.push(ts(n));
          t = n;
        }
        return { startTime: out };
      },
    };
  }

  private recentOf(s: ScheduleState): Obj[] {
    return s.recent.map((a) => ({
      scheduleTime: ts(a.nominal), actualTime: ts(a.actual),
      startWorkflowResult: { workflowId: a.workflowId, runId: a.runId }, startWorkflowStatus: a.status,
    }));
  }

  private future(l: Live, n: number): Obj[] {
    const s = l.s;
    const st = s.schedule.state ?? {};
    let count = n;
    if (st.limitedActions) count = Math.min(count, Number(st.remainingActions ?? 0));
    const out: Obj[] = [];
    let t = Math.max(s.lastProcessed, this.engine.now());
    while (out.length < count) {
      const next = l.spec.next(t, this.seed(s));
      if (!next) break;
      out.push(ts(next.actual));
      t = next.actual;
    }
    return out;
  }

  private describe(l: Live): Obj {
    const s = l.s;
    return {
      schedule: s.schedule,
      info: {
        actionCount: s.actionCount, missedCatchupWindow: s.missedCatchupWindow, overlapSkipped: s.overlapSkipped,
        bufferDropped: s.bufferDropped, bufferSize: s.buffer.length, runningWorkflows: s.running,
        recentActions: this.recentOf(s), futureActionTimes: this.future(l, FUTURE), createTime: ts(s.createTime),
        updateTime: s.updateTime ? ts(s.updateTime) : undefined,
      },
      memo: s.memo ?? undefined, searchAttributes: s.searchAttributes ?? undefined, conflictToken: tokenBytes(s.conflictToken),
    };
  }
}

function tokenBytes(n: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return new Uint8Array(b);
}
function tokenNumber(b: Uint8Array): number {
  return b.length === 8 ? Number(Buffer.from(b).readBigUInt64BE()) : -1;
}
