/**
 * Protobuf plumbing: the message types and service descriptors of Temporal's API, taken from the
 * official `@temporalio/proto` package (protobufjs reflection), so the wire format is exactly the
 * one the SDK speaks.
 */
import { createRequire } from 'node:module';
import type * as protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';

const require = createRequire(import.meta.url);
export const root: protobuf.Root = require('@temporalio/proto');

export const WF = 'temporal.api.workflowservice.v1.WorkflowService';
export const OP = 'temporal.api.operatorservice.v1.OperatorService';
export const TEST = 'temporal.api.testservice.v1.TestService';
export const HEALTH = 'grpc.health.v1.Health';

const typeCache = new Map<string, protobuf.Type>();
export function type(name: string): protobuf.Type {
  let t = typeCache.get(name);
  if (!t) {
    t = root.lookupType(name);
    typeCache.set(name, t);
  }
  return t;
}

export const HistoryEventType = () => type('temporal.api.history.v1.HistoryEvent');

const toObjectOptions = { longs: Number, enums: Number, defaults: false };

/** Decodes bytes into a plain object: int64 → number, enums → numbers, bytes → Uint8Array. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- like Obj: a decoded message, typed by its .proto
export function decodePlain<T = any>(t: protobuf.Type, buf: Uint8Array): T {
  return t.toObject(t.decode(buf), toObjectOptions) as T;
}

/**
 * Encodes a plain object (numbers for int64 and enums, Uint8Array for bytes, {seconds, nanos}
 * for times). protobufjs's generated encoders accept such objects directly; skipping `fromObject`
 * avoids building message instances for every nested field.
 */
export function encodePlain(t: protobuf.Type, obj: unknown): Uint8Array {
  return t.encode(obj as Record<string, unknown>).finish();
}

export interface MethodInfo {
  service: string;
  name: string;
  path: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
}

/** A grpc-js service definition whose handlers receive and return plain objects. */
export function serviceDefinition(serviceName: string): { def: ServiceDefinition; methods: MethodInfo[] } {
  const svc = root.lookupService(serviceName);
  const def: Record<string, unknown> = {};
  const methods: MethodInfo[] = [];
  for (const m of Object.values(svc.methods)) {
    if (m.requestStream || m.responseStream) continue; // only unary RPCs are served
    m.resolve();
    const requestType = m.resolvedRequestType!;
    const responseType = m.resolvedResponseType!;
    const path = `/${serviceName}/${m.name}`;
    methods.push({ service: serviceName, name: m.name, path, requestType, responseType });
    def[m.name] = {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: (obj: unknown) => Buffer.from(encodePlain(requestType, obj)),
      requestDeserialize: (buf: Buffer) => decodePlain(requestType, buf),
      responseSerialize: (obj: unknown) => (obj instanceof Uint8Array ? Buffer.from(obj) : Buffer.from(encodePlain(responseType, obj))),
      responseDeserialize: (buf: Buffer) => decodePlain(responseType, buf),
    };
  }
  return { def: def as ServiceDefinition, methods };
}

// ---- time helpers: protobuf Timestamp / Duration as plain objects ----
export interface PTime {
  seconds?: number;
  nanos?: number;
}
export function ts(ms: number): PTime {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}
export function tsToMs(t: PTime | null | undefined): number {
  if (!t) return 0;
  return (Number(t.seconds ?? 0) * 1000) + Math.floor(Number(t.nanos ?? 0) / 1e6);
}
export const dur = ts;
export const durToMs = tsToMs;

export function anyOf(typeName: string, obj: unknown) {
  return { type_url: `type.googleapis.com/${typeName}`, value: encodePlain(type(typeName), obj) };
}

/** Encodes one length-delimited field (wire type 2) by hand: used to splice cached event bytes. */
export function lengthDelimited(fieldNo: number, payload: Uint8Array): Uint8Array {
  const tag = (fieldNo << 3) | 2;
  const head: number[] = [];
  let v = tag;
  while (v > 0x7f) { head.push((v & 0x7f) | 0x80); v >>>= 7; }
  head.push(v);
  let len = payload.length;
  while (len > 0x7f) { head.push((len & 0x7f) | 0x80); len >>>= 7; }
  head.push(len);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export const enums = {
  EventType: {
    WorkflowExecutionStarted: 1, WorkflowExecutionCompleted: 2, WorkflowExecutionFailed: 3, WorkflowExecutionTimedOut: 4,
    WorkflowTaskScheduled: 5, WorkflowTaskStarted: 6, WorkflowTaskCompleted: 7, WorkflowTaskTimedOut: 8, WorkflowTaskFailed: 9,
    ActivityTaskScheduled: 10, ActivityTaskStarted: 11, ActivityTaskCompleted: 12, ActivityTaskFailed: 13, ActivityTaskTimedOut: 14,
    ActivityTaskCancelRequested: 15, ActivityTaskCanceled: 16, TimerStarted: 17, TimerFired: 18, TimerCanceled: 19,
    WorkflowExecutionCancelRequested: 20, WorkflowExecutionCanceled: 21, RequestCancelExternalWorkflowExecutionInitiated: 22,
    RequestCancelExternalWorkflowExecutionFailed: 23, ExternalWorkflowExecutionCancelRequested: 24, MarkerRecorded: 25,
    WorkflowExecutionSignaled: 26, WorkflowExecutionTerminated: 27, WorkflowExecutionContinuedAsNew: 28,
    StartChildWorkflowExecutionInitiated: 29, StartChildWorkflowExecutionFailed: 30, ChildWorkflowExecutionStarted: 31,
    ChildWorkflowExecutionCompleted: 32, ChildWorkflowExecutionFailed: 33, ChildWorkflowExecutionCanceled: 34,
    ChildWorkflowExecutionTimedOut: 35, ChildWorkflowExecutionTerminated: 36, SignalExternalWorkflowExecutionInitiated: 37,
    SignalExternalWorkflowExecutionFailed: 38, ExternalWorkflowExecutionSignaled: 39, UpsertWorkflowSearchAttributes: 40,
    WorkflowPropertiesModified: 46, WorkflowExecutionUpdateAccepted: 41, WorkflowExecutionUpdateCompleted: 43,
    WorkflowExecutionUpdateAdmitted: 47,
  },
  CommandType: {
    ScheduleActivityTask: 1, RequestCancelActivityTask: 2, StartTimer: 3, CompleteWorkflowExecution: 4, FailWorkflowExecution: 5,
    CancelTimer: 6, CancelWorkflowExecution: 7, RequestCancelExternalWorkflowExecution: 8, RecordMarker: 9,
    ContinueAsNewWorkflowExecution: 10, StartChildWorkflowExecution: 11, SignalExternalWorkflowExecution: 12,
    UpsertWorkflowSearchAttributes: 13, ProtocolMessage: 14, ModifyWorkflowProperties: 16, ScheduleNexusOperation: 17,
    RequestCancelNexusOperation: 18,
  },
  Status: { Running: 1, Completed: 2, Failed: 3, Canceled: 4, Terminated: 5, ContinuedAsNew: 6, TimedOut: 7 },
  RetryState: { InProgress: 1, NonRetryableFailure: 2, Timeout: 3, MaximumAttemptsReached: 4, RetryPolicyNotSet: 5, CancelRequested: 7 },
  TimeoutType: { StartToClose: 1, ScheduleToStart: 2, ScheduleToClose: 3, Heartbeat: 4 },
  WftFailedCause: { UnhandledCommand: 1, BadScheduleActivityAttributes: 2, StartTimerDuplicateId: 12, ResetStickyTaskQueue: 13, WorkerUnhandledFailure: 14, ForceCloseCommand: 17, ScheduleActivityDuplicateId: 22, BadStartChildExecutionAttributes: 16, BadSearchAttributes: 23 },
  ReusePolicy: { AllowDuplicate: 1, AllowDuplicateFailedOnly: 2, RejectDuplicate: 3, TerminateIfRunning: 4 },
  ConflictPolicy: { Fail: 1, UseExisting: 2, TerminateExisting: 3 },
  ParentClosePolicy: { Terminate: 1, Abandon: 2, RequestCancel: 3 },
  QueryResultType: { Answered: 1, Failed: 2 },
  FilterType: { All: 1, Close: 2 },
  TaskQueueKind: { Normal: 1, Sticky: 2 },
  ContinueAsNewInitiator: { Workflow: 1, Retry: 2, Cron: 3 },
  UpdateStage: { Unspecified: 0, Admitted: 1, Accepted: 2, Completed: 3 },
  PendingActivityState: { Scheduled: 1, Started: 2, CancelRequested: 3 },
} as const;

export const statusNames: Record<number, string> = {
  1: 'Running', 2: 'Completed', 3: 'Failed', 4: 'Canceled', 5: 'Terminated', 6: 'ContinuedAsNew', 7: 'TimedOut',
};
