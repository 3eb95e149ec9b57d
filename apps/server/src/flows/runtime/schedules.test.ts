/**
 * Cron-triggered flows and the sweeps on Temporal schedules: one schedule per cron flow
 * (created on start-up / publish, paused with the flow, deleted on archive), one sweep schedule
 * for every server, idempotent start-up, and each tick enrolling the segment once even with two
 * Nudge servers (two runtimes) on the same database and Temporal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ScheduleNotFoundError } from '@temporalio/client';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { changeLifecycle } from '../api/flows.js';
import type { AuthUser } from '../../http/auth.js';
import { startFlowRuntime, type FlowRuntime } from './worker.js';
import { FLOW_SCHEDULE_PREFIX, SWEEP_SCHEDULE_ID, flowScheduleId, syncFlowSchedules, temporalCronStrings } from './schedules.js';
import { createPotentialSegment, createRuntimeWorld, createTag, createUser, eventually, publishFlow, seedCustomers, type RuntimeWorld } from './test-support.js';

describe('flow schedules', () => {
  let w: RuntimeWorld;
  let second: FlowRuntime | undefined;
  let user: AuthUser;
  let segmentId: string;
  let members: string[];

  beforeAll(async () => {
    // real time (schedules fire on the clock), sweeps every 2 s
    w = await createRuntimeWorld({ timeSkipping: false, sweepEveryMs: 2000 });
    const ownerId = await createUser(w.ctx, 'Sched Sam');
    user = { id: ownerId, email: 'sam@nudge.test', name: 'Sched Sam', role: 'admin' as AuthUser['role'], teamId: null, rights: [] };
    const potential = await createTag(w.ctx, 'potential');
    segmentId = await createPotentialSegment(w.ctx);
    members = await seedCustomers(w.ctx, { count: 2, ownerId, tagId: potential, prefix: 'sched' });
  }, 240_000);
  afterAll(async () => {
    await second?.stop();
    await w?.close();
  });

  const cronFlow = (cron: string) => publishFlow(
    w.ctx,
    { nodes: [step('trigger', 'trigger.schedule@1', { cron, timezone: 'Asia/Taipei', segmentId }), step('note', 'action.add_note@1', { text: 'tick' })], edges: [edge('trigger', 'next', 'note')] },
    { enrollment: { mode: 'again_after_days', days: 0 } },
  );
  const runsOf = (flowId: string) => w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
  const schedules = async () => {
    const ids: string[] = [];
    for await (const s of w.engine.client.schedule.list()) ids.push(s.scheduleId);
    return ids;
  };

  it("translates Nudge's cron (croner: day-of-month OR day-of-week, optional seconds) into Temporal cron strings", () => {
    expect(temporalCronStrings('0 9 1 * *')).toEqual(['0 0 9 1 * * *']);
    expect(temporalCronStrings('0 9 1 * MON')).toEqual(['0 0 9 1 * * *', '0 0 9 * * MON *']);
    expect(temporalCronStrings('*/2 * * * * *')).toEqual(['*/2 * * * * * *']);
    expect(() => temporalCronStrings('0 9')).toThrow(/5 fields/);
  });

  it('start-up sync is create-or-update: one sweep schedule, one schedule per cron flow, stale ones deleted', async () => {
    const { flowId } = await cronFlow('0 9 1 * *');
    const first = await syncFlowSchedules(w.ctx, { sweepEveryMs: 2000 });
    expect(first.flows[flowId]).toBe('created');
    const again = await syncFlowSchedules(w.ctx, { sweepEveryMs: 2000 });
    expect(again.flows[flowId]).toBe('updated');
    const ids = await schedules();
    expect(ids.filter((id) => id === SWEEP_SCHEDULE_ID)).toHaveLength(1);
    expect(ids.filter((id) => id === flowScheduleId(flowId))).toHaveLength(1);
    const d = await w.engine.client.schedule.getHandle(flowScheduleId(flowId)).describe();
    expect(d.spec.timezone).toBe('Asia/Taipei');
    expect(d.state.paused).toBe(false);
    for (const n of d.info.nextActionTimes) expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Taipei', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(n)).toMatch(/^1,? 09:00$/);
    // a schedule whose flow is gone is deleted by the next start-up sync
    await w.engine.client.schedule.create({ scheduleId: `${FLOW_SCHEDULE_PREFIX}00000000-0000-0000-0000-000000000000`, spec: { intervals: [{ every: '1h' }] }, action: { type: 'startWorkflow', workflowType: 'flowScheduleTick', taskQueue: 'nowhere', args: [{ flowId: 'gone' }] } });
    const third = await syncFlowSchedules(w.ctx, { sweepEveryMs: 2000 });
    expect(third.flows['00000000-0000-0000-0000-000000000000']).toBe('deleted');
    await changeLifecycle(w.ctx, user, flowId, 'archive');
    await expect(w.engine.client.schedule.getHandle(flowScheduleId(flowId)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('each tick enrolls the segment once with the key of its nominal time — also with two servers; pause pauses the schedule, resume resumes it', async () => {
    // a second Nudge server on the same database and Temporal: its start-up sync changes nothing, its worker shares the ticks
    second = await startFlowRuntime(w.ctx, { channels: w.channels, sweepEveryMs: 2000, allowPrivateWebhooks: true });
    const { flowId } = await cronFlow('*/2 * * * * *'); // every 2 s (croner: seconds first)
    await syncFlowSchedules(w.ctx, { sweepEveryMs: 2000 });
    await eventually(async () => new Set((await runsOf(flowId)).map((r) => r.enrollmentKey)).size >= 3, 'three ticks', 60_000);
    await changeLifecycle(w.ctx, user, flowId, 'pause');
    const handle = w.engine.client.schedule.getHandle(flowScheduleId(flowId));
    expect((await handle.describe()).state.paused).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // a tick that was already starting may finish
    const atPause = (await runsOf(flowId)).length;
    await new Promise((r) => setTimeout(r, 5000));
    expect((await runsOf(flowId)).length).toBe(atPause);
    const runs = await runsOf(flowId);
    const byKey = new Map<string, string[]>();
    for (const r of runs) byKey.set(r.enrollmentKey, [...(byKey.get(r.enrollmentKey) ?? []), r.customerId]);
    for (const [key, customers] of byKey) {
      expect(key).toMatch(/^schedule-\d{4}-\d\d-\d\dT\d\d:\d\d:\d[02468]\.000Z$/);
      expect(customers.sort()).toEqual([...members].sort()); // every member once per tick, never twice
    }
    await changeLifecycle(w.ctx, user, flowId, 'resume');
    expect((await handle.describe()).state.paused).toBe(false);
    await eventually(async () => (await runsOf(flowId)).length > atPause, 'a tick after resume', 60_000);
    await changeLifecycle(w.ctx, user, flowId, 'archive');
  });

  it('the sweep schedule sweeps segment-entry flows (no timer in the server)', async () => {
    const { flowId } = await publishFlow(
      w.ctx,
      { nodes: [step('trigger', 'trigger.segment_entry@1', { segmentId, checkEveryMinutes: 60 }), step('note', 'action.add_note@1', { text: 'joined' })], edges: [edge('trigger', 'next', 'note')] },
    );
    await eventually(async () => (await runsOf(flowId)).length === members.length, 'the segment swept by the schedule', 60_000);
    await eventually(async () => {
      const [flow] = await w.ctx.db.db.select().from(schema.flows).where(eq(schema.flows.id, flowId));
      return flow!.lastSweptAt instanceof Date;
    }, 'the sweep recorded');
    await changeLifecycle(w.ctx, user, flowId, 'archive');
  });
});
