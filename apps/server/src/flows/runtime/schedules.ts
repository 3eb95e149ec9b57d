/**
 * Cron-triggered flows and the sweeps on Temporal schedules, instead of a timer in every Nudge
 * server: several servers on one database share one Temporal namespace, so each schedule fires
 * once however many servers run, and a paused flow pauses its schedule.
 *
 *  - `nudge-flow-<flowId>`: one schedule per flow whose published version has a schedule trigger
 *    (cron + time zone of the trigger). Created / updated on publish and resume, paused on pause,
 *    deleted on archive or when the published version has another trigger. Each action starts
 *    `flowScheduleTick`, which enrolls the trigger's segment with the key of its nominal time
 *    (`schedule-<ISO time>`, the key the sweep used: a tick enrolls nobody twice).
 *  - `nudge-sweeps`: every `sweepEveryMs` (default 60 s, overlap SKIP) `flowSweep` sweeps the
 *    segment-entry, birthday and date-field flows that are due (`sweepAll`, schedule flows left
 *    to their own schedules).
 *
 * `syncFlowSchedules` (start-up) is create-or-update for every flow and deletes schedules of flows
 * that no longer need one: idempotent, and safe when several servers start together.
 */
import { eq } from 'drizzle-orm';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { schema } from '@nudge/db';
import { executionPlanSchema } from '@nudge/workflow-nodes/control';
import { nowOf, type AppContext } from '../../context.js';
import { FLOW_TASK_QUEUE } from './shared.js';
import { sweepAll, sweepScheduleTick } from './triggers.js';

export const SWEEP_SCHEDULE_ID = 'nudge-sweeps';
export const FLOW_SCHEDULE_PREFIX = 'nudge-flow-';
export const flowScheduleId = (flowId: string) => `${FLOW_SCHEDULE_PREFIX}${flowId}`;
export const FLOW_TICK_WORKFLOW = 'flowScheduleTick';
export const FLOW_SWEEP_WORKFLOW = 'flowSweep';

/** Contexts whose runtime keeps schedules (startFlowRuntime with sweeps on). */
const enabled = new WeakMap<AppContext, { taskQueue: string }>();
export function enableFlowSchedules(ctx: AppContext, taskQueue = FLOW_TASK_QUEUE) { enabled.set(ctx, { taskQueue }); }
export function disableFlowSchedules(ctx: AppContext) { enabled.delete(ctx); }

/**
 * Nudge's cron (croner: 5 fields, or 6 with seconds first; day-of-month OR day-of-week when both
 * are set) as Temporal cron strings (7 fields: seconds … year; day-of-month AND day-of-week).
 */
export function temporalCronStrings(cron: string): string[] {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 && f.length !== 6) throw new Error(`cron "${cron}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  const [sec, min, hour, dom, mon, dow] = f.length === 6 ? f : ['0', ...f];
  const any = (x: string) => x === '*' || x === '?';
  if (!any(dom!) && !any(dow!)) return [`${sec} ${min} ${hour} ${dom} ${mon} * *`, `${sec} ${min} ${hour} * ${mon} ${dow} *`];
  return [`${sec} ${min} ${hour} ${dom} ${mon} ${dow} *`];
}

interface Desired { paused: boolean; cron: string; timezone: string; versionId: string }

async function desiredFor(ctx: AppContext, flowId: string): Promise<Desired | null> {
  const [row] = await ctx.db.db
    .select({ status: schema.flows.status, versionId: schema.flowVersions.id, plan: schema.flowVersions.plan })
    .from(schema.flows)
    .innerJoin(schema.flowVersions, eq(schema.flowVersions.id, schema.flows.currentVersionId))
    .where(eq(schema.flows.id, flowId));
  if (!row || row.status === 'archived' || row.status === 'draft') return null;
  const plan = executionPlanSchema.safeParse(row.plan);
  if (!plan.success || !plan.data.trigger.key.startsWith('trigger.schedule@')) return null;
  const cfg = plan.data.trigger.config as { cron?: string; timezone?: string };
  return { paused: row.status !== 'active', cron: String(cfg.cron ?? ''), timezone: cfg.timezone || 'UTC', versionId: row.versionId };
}

async function createOrUpdate(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((prev) => ({
    ...prev,
    spec: options.spec,
    action: options.action,
    policies: { ...prev.policies, ...options.policies },
    state: { ...prev.state, paused: options.state?.paused ?? false, note: options.state?.note },
  } as never));
  return 'updated';
}

/** Brings the schedule of one flow in line with its status and published trigger. */
export async function syncFlowSchedule(ctx: AppContext, flowId: string): Promise<'created' | 'updated' | 'deleted' | 'none'> {
  const on = enabled.get(ctx);
  const client = ctx.temporal?.client;
  if (!on || !client) return 'none';
  const want = await desiredFor(ctx, flowId);
  const scheduleId = flowScheduleId(flowId);
  if (!want) {
    try {
      await client.schedule.getHandle(scheduleId).delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'none';
      throw err;
    }
  }
  return createOrUpdate(client, {
    scheduleId,
    spec: { cronExpressions: temporalCronStrings(want.cron), timezone: want.timezone },
    action: { type: 'startWorkflow', workflowType: FLOW_TICK_WORKFLOW, taskQueue: on.taskQueue, workflowId: `flow-tick:${flowId}`, args: [{ flowId }] },
    // a tick missed while Temporal was down runs when it is back, the latest one only
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1 day' },
    memo: { flowId, versionId: want.versionId },
    state: { paused: want.paused, note: want.paused ? 'flow paused' : `version ${want.versionId}` },
  });
}

/** Best effort after a lifecycle change (the start-up sync repairs a failure; a tick of a paused flow enrolls nobody). */
export async function syncFlowScheduleSoon(ctx: AppContext, flowId: string): Promise<void> {
  try {
    await syncFlowSchedule(ctx, flowId);
  } catch (err) {
    console.error(`[flows] updating the schedule of flow ${flowId} failed (it is repaired at the next start):`, err);
  }
}

/** Start-up: the sweep schedule, and every flow's schedule created, updated or deleted. Idempotent. */
export async function syncFlowSchedules(ctx: AppContext, options: { sweepEveryMs: number }): Promise<{ flows: Record<string, string> }> {
  const on = enabled.get(ctx);
  const client = ctx.temporal?.client;
  if (!on || !client) return { flows: {} };
  await createOrUpdate(client, {
    scheduleId: SWEEP_SCHEDULE_ID,
    spec: { intervals: [{ every: Math.max(1000, options.sweepEveryMs) }] },
    action: { type: 'startWorkflow', workflowType: FLOW_SWEEP_WORKFLOW, taskQueue: on.taskQueue, workflowId: 'flow-sweep' },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    state: { paused: false },
  });
  const flows: Record<string, string> = {};
  const ids = new Set((await ctx.db.db.select({ id: schema.flows.id }).from(schema.flows)).map((r) => r.id));
  for (const id of ids) {
    try {
      const r = await syncFlowSchedule(ctx, id);
      if (r !== 'none') flows[id] = r;
    } catch (err) {
      console.error(`[flows] the schedule of flow ${id} could not be set up:`, err);
      flows[id] = 'failed';
    }
  }
  // schedules of flows that are gone from the database
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(FLOW_SCHEDULE_PREFIX) || ids.has(s.scheduleId.slice(FLOW_SCHEDULE_PREFIX.length))) continue;
    await client.schedule.getHandle(s.scheduleId).delete().catch(() => {});
    flows[s.scheduleId.slice(FLOW_SCHEDULE_PREFIX.length)] = 'deleted';
  }
  return { flows };
}

/** The activities the schedule workflows call. */
export function scheduleActivities(ctx: AppContext) {
  return {
    /** One tick of a flow's schedule at its nominal time (ISO). */
    async flowScheduleTick(flowId: string, nominalIso: string) {
      return sweepScheduleTick(ctx, flowId, Date.parse(nominalIso));
    },
    /** The segment / date sweeps that are due. */
    async flowSweepDue() {
      const results = await sweepAll(ctx, { skipScheduleTriggers: true });
      return { flows: results.length, started: results.reduce((n, r) => n + r.started, 0), at: nowOf(ctx).toISOString() };
    },
  };
}
export type ScheduleActivities = ReturnType<typeof scheduleActivities>;
