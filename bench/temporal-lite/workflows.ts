import { proxyActivities } from '@temporalio/workflow';
import type * as acts from './activities.js';

const { work } = proxyActivities<typeof acts>({ startToCloseTimeout: '30s' });

export async function oneActivity(i: number): Promise<number> {
  return await work(i);
}
