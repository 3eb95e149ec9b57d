// Workflows started by Temporal schedules (see schedules.ts). Sandbox code: `import type` only.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ScheduleActivities } from './schedules.js';

const acts = proxyActivities<ScheduleActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 5 } });

/**
 * One tick of a flow's schedule. A scheduled workflow's id ends with its nominal time
 * (`<id>-YYYY-MM-DDTHH:MM:SSZ`, on temporal-lite and a real server alike): the enrollment key.
 */
export async function flowScheduleTick(input: { flowId: string }): Promise<{ started: number; matched: number }> {
  const id = workflowInfo().workflowId;
  const nominal = id.slice(-20);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(nominal)) throw new Error(`flowScheduleTick: workflow id ${id} carries no nominal time`);
  const r = await acts.flowScheduleTick(input.flowId, nominal);
  return { started: r.started, matched: r.matched };
}

/** The segment-entry / birthday / date-field sweeps that are due. */
export async function flowSweep(): Promise<{ flows: number; started: number }> {
  const r = await acts.flowSweepDue();
  return { flows: r.flows, started: r.started };
}
