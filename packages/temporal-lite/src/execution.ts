/**
 * One workflow run's mutable state, the in-memory mirror of its row in temporal_lite.executions.
 * History events live in `events` (plain protobuf objects, index = eventId - 1) with their encoded
 * bytes cached; everything else is serialised to JSON by `toJSON`.
 */
import { encodePlain, HistoryEventType, ts } from './proto.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded protobuf messages: the .proto types them at the gRPC boundary
export type Obj = Record<string, any>;

export interface ActivityState {
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  scheduledTime: number;
  attemptScheduledTime: number;
  attempt: number;
  readyAt?: number;
  startedTime?: number;
  startedIdentity?: string;
  startedRequestId?: string;
  lastHeartbeatTime?: number;
  heartbeatDetails?: Obj;
  lastFailure?: Obj;
  lastWorkerIdentity?: string;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  s2cMs: number;
  s2sMs: number;
  stcMs: number;
  hbMs: number;
  retryPolicy: Obj;
}

export interface TimerState { timerId: string; startedEventId: number; fireAt: number }

export interface ChildState {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  runId?: string;
  startedEventId?: number;
  parentClosePolicy: number;
}

export interface WftState {
  seq: number;
  attempt: number;
  transient: boolean;
  queue: string;
  sticky: boolean;
  scheduledEventId: number;
  scheduledTime: number;
  readyAt?: number;
  startedEventId?: number;
  startedTime?: number;
  identity?: string;
  requestId?: string;
  /**
   * Scheduled only to deliver updates, like the real server's speculative workflow task: its
   * events are written only if it does more than reject them. The value is the next event id
   * when it was scheduled (any event added since makes it an ordinary task).
   */
  speculative?: number;
}

/** A workflow update (src/engine.ts, "updates"): admitted → sent (in a workflow task) → accepted → completed. */
export interface UpdateState {
  id: string;
  stage: 'admitted' | 'sent' | 'accepted' | 'completed';
  /** the update.v1.Request, until it is written into the Accepted event */
  request?: Obj;
  acceptedEventId?: number;
  /** update.v1.Outcome once completed (a rejection: `rejected` and the failure) */
  outcome?: Obj;
  rejected?: boolean;
  /** the run closed before the update was accepted: its callers get NOT_FOUND "workflow update was aborted by closing workflow" */
  aborted?: boolean;
}

export interface ParentInfo { namespace: string; workflowId: string; runId: string; initiatedEventId: number }

export interface ExecState {
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  originalRunId: string;
  workflowType: string;
  taskQueue: string;
  status: number;
  startTime: number;
  executionTime: number;
  closeTime: number | null;
  nextEventId: number;
  previousStartedEventId: number;
  wftTimeoutMs: number;
  runTimeoutMs: number;
  execTimeoutMs: number;
  runExpireAt: number | null;
  execExpireAt: number | null;
  memo: Obj | null;
  searchAttributes: Obj | null;
  parent: ParentInfo | null;
  retryPolicy: Obj | null;
  attempt: number;
  wftSeq: number;
  wft: WftState | null;
  sticky: { queue: string; timeoutMs: number } | null;
  buffered: Obj[];
  activities: Record<string, ActivityState>;
  timers: Record<string, TimerState>;
  children: Record<string, ChildState>;
  cancelRequested: boolean;
  requestIds: string[];
  newRunId: string | null;
  closeEventId: number | null;
  startDelayUntil: number | null;
  identity: string;
  /** a cron workflow's schedule: each run that completes, fails or times out starts the next at the next match */
  cronSchedule?: string;
  /** workflow updates by id (absent in states saved before updates existed) */
  updates?: Record<string, UpdateState>;
}

const eventAttrKey = (name: string) => `${name[0]!.toLowerCase()}${name.slice(1)}EventAttributes`;

export class Execution {
  s: ExecState;
  events: Obj[] = [];
  eventBytes: (Uint8Array | undefined)[] = [];
  unsaved: number[] = [];
  /** Events up to this id are committed: what readers (history, queries) may see. */
  savedUpTo = 0;
  waiters = new Set<() => void>();
  pendingQueries: string[] = [];
  /** encoded bytes counted for this execution while it is in the engine's closed cache */
  cachedSize = 0;

  constructor(s: ExecState) {
    this.s = s;
  }

  get key() { return `${this.s.namespace}\u0000${this.s.workflowId}`; }
  get open() { return this.s.status === 1; }

  /** Appends an event with the next id. `name` is the EventType name without prefix. */
  add(eventType: number, name: string, attrs: Obj, now: number): Obj {
    const ev: Obj = { eventId: this.s.nextEventId++, eventTime: ts(now), eventType, [eventAttrKey(name)]: attrs };
    this.events.push(ev);
    this.unsaved.push(ev.eventId);
    this.notify();
    return ev;
  }

  bytesOf(eventId: number): Uint8Array {
    let b = this.eventBytes[eventId - 1];
    if (!b) {
      b = encodePlain(HistoryEventType(), this.events[eventId - 1]);
      this.eventBytes[eventId - 1] = b;
    }
    return b;
  }

  event(eventId: number): Obj | undefined { return this.events[eventId - 1]; }

  /** Encoded size of the history (events not encoded yet count 512 bytes). */
  sizeEstimate(): number {
    let n = 0;
    for (let i = 0; i < this.events.length; i++) n += this.eventBytes[i]?.length ?? 512;
    return n;
  }

  notify() {
    if (this.waiters.size === 0) return;
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  toJSON(): string {
    return JSON.stringify(this.s, function (this: Record<string, unknown>, key: string, value: unknown) {
      const orig = this[key];
      if (orig instanceof Uint8Array) return { $b: Buffer.from(orig).toString('base64') };
      return value;
    });
  }

  static parse(json: string): ExecState {
    return JSON.parse(json, (_k, v) => (v && typeof v === 'object' && typeof v.$b === 'string' && Object.keys(v).length === 1
      ? Buffer.from(v.$b, 'base64') : v));
  }
}

/** Decodes a search-attribute payload (json/plain) to a JSON value for visibility filtering. */
export function decodeSearchAttributes(sa: Obj | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = sa?.indexedFields ?? {};
  for (const [k, p] of Object.entries<Obj>(fields)) {
    try {
      const data = p?.data ? Buffer.from(p.data).toString('utf8') : '';
      if (data) out[k] = JSON.parse(data);
    } catch {
      /* not JSON: not filterable */
    }
  }
  return out;
}
