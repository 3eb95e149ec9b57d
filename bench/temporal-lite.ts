/**
 * Benchmark: N workflows of one activity each on temporal-lite, with the official SDK worker and
 * client in this process. Prints workflows/s and p50/p99 start-to-completion latency.
 *   pnpm bench temporal-lite [N] [concurrent starts]   (DATABASE_URL=postgres://… for PostgreSQL)
 * Latency is start→close as recorded by the server (visibility), throughput is N / wall time from
 * the first start to the last close.
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { createTestDb } from '@nudge/db/testing';
import { startTemporalLite } from '@nudge/temporal-lite';
import * as activities from './temporal-lite/activities.js';

const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 50);

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
});

// BENCH_ADDRESS: measure a temporal-lite (or Temporal) running in another process instead
// BENCH_THREAD=1: temporal-lite in a worker thread of this process, with its own connection
const external = process.env.BENCH_ADDRESS;
const threaded = process.env.BENCH_THREAD === '1';
const db = external ? undefined : await createTestDb({ migrate: false });
const server = external || threaded ? undefined : await startTemporalLite({ db, port: 0 });
const threadServer = !external && threaded
  ? await startTemporalLite({ thread: true, dbUrl: db!.driver === 'postgres' ? db!.url : 'memory://', port: 0 })
  : undefined;
const address = external ?? server?.address ?? threadServer!.address;
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./temporal-lite/workflows.ts', import.meta.url)),
  logger: new DefaultLogger('ERROR'),
});
const nc = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection: nc, taskQueue: 'bench', workflowBundle, activities,
  maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200, maxCachedWorkflows: 2000,
});
const running = worker.run();
const connection = await Connection.connect({ address });
const client = new Client({ connection });

/**
 * Starts `count` workflows (at most CONCURRENCY start calls in flight), waits until all are
 * closed, and reads each one's start→close latency from visibility — the way Temporal's own load
 * tools measure, without a result long-poll per workflow on the client.
 */
async function runBatch(count: number, prefix: string): Promise<number[]> {
  let next = 0;
  async function lane() {
    while (next < count) {
      const i = next++;
      await client.workflow.start('oneActivity', { taskQueue: 'bench', workflowId: `${prefix}-${i}`, args: [i] });
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
  const query = `WorkflowId STARTS_WITH '${prefix}-' AND ExecutionStatus = 'Completed'`;
  while ((await client.workflow.count(query)).count < count) await new Promise((r) => setTimeout(r, 20));
  const latencies: number[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 1000 })) latencies.push(wf.closeTime!.getTime() - wf.startTime.getTime());
  return latencies;
}

await runBatch(Math.min(200, N), 'warmup');
const cpu0 = process.cpuUsage();
const mark0 = process.hrtime.bigint();
const t0 = performance.now();
const lat = await runBatch(N, 'bench');
if (process.env.PROFILE_MARKS) (await import('node:fs')).writeFileSync(process.env.PROFILE_MARKS, JSON.stringify([Number(mark0 / 1000n), Number(process.hrtime.bigint() / 1000n)]));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuMsPerWf = (cpu.user + cpu.system) / 1000 / N;
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(1);
console.log(`temporal-lite on ${db?.driver ?? external}${threaded ? ' (server in a worker thread)' : ''}: ${N} workflows (1 activity each), ${CONCURRENCY} concurrent starts`);
console.log(`  throughput: ${(N / seconds).toFixed(1)} workflows/s  (${seconds.toFixed(2)} s)`);
console.log(`  latency start→completion: p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
console.log(`  CPU: ${cpuMsPerWf.toFixed(2)} ms per workflow (server + worker + client threads of this process) → a ${Math.round(1000 / cpuMsPerWf)}/s ceiling per fully used core`);
console.log(`  baseline: the in-memory prototype reached ~100 workflows/s → ratio ${((N / seconds) / 100).toFixed(2)}x`);

// latency without queueing: a few workflows at a time, each awaited by its client
const light: number[] = [];
let k = 0;
await Promise.all(Array.from({ length: 5 }, async () => {
  while (k < 200) {
    const i = k++;
    const t = performance.now();
    await client.workflow.execute('oneActivity', { taskQueue: 'bench', workflowId: `light-${i}`, args: [i] });
    light.push(performance.now() - t);
  }
}));
light.sort((a, b) => a - b);
console.log(`  latency at light load (5 at a time, client-measured): p50 ${light[100]!.toFixed(1)} ms, p99 ${light[197]!.toFixed(1)} ms`);
const stats = server ? server.engine.stats : threadServer ? await threadServer.stats() : undefined;
if (stats) console.log(`  commits: ${stats.commits}, execution rows written: ${stats.rows}, eager activities: ${stats.eagerActivities}, workflow tasks sticky/normal: ${stats.stickyTasks}/${stats.normalTasks}`);
worker.shutdown();
await running;
await nc.close();
await connection.close();
await server?.stop();
await threadServer?.stop();
await db?.cleanup();
