/**
 * Temporal schedules through the SDK's ScheduleClient. The same file runs against temporal-lite
 * (default, both drivers) and the real CLI dev server (NUDGE_TEST_TEMPORAL=dev): a difference in
 * behaviour shows as a failing test. Tests that need to stop the server or move its clock
 * (SIGKILL, catch-up window, time skipping) run on temporal-lite only.
 */
import Long from 'long';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { createTarget, onDev, waitFor, type Target } from './target.js';
import { createHarness, freePort, installRuntime } from './harness.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { createTestDb, testDriver } from '@nudge/db/testing';

let t: Target;
const taskQueue = `sched-${Math.random().toString(36).slice(2, 8)}`;
const uid = () => Math.random().toString(36).slice(2, 8);
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  t = await createTarget();
  await t.startWorker(taskQueue);
});
afterAll(async () => { await t?.close(); });

async function matching(scheduleId: string, from: string, to: string): Promise<string[]> {
  const r = await t.connection.workflowService.listScheduleMatchingTimes({
    namespace: 'default', scheduleId, startTime: { seconds: Long.fromNumber(Date.parse(from) / 1000) }, endTime: { seconds: Long.fromNumber(Date.parse(to) / 1000) },
  });
  return (r.startTime ?? []).map((x: { seconds?: Long | null; nanos?: number | null }) => iso(Number(x.seconds) * 1000 + Math.round((x.nanos ?? 0) / 1e6)));
}

const idle = { type: 'startWorkflow' as const, workflowType: 'hello', taskQueue, args: ['sched'] };

describe(`schedules on ${onDev ? 'the CLI dev server' : 'temporal-lite'}`, () => {
  it('creates, describes (cron canonicalised into calendars), lists and deletes', async () => {
    const scheduleId = `crud-${uid()}`;
    const handle = await t.client.schedule.create({
      scheduleId, spec: { cronExpressions: ['30 9 * * MON-FRI'], timezone: 'Europe/Berlin' },
      action: { ...idle, workflowId: `crud-wf-${uid()}` }, state: { paused: true, note: 'held' }, memo: { owner: 'tests' },
    });
    await expect(t.client.schedule.create({ scheduleId, spec: { intervals: [{ every: '1h' }] }, action: idle })).rejects.toBeInstanceOf(ScheduleAlreadyRunning);
    const d = await handle.describe();
    expect(d.spec.timezone).toBe('Europe/Berlin');
    expect(d.spec.calendars).toHaveLength(1);
    const cal = d.spec.calendars![0]!;
    expect(cal.hour).toEqual([{ start: 9, end: 9, step: 1 }]);
    expect(cal.minute).toEqual([{ start: 30, end: 30, step: 1 }]);
    expect(cal.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe('held');
    expect(d.memo).toEqual({ owner: 'tests' });
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(d.policies.catchupWindow).toBe(365 * 86_400_000);
    expect(d.info.nextActionTimes.length).toBe(10);
    for (const n of d.info.nextActionTimes) {
      const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(n);
      expect(wall).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:30$/);
    }
    const listed = await waitFor('the schedule in the list', async () => {
      for await (const s of t.client.schedule.list()) if (s.scheduleId === scheduleId) return s;
      return undefined;
    });
    expect(listed.state.paused).toBe(true);
    expect(listed.action).toMatchObject({ type: 'startWorkflow', workflowType: 'hello' });
    await handle.delete();
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('refuses a bad cron string and an unknown time zone', async () => {
    await expect(t.client.schedule.create({ scheduleId: `bad-${uid()}`, spec: { cronExpressions: ['61 * * * *'] }, action: idle })).rejects.toThrow();
    await expect(t.client.schedule.create({ scheduleId: `bad-${uid()}`, spec: { cronExpressions: ['0 * * * *'], timezone: 'Mars/Olympus' }, action: idle })).rejects.toThrow();
  });

  it('matches times in the zone across DST: a skipped wall time never fires, a repeated one fires twice', async () => {
    const scheduleId = `dst-${uid()}`;
    const handle = await t.client.schedule.create({
      scheduleId, spec: { cronExpressions: ['30 2 * * *', '30 1 * * *'], timezone: 'America/New_York' }, action: idle, state: { paused: true },
    });
    expect(await matching(scheduleId, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T06:30:00.000Z', '2026-03-07T07:30:00.000Z', '2026-03-08T06:30:00.000Z', '2026-03-09T05:30:00.000Z', '2026-03-09T06:30:00.000Z',
    ]);
    expect(await matching(scheduleId, '2026-10-31T12:00:00Z', '2026-11-02T00:00:00Z')).toEqual([
      '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-01T07:30:00.000Z',
    ]);
    await handle.delete();
  });

  it('matches intervals with a phase, calendars with day-of-month AND day-of-week, skips, start and end', async () => {
    const a = `iv-${uid()}`;
    await t.client.schedule.create({ scheduleId: a, spec: { intervals: [{ every: '90m', offset: '10m' }] }, action: idle, state: { paused: true } });
    expect(await matching(a, '2026-01-01T00:00:00Z', '2026-01-01T06:00:00Z')).toEqual([
      '2026-01-01T00:10:00.000Z', '2026-01-01T01:40:00.000Z', '2026-01-01T03:10:00.000Z', '2026-01-01T04:40:00.000Z',
    ]);
    const b = `cal-${uid()}`;
    await t.client.schedule.create({
      scheduleId: b, spec: {
        calendars: [{ dayOfMonth: 1, dayOfWeek: 'MONDAY', hour: 8 }, { hour: 12, dayOfWeek: ['SATURDAY', 'SUNDAY'] }],
        skip: [{ hour: 12, dayOfWeek: 'SUNDAY' }], startAt: new Date('2026-05-30T00:00:00Z'), endAt: new Date('2026-06-14T00:00:00Z'),
      }, action: idle, state: { paused: true },
    });
    expect(await matching(b, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([
      '2026-05-30T12:00:00.000Z', '2026-06-01T08:00:00.000Z', '2026-06-06T12:00:00.000Z', '2026-06-13T12:00:00.000Z',
    ]);
    await t.client.schedule.getHandle(a).delete();
    await t.client.schedule.getHandle(b).delete();
  });

  it('starts workflows with the id <workflowId>-<nominal time> and records them as recent actions', async () => {
    const scheduleId = `run-${uid()}`;
    const workflowId = `run-wf-${uid()}`;
    const handle = await t.client.schedule.create({ scheduleId, spec: { intervals: [{ every: '2s' }] }, action: { ...idle, workflowId } });
    const d = await waitFor('two actions', async () => { const x = await handle.describe(); return x.info.recentActions.length >= 2 && x; });
    await handle.delete();
    for (const a of d.info.recentActions) {
      expect(a.scheduledAt.getTime() % 2000).toBe(0);
      const id = `${workflowId}-${a.scheduledAt.toISOString().replace('.000Z', 'Z')}`;
      expect(a.action.workflow.workflowId).toBe(id);
      expect(await t.client.workflow.getHandle(id, a.action.workflow.firstExecutionRunId).result()).toBe('Hello, sched!');
    }
    expect(d.info.numActionsTaken).toBeGreaterThanOrEqual(2);
  });

  it('SKIP: while a run is open further times are skipped; BUFFER_ONE keeps one and starts it when the run closes', async () => {
    const block = { type: 'startWorkflow' as const, workflowType: 'waitForApproval', taskQueue, args: [600_000] };
    const skip = await t.client.schedule.create({ scheduleId: `skip-${uid()}`, spec: { intervals: [{ every: '1s' }] }, action: { ...block, workflowId: `skip-${uid()}` }, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    const one = await t.client.schedule.create({ scheduleId: `one-${uid()}`, spec: { intervals: [{ every: '1s' }] }, action: { ...block, workflowId: `one-${uid()}` }, policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE } });
    const s1 = await waitFor('SKIP to skip twice', async () => { const x = await skip.describe(); return x.info.numActionsSkippedOverlap >= 2 && x; });
    expect(s1.info.numActionsTaken).toBe(1);
    expect(s1.info.runningActions).toHaveLength(1);
    const o1 = await waitFor('BUFFER_ONE to skip', async () => { const x = await one.describe(); return x.info.numActionsSkippedOverlap >= 1 && x; });
    expect(o1.info.numActionsTaken).toBe(1);
    expect(Number(o1.raw.info?.bufferSize ?? 0)).toBe(1);
    // release BUFFER_ONE's run: the buffered start goes at once
    const first = o1.info.runningActions[0]!.workflow;
    await t.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId).signal('approve', 'tests');
    const o2 = await waitFor('the buffered start', async () => { const x = await one.describe(); return x.info.numActionsTaken >= 2 && x; });
    expect(o2.info.runningActions).toHaveLength(1);
    expect(o2.info.runningActions[0]!.workflow.workflowId).not.toBe(first.workflowId);
    for (const h of [skip, one]) {
      const x = await h.describe();
      await h.delete();
      for (const r of x.info.runningActions) await t.client.workflow.getHandle(r.workflow.workflowId).terminate('test done').catch(() => {});
    }
  });

  it('TERMINATE_OTHER terminates the open run; CANCEL_OTHER cancels it; then the new one starts', async () => {
    for (const [overlap, status] of [[ScheduleOverlapPolicy.TERMINATE_OTHER, 'TERMINATED'], [ScheduleOverlapPolicy.CANCEL_OTHER, 'CANCELLED']] as const) {
      const h = await t.client.schedule.create({
        scheduleId: `ovl-${uid()}`, spec: { intervals: [{ every: '2s' }] }, policies: { overlap },
        action: { type: 'startWorkflow', workflowType: 'cancellableWorkflow', taskQueue, workflowId: `ovl-${uid()}` },
      });
      const d = await waitFor(`two actions under ${overlap}`, async () => { const x = await h.describe(); return x.info.numActionsTaken >= 2 && x; });
      await h.delete();
      const firstId = d.info.recentActions[0]!.action.workflow.workflowId;
      const desc = await waitFor('the first run closed', async () => { const x = await t.client.workflow.getHandle(firstId).describe(); return x.status.name !== 'RUNNING' && x; });
      expect(desc.status.name).toBe(status);
      expect(d.info.runningActions.length).toBeLessThanOrEqual(1);
      for (const a of d.info.recentActions) await t.client.workflow.getHandle(a.action.workflow.workflowId).terminate('test done').catch(() => {});
    }
  });

  it('ALLOW_ALL starts every time even while runs are open', async () => {
    const h = await t.client.schedule.create({
      scheduleId: `all-${uid()}`, spec: { intervals: [{ every: '1s' }] }, policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      action: { type: 'startWorkflow', workflowType: 'waitForApproval', taskQueue, workflowId: `all-${uid()}`, args: [600_000] },
    });
    const d = await waitFor('three concurrent runs', async () => { const x = await h.describe(); return x.info.numActionsTaken >= 3 && x; });
    await h.delete();
    expect(d.info.numActionsSkippedOverlap).toBe(0);
    const open = await Promise.all(d.info.recentActions.map(async (a) => (await t.client.workflow.getHandle(a.action.workflow.workflowId).describe()).status.name));
    expect(open.filter((s) => s === 'RUNNING').length).toBeGreaterThanOrEqual(3);
    for (const a of d.info.recentActions) await t.client.workflow.getHandle(a.action.workflow.workflowId).terminate('test done').catch(() => {});
  });

  it('pause takes no scheduled actions, trigger runs anyway, unpause resumes', async () => {
    const workflowId = `pz-${uid()}`;
    const h = await t.client.schedule.create({ scheduleId: `pz-${uid()}`, spec: { intervals: [{ every: '1s' }] }, action: { ...idle, workflowId }, state: { paused: true } });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await h.describe()).info.numActionsTaken).toBe(0);
    await h.trigger();
    const d = await waitFor('the triggered action', async () => { const x = await h.describe(); return x.info.numActionsTaken === 1 && x; });
    expect(d.info.recentActions[0]!.action.workflow.workflowId.startsWith(`${workflowId}-`)).toBe(true);
    await h.unpause('go');
    const u = await waitFor('actions after unpause', async () => { const x = await h.describe(); return x.info.numActionsTaken >= 3 && x; });
    expect(u.state.paused).toBe(false);
    expect(u.state.note).toBe('go');
    await h.delete();
  });

  it('backfill runs the times of a past range (its start included) with the ids of their nominal times', async () => {
    const workflowId = `bf-${uid()}`;
    const h = await t.client.schedule.create({ scheduleId: `bf-${uid()}`, spec: { cronExpressions: ['0 * * * *'] }, action: { ...idle, workflowId }, state: { paused: true } });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await h.backfill({ start: new Date(hour - 5 * 3_600_000), end: new Date(hour - 2 * 3_600_000), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
    const d = await waitFor('the backfilled actions', async () => { const x = await h.describe(); return x.info.numActionsTaken >= 4 && x; });
    await new Promise((r) => setTimeout(r, 1000));
    const after = await h.describe();
    await h.delete();
    expect(after.info.numActionsTaken).toBe(4);
    const ids = d.info.recentActions.map((a) => a.action.workflow.workflowId).sort();
    expect(ids).toEqual([5, 4, 3, 2].map((k) => `${workflowId}-${new Date(hour - k * 3_600_000).toISOString().replace('.000Z', 'Z')}`));
  });

  it('remaining actions: stops after the limit; update replaces the spec; jitter stays within its bound', async () => {
    const h = await t.client.schedule.create({ scheduleId: `lim-${uid()}`, spec: { intervals: [{ every: '1s' }] }, action: { ...idle, workflowId: `lim-${uid()}` }, state: { remainingActions: 2 } });
    await waitFor('two actions', async () => (await h.describe()).info.numActionsTaken === 2);
    await new Promise((r) => setTimeout(r, 2500));
    const d = await h.describe();
    expect(d.info.numActionsTaken).toBe(2);
    expect(d.state.remainingActions).toBe(0);
    expect(d.info.nextActionTimes).toEqual([]);
    await h.update((prev) => ({ ...prev, spec: { intervals: [{ every: '1h' }], jitter: '10m' }, state: { ...prev.state, remainingActions: 5 } }));
    const u = await h.describe();
    expect(u.spec.intervals).toMatchObject([{ every: 3_600_000 }]);
    expect(u.spec.jitter).toBe(600_000);
    expect(u.info.nextActionTimes).toHaveLength(5);
    expect(u.info.lastUpdatedAt).toBeInstanceOf(Date);
    for (const n of u.info.nextActionTimes) {
      const nominal = Math.floor(n.getTime() / 3_600_000) * 3_600_000;
      expect(n.getTime() - nominal).toBeLessThan(600_000);
    }
    await h.delete();
  });
});

function startCli(port: number, db: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--port', String(port), '--db', db], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('listening on')) resolve(p); });
    p.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    p.on('exit', (code) => reject(new Error(`temporal-lite exited with ${code}: ${out}`)));
  });
}

describe.skipIf(onDev)('schedules on temporal-lite: restarts, catch-up window, time skipping', () => {
  it('SIGKILL while a schedule fires every second: after the restart it goes on, no nominal time started twice', async () => {
    installRuntime();
    const testDb = testDriver() === 'postgres' ? await createTestDb({ migrate: false }) : undefined;
    const folder = testDb ? undefined : mkdtempSync(join(tmpdir(), 'tl-sched-'));
    const dbArg = testDb?.url ?? folder!;
    const port = await freePort();
    let proc = await startCli(port, dbArg);
    const address = `127.0.0.1:${port}`;
    let connection = await Connection.connect({ address });
    try {
      let client = new Client({ connection });
      await client.schedule.create({
        scheduleId: 'killed', spec: { intervals: [{ every: '1s' }] }, policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        action: { type: 'startWorkflow', workflowType: 'hello', taskQueue: 'nobody-polls', workflowId: 'killed-wf' },
      });
      await waitFor('actions before the kill', async () => (await client.schedule.getHandle('killed').describe()).info.numActionsTaken >= 3);
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      await connection.close().catch(() => {});
      proc = await startCli(port, dbArg);
      connection = await Connection.connect({ address });
      client = new Client({ connection });
      const before = (await client.schedule.getHandle('killed').describe()).info.numActionsTaken;
      expect(before).toBeGreaterThanOrEqual(3);
      await waitFor('actions after the restart', async () => (await client.schedule.getHandle('killed').describe()).info.numActionsTaken >= before + 3);
      await client.schedule.getHandle('killed').pause();
      await new Promise((r) => setTimeout(r, 500));
      // every workflow the schedule started: one run per nominal second
      const runs: string[] = [];
      for await (const wf of client.workflow.list({ query: "WorkflowId STARTS_WITH 'killed-wf-'" })) runs.push(wf.workflowId);
      expect(runs.length).toBeGreaterThanOrEqual(before + 3);
      expect(new Set(runs).size).toBe(runs.length);
    } finally {
      await connection.close().catch(() => {});
      proc.kill('SIGKILL');
      if (folder) rmSync(folder, { recursive: true, force: true });
      await testDb?.cleanup();
    }
  });

  it('survives a restart: state, running actions and the timer are back; times missed beyond the catch-up window are counted', async () => {
    const h = await createHarness();
    try {
      await h.startWorker();
      const sc = h.client.schedule;
      const handle = await sc.create({
        scheduleId: 'durable', spec: { intervals: [{ every: '1s' }] }, policies: { catchupWindow: '10s', overlap: ScheduleOverlapPolicy.BUFFER_ALL },
        action: { type: 'startWorkflow', workflowType: 'hello', taskQueue: h.taskQueue, workflowId: 'durable-wf', args: ['x'] },
      });
      await waitFor('a first action', async () => (await handle.describe()).info.numActionsTaken >= 1);
      await h.server.stop();
      await new Promise((r) => setTimeout(r, 14_000));
      await h.restartServer();
      const d = await waitFor('actions after the restart', async () => {
        const x = await handle.describe();
        return x.info.numActionsMissedCatchupWindow >= 2 && x.info.numActionsTaken >= 8 && x;
      }, 90_000);
      // down ~14 s with a 10 s window: the oldest few missed, the last ~10 caught up
      expect(d.info.numActionsMissedCatchupWindow).toBeLessThanOrEqual(8);
      const ids = new Set(d.info.recentActions.map((a) => a.action.workflow.workflowId));
      expect(ids.size).toBe(d.info.recentActions.length);
    } finally {
      await h.close();
    }
  });

  it('time skipping drives schedules: sleeping 3 h fires an hourly schedule 3 times', async () => {
    const h = await createHarness({ timeSkipping: true });
    try {
      await h.startWorker();
      h.server.lockTimeSkipping();
      const hourAligned = Math.ceil(h.server.now() / 3_600_000) * 3_600_000;
      const handle = await h.client.schedule.create({
        scheduleId: 'skipped', spec: { cronExpressions: ['0 * * * *'] }, policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        action: { type: 'startWorkflow', workflowType: 'hello', taskQueue: h.taskQueue, workflowId: 'hourly', args: ['t'] },
      });
      await h.server.sleep(hourAligned - h.server.now() + 2 * 3_600_000 + 1000);
      const d = await waitFor('three hourly actions', async () => { const x = await handle.describe(); return x.info.numActionsTaken === 3 && x; });
      expect(d.info.recentActions.map((a) => a.scheduledAt.getTime())).toEqual([0, 1, 2].map((k) => hourAligned + k * 3_600_000));
      await expect(h.client.workflow.getHandle(`hourly-${new Date(hourAligned + 3 * 3_600_000).toISOString().replace('.000Z', 'Z')}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    } finally {
      h.server.unlockTimeSkipping();
      await h.close();
    }
  });
});
