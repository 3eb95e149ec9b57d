/**
 * `startFlowRuntime(ctx)`: the SDK Worker on task queue `nudge-flows` (workflow bundle built once
 * per process), the flow activities, and the triggers (domain events, import batches, a sweep
 * loop). main.ts calls it after the Temporal engine is up.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { SqlIdempotencyStore, channelsConfigFromEnv, createChannels, type Channels } from '@nudge/channels';
import type { AppContext, DomainEvent } from '../../context.js';
import { onCustomersImported } from '../../import/events.js';
import { createFlowActivities } from './activities.js';
import { workflowCacheSize } from './cache-size.js';
import { enrollCustomer, type EnrollOptions, type EnrollResult } from './enroll.js';
import { FLOW_TASK_QUEUE } from './shared.js';
import { handleCustomersImported, handleDomainEvent, routeInboundMessage, sweepAll, type SweepResult } from './triggers.js';
import { disableFlowSchedules, enableFlowSchedules, scheduleActivities, syncFlowSchedules } from './schedules.js';
import { channelSettings, setting } from '../../config.js';

let bundle: Promise<WorkflowBundle> | undefined;
/**
 * The interpreter workflow bundled for the sandbox (once per process). webpack runs in a
 * short-lived child process: bundling in the server's own thread kept ~50 MB of its heap and
 * ~140 MB of resident memory for the life of the process, and bundling in a worker thread still
 * left swc's native modules mapped (~23 MB) and malloc's arenas fragmented; only the bundle's
 * code comes back.
 */
export function flowWorkflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleInChildProcess(fileURLToPath(new URL('./workflows.ts', import.meta.url)));
  return bundle;
}

async function bundleInChildProcess(workflowsPath: string): Promise<WorkflowBundle> {
  const code = `const [sdk, workflowsPath] = process.argv.slice(1);
const { bundleWorkflowCode, DefaultLogger } = require(sdk);
bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') })
  .then((b) => ({ code: b.code }), (err) => ({ error: String((err && err.stack) || err) }))
  .then((answer) => process.send(answer, () => process.disconnect()));`;
  const sdk = createRequire(import.meta.url).resolve('@temporalio/worker');
  // no execArgv (the server's --import tsx): webpack compiles the workflow's TypeScript itself
  const child = spawn(process.execPath, ['-e', code, sdk, workflowsPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const answer = await new Promise<{ code?: string; error?: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { code?: string; error?: string }));
      child.once('error', reject);
      child.once('exit', (c, signal) => reject(new Error(`the workflow bundler process exited with ${signal ?? c}`)));
    });
    if (answer.error !== undefined || answer.code === undefined) throw new Error(`Could not bundle the flow workflows: ${answer.error}`);
    return { code: answer.code };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

export interface FlowRuntimeOptions {
  /** channels to send with; default: from the environment (SMTP_HOST, WHATSAPP_…, SMS_…) over the channel_sends ledger */
  channels?: Channels;
  /**
   * how often active flows are swept (default 60 s), by a Temporal schedule shared by every Nudge
   * server on the namespace; cron-triggered flows get a schedule each (schedules.ts).
   * 0 = no schedules: call sweepAll yourself.
   */
  sweepEveryMs?: number;
  /** subscribe to ctx.onEvent and import batches (default true) */
  wireTriggers?: boolean;
  allowPrivateWebhooks?: boolean;
  maxConcurrentActivityTaskExecutions?: number;
  /** default: sized by memory (NUDGE_WORKFLOW_CACHE_MB, see cache-size.ts) */
  maxCachedWorkflows?: number;
  /** threads running workflow code (default 2 where there are 2 cores: one thread keeps ~80 % of 2 cores busy, two ~90 %) */
  workflowThreadPoolSize?: number;
  taskQueue?: string;
  /** give up on in-flight activities this long after stop() (default: wait for them); tests use it to kill a worker mid-activity */
  shutdownForceTime?: string | number;
}

export interface FlowRuntime {
  worker: Worker;
  channels: Channels;
  routeInboundMessage(message: { customerId: string; channel: string; text: string; messageId?: string }): Promise<{ started: number; signalled: number }>;
  sweepAll(options?: { force?: boolean }): Promise<SweepResult[]>;
  enrollCustomer(options: EnrollOptions): Promise<EnrollResult>;
  /** unsubscribes triggers, drains and stops the worker (the schedules stay: they are the cluster's) */
  stop(): Promise<void>;
}

export async function startFlowRuntime(ctx: AppContext, options: FlowRuntimeOptions = {}): Promise<FlowRuntime> {
  const engine = ctx.temporal;
  if (!engine) throw new Error('startFlowRuntime needs ctx.temporal (startTemporalEngine) to be set');
  const ownChannels = !options.channels;
  const channels = options.channels ?? createChannels(channelsConfigFromEnv(channelSettings()), { store: new SqlIdempotencyStore(ctx.db.sql) });
  const activities = createFlowActivities({
    app: ctx,
    channels,
    allowPrivateWebhooks: options.allowPrivateWebhooks ?? setting('NUDGE_WEBHOOK_ALLOW_PRIVATE'),
    startFlow: async (flowId, customerId, enrollmentKey) => {
      const r = await enrollCustomer(ctx, { flowId, customerId, enrollmentKey });
      return { runId: r.outcome === 'skipped' ? null : (r.run?.id ?? null) };
    },
  });
  const workerOptions = {
    namespace: engine.namespace,
    taskQueue: options.taskQueue ?? FLOW_TASK_QUEUE,
    workflowBundle: await flowWorkflowBundle(),
    activities: { ...activities, ...scheduleActivities(ctx) },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    maxCachedWorkflows: options.maxCachedWorkflows ?? workflowCacheSize(),
    workflowThreadPoolSize: options.workflowThreadPoolSize ?? Math.min(2, availableParallelism()),
    stickyQueueScheduleToStartTimeout: '2s',
    ...(options.shutdownForceTime !== undefined ? { shutdownForceTime: options.shutdownForceTime } : {}),
  };
  let { connection, release } = await engine.workerConnection();
  let worker: Worker;
  try {
    worker = await Worker.create({ connection, ...workerOptions });
  } catch (err) {
    await release();
    if (connection !== engine.connection) throw err;
    // the client's connection still holds a worker of this queue (an earlier one given up on):
    // this one runs on a connection of its own, without eager starts
    const own = await engine.nativeConnection();
    connection = own;
    release = () => own.close().catch(() => {});
    worker = await Worker.create({ connection, ...workerOptions });
  }
  const running = worker.run();
  running.catch((err) => console.error('[flows] worker stopped with an error:', err));

  // ---- triggers ----
  const unsubscribe: (() => void)[] = [];
  if (options.wireTriggers !== false) {
    const previous = ctx.onEvent;
    ctx.onEvent = async (event: DomainEvent) => {
      await previous?.(event);
      await handleDomainEvent(ctx, event);
    };
    unsubscribe.push(() => {
      ctx.onEvent = previous;
    });
    unsubscribe.push(onCustomersImported((e) => handleCustomersImported(ctx, e)));
  }
  const every = options.sweepEveryMs ?? 60_000;
  if (every > 0) {
    // create-or-update: idempotent when several servers start at once
    enableFlowSchedules(ctx, options.taskQueue ?? FLOW_TASK_QUEUE);
    try {
      await syncFlowSchedules(ctx, { sweepEveryMs: every });
    } catch (err) {
      console.error('[flows] setting up the sweep and flow schedules failed (retried at the next start):', err);
    }
  }

  let stopped = false;
  return {
    worker,
    channels,
    routeInboundMessage: (message) => routeInboundMessage(ctx, message),
    sweepAll: (o) => sweepAll(ctx, o),
    enrollCustomer: (o) => enrollCustomer(ctx, o),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (every > 0) disableFlowSchedules(ctx);
      for (const u of unsubscribe) u();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      let workerGone = true;
      if (options.shutdownForceTime === undefined) await running.catch(() => {});
      else {
        // abandoning in-flight activities (a kill, in tests): run() rejects once the force time is
        // over, but at times it never settles while an abandoned activity still runs; the worker is
        // given up on after 10 s more, as a killed process would be
        const bound = new Promise<void>((r) => setTimeout(r, msToNumber(options.shutdownForceTime!) + 10_000).unref());
        workerGone = await Promise.race([running.then(() => true, () => true), bound.then(() => false)]);
      }
      // a worker given up on may still be registered on its connection: that connection is not
      // handed to the next worker (the core refuses two workers of one task queue on one connection)
      if (workerGone) await release();
      if (ownChannels) await channels.close().catch(() => {});
    },
  };
}
