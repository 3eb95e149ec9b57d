/**
 * The gRPC front of temporal-lite: Temporal's WorkflowService (plus OperatorService search
 * attributes, TestService time skipping and the gRPC health check) mapped onto the Engine.
 * Any RPC not listed answers UNIMPLEMENTED with its name.
 */
import * as grpc from '@grpc/grpc-js';
import { Engine } from './engine.js';
import { speedUpGrpcDecompression } from './grpc-patch.js';
import { RpcError, alreadyExists, invalidArgument, unimplemented } from './errors.js';
import { SYSTEM_SEARCH_ATTRIBUTES } from './search-attributes.js';
import { scheduleHandlers } from './schedules.js';
import { HEALTH, OP, TEST, WF, durToMs, serviceDefinition, ts, tsToMs } from './proto.js';
import type { Obj } from './execution.js';

type Handler = (req: Obj, call: grpc.ServerUnaryCall<Obj, unknown>) => Promise<Obj | Uint8Array> | Obj | Uint8Array;

const VERSION = '1.24.0-temporal-lite';

/** The caller's deadline (ms since the epoch, Infinity without one): long polls answer before it. */
function deadlineOf(call: grpc.ServerUnaryCall<Obj, unknown>): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : Number(d);
  return Number.isFinite(ms) && ms > 0 ? ms : Infinity;
}

export function buildHandlers(engine: Engine): Record<string, Record<string, Handler>> {
  const ns = (r: Obj) => r.namespace || 'default';
  const cancelledOf = (call: grpc.ServerUnaryCall<Obj, unknown>) => () => call.cancelled;
  const namespaceInfo = (name: string) => ({
    namespaceInfo: {
      name, state: 1, description: 'temporal-lite namespace', id: `ns-${name}`,
      capabilities: { eagerWorkflowStart: true, syncUpdate: true, asyncUpdate: true, workerPollCompleteOnShutdown: true },
    },
    config: { workflowExecutionRetentionTtl: { seconds: 7 * 24 * 3600 }, historyArchivalState: 2, visibilityArchivalState: 2 },
    isGlobalNamespace: false,
  });
  const searchAttributeTypes = () => ({ ...SYSTEM_SEARCH_ATTRIBUTES, ...engine.customSearchAttributes });

  const wf: Record<string, Handler> = {
    GetSystemInfo: () => ({
      serverVersion: VERSION,
      capabilities: {
        signalAndQueryHeader: true, internalErrorDifferentiation: true, activityFailureIncludeHeartbeat: true,
        supportsSchedules: true, encodedFailureAttributes: true, buildIdBasedVersioning: false, upsertMemo: true,
        eagerWorkflowStart: true, sdkMetadata: true, countGroupByExecutionStatus: true, nexus: false,
      },
    }),
    GetClusterInfo: () => ({
      supportedClients: {}, serverVersion: VERSION, clusterId: 'temporal-lite', clusterName: 'temporal-lite',
      historyShardCount: 1, persistenceStore: 'postgres', visibilityStore: 'postgres',
    }),
    DescribeNamespace: (r) => namespaceInfo(r.namespace || 'default'),
    ListNamespaces: () => ({ namespaces: [namespaceInfo('default')] }),
    RegisterNamespace: () => ({}),
    GetSearchAttributes: () => ({ keys: searchAttributeTypes() }),
    StartWorkflowExecution: (r) => engine.startWorkflow(r),
    SignalWithStartWorkflowExecution: async (r) => {
      const res = await engine.startWorkflow(r, { signalName: r.signalName, input: r.signalInput, identity: r.identity ?? '', header: r.header });
      return { runId: res.runId, started: res.started };
    },
    SignalWorkflowExecution: (r) => engine.signalWorkflow(r),
    RequestCancelWorkflowExecution: (r) => engine.requestCancelWorkflow(r),
    TerminateWorkflowExecution: (r) => engine.terminateWorkflow(r),
    PollWorkflowTaskQueue: (r, call) => engine.poll('wf', ns(r), r.taskQueue?.name, r.identity ?? '', r.workerInstanceKey ?? '', cancelledOf(call)),
    PollActivityTaskQueue: (r, call) => engine.poll('act', ns(r), r.taskQueue?.name, r.identity ?? '', r.workerInstanceKey ?? '', cancelledOf(call)),
    RespondWorkflowTaskCompleted: (r) => engine.respondWorkflowTaskCompleted(r),
    RespondWorkflowTaskFailed: (r) => engine.respondWorkflowTaskFailed(r),
    RecordActivityTaskHeartbeat: (r) => engine.heartbeat(r),
    RecordActivityTaskHeartbeatById: (r) => engine.heartbeat(r),
    RespondActivityTaskCompleted: (r) => engine.respondActivityCompleted(r),
    RespondActivityTaskCompletedById: (r) => engine.respondActivityCompleted(r),
    RespondActivityTaskFailed: (r) => engine.respondActivityFailed(r),
    RespondActivityTaskFailedById: (r) => engine.respondActivityFailed(r),
    RespondActivityTaskCanceled: (r) => engine.respondActivityCanceled(r),
    RespondActivityTaskCanceledById: (r) => engine.respondActivityCanceled(r),
    QueryWorkflow: (r) => engine.query(r),
    UpdateWorkflowExecution: (r, call) => engine.updateWorkflow(r, deadlineOf(call)),
    PollWorkflowExecutionUpdate: (r, call) => engine.pollUpdate(r, deadlineOf(call)),
    ExecuteMultiOperation: (r, call) => engine.executeMultiOperation(r, deadlineOf(call)),
    RespondQueryTaskCompleted: (r) => engine.respondQueryTaskCompleted(r),
    GetWorkflowExecutionHistory: (r, call) => engine.getHistory(r, cancelledOf(call)),
    GetWorkflowExecutionHistoryReverse: (r, call) => engine.getHistory(r, cancelledOf(call), true),
    DescribeWorkflowExecution: async (r) => {
      const e = await engine.getExecution(ns(r), r.execution?.workflowId, r.execution?.runId || undefined);
      await engine.sync();
      return engine.describe(e);
    },
    ListWorkflowExecutions: (r) => engine.list(r),
    ScanWorkflowExecutions: (r) => engine.list(r),
    ListOpenWorkflowExecutions: (r) => engine.list({ ...r, pageSize: r.maximumPageSize, query: `ExecutionStatus = 'Running'${r.executionFilter?.workflowId ? ` AND WorkflowId = '${String(r.executionFilter.workflowId).replace(/'/g, '')}'` : ''}${r.typeFilter?.name ? ` AND WorkflowType = '${String(r.typeFilter.name).replace(/'/g, '')}'` : ''}` }),
    ListClosedWorkflowExecutions: (r) => engine.list({ ...r, pageSize: r.maximumPageSize, query: `ExecutionStatus != 'Running'${r.executionFilter?.workflowId ? ` AND WorkflowId = '${String(r.executionFilter.workflowId).replace(/'/g, '')}'` : ''}${r.typeFilter?.name ? ` AND WorkflowType = '${String(r.typeFilter.name).replace(/'/g, '')}'` : ''}` }),
    CountWorkflowExecutions: (r) => engine.count(r),
    ResetStickyTaskQueue: () => ({}),
    ShutdownWorker: (r) => { engine.shutdownWorker(ns(r), r.stickyTaskQueue || undefined, r.workerInstanceKey || undefined); return {}; },
    RecordWorkerHeartbeat: () => ({}),
    ...scheduleHandlers(engine),
  };

  const op: Record<string, Handler> = {
    ListSearchAttributes: () => ({ customAttributes: engine.customSearchAttributes, systemAttributes: SYSTEM_SEARCH_ATTRIBUTES, storageSchema: {} }),
    AddSearchAttributes: async (r) => {
      const add = Object.entries<number>(r.searchAttributes ?? {});
      if (!add.length) throw invalidArgument('SearchAttributes are not set on request.');
      for (const [k, v] of add) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw invalidArgument(`Search attribute name ${k} is not valid.`);
        if (!(v >= 1 && v <= 7)) throw invalidArgument(`Unknown search attribute type: ${v}.`);
        if (SYSTEM_SEARCH_ATTRIBUTES[k] !== undefined) throw invalidArgument(`Search attribute ${k} is reserved by system.`);
        const had = engine.customSearchAttributes[k];
        if (had !== undefined && had !== v) throw alreadyExists(`Search attribute ${k} already exists with a different type.`);
      }
      for (const [k, v] of add) engine.customSearchAttributes[k] = v;
      await engine.saveMeta();
      return {};
    },
    RemoveSearchAttributes: async (r) => {
      for (const k of r.searchAttributes ?? []) delete engine.customSearchAttributes[k];
      await engine.saveMeta();
      return {};
    },
  };

  const test: Record<string, Handler> = {
    LockTimeSkipping: () => { engine.lockTimeSkipping(); return {}; },
    UnlockTimeSkipping: () => { engine.unlockTimeSkipping(); return {}; },
    Sleep: async (r) => { await engine.sleep(durToMs(r.duration)); return {}; },
    SleepUntil: async (r) => { await engine.advanceTo(tsToMs(r.timestamp)); return {}; },
    UnlockTimeSkippingWithSleep: async (r) => { await engine.sleep(durToMs(r.duration)); return {}; },
    GetCurrentTime: () => ({ time: ts(engine.now()) }),
  };

  const health: Record<string, Handler> = { Check: () => ({ status: 1 }) };
  return { [WF]: wf, [OP]: op, [TEST]: test, [HEALTH]: health };
}

export function createGrpcServer(engine: Engine): grpc.Server {
  speedUpGrpcDecompression();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    // no channelz bookkeeping (per-call counters and closures nobody reads here)
    'grpc.enable_channelz': 0,
  });
  const handlers = buildHandlers(engine);
  for (const svc of [WF, OP, TEST, HEALTH]) {
    const { def, methods } = serviceDefinition(svc);
    const impl: grpc.UntypedServiceImplementation = {};
    for (const m of methods) {
      const h = handlers[svc]?.[m.name];
      impl[m.name] = (call: grpc.ServerUnaryCall<Obj, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        if (!h) { callback(unimplemented(`${svc.split('.').pop()}/${m.name}`).toServiceError()); return; }
        Promise.resolve()
          .then(() => h(call.request ?? {}, call))
          .then((res) => callback(null, res))
          .catch((err: unknown) => {
            if (err instanceof RpcError) callback(err.toServiceError());
            else {
              console.error(`temporal-lite: ${m.name} failed`, err);
              callback({ code: grpc.status.INTERNAL, details: `${m.name}: ${(err as Error)?.message ?? String(err)}` });
            }
          });
      };
    }
    server.addService(def, impl);
  }
  return server;
}

export { invalidArgument };
