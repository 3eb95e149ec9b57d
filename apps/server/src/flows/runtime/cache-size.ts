/**
 * How many workflows the SDK worker keeps in its sticky cache. Each cached flow run costs about
 * 1.4 MiB of the process's memory on SDK 1.24 (`pnpm bench worker-cache`: 1,399–1,421 KiB per
 * waiting run), and a waiting run stays cached until it is pushed out — so the old fixed 1,000
 * meant up to 1.4 GB for runs that only sleep. The cache gets a memory budget instead:
 * NUDGE_WORKFLOW_CACHE_MB, default 256 MB (never more than 1/8 of the machine's or container's
 * memory), i.e. ~180 runs. A run pushed out is replayed from its history when it wakes (CPU once
 * per wake), nothing is lost.
 */
import { totalmem } from 'node:os';
import { processEnv, setting, type Env } from '../../config.js';

export const CACHED_WORKFLOW_MIB = 1.4;
const MIB = 1_048_576;

export function workflowCacheSize(env: Env = processEnv, memoryBytes = availableMemory()): number {
  const budgetMib = setting('NUDGE_WORKFLOW_CACHE_MB', env) ?? Math.min(256, memoryBytes / MIB / 8);
  return Math.max(20, Math.floor(budgetMib / CACHED_WORKFLOW_MIB));
}

function availableMemory(): number {
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return limit && limit > 0 ? Math.min(limit, totalmem()) : totalmem();
}
