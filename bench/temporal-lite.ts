/**
 * Benchmark: N workflows of one activity each on temporal-lite, with the official SDK worker and
 * client in this process. Prints workflows/s and p50/p99 start-to-completion latency.
 *   pnpm bench temporal-lite [N] [concurrent starts]   (DATABASE_URL=postgres://… for PostgreSQL)
 * Latency is start→close as recorded by the server (visibility), throughput is N / wall time from
 * the first start to the last close.
 * Where the time goes:
 *   BENCH_THREAD=1    temporal-lite in a worker thread of this process, with its own connection
 *   BENCH_ADDRESS=h:p measure against a temporal-lite (or Temporal) in another process: the CPU
 *                     printed is then the SDK's alone (worker, client, activities)
 *   BENCH_TIDS=1      CPU per thread id instead of per thread name
 *   BENCH_WF_THREADS, BENCH_WFT_POLLS, BENCH_AT_POLLS   worker tuning (default 2 threads, SDK polls)
 */
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { createTestDb } from '@nudge/db/testing';
import { startTemporalLite } from '@nudge/temporal-lite';
import * as activities from './temporal-lite/activities.js';

const require = createRequire(import.meta.url);
// without BENCH_ADDRESS / BENCH_THREAD / BENCH_SINGLE: temporal-lite (PGlite, PostgreSQL) and the
// real CLI dev server side by side, each its own process (temporal-lite/compare.ts)
if (!process.env.BENCH_ADDRESS && !process.env.BENCH_THREAD && !process.env.BENCH_SINGLE) {
  await import('./temporal-lite/compare.js');
}
const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 50);

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
});

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
  // two workflow threads, as the product's flow worker uses on 2 cores: one keeps ~80 % of them busy, two ~90 %
  workflowThreadPoolSize: Number(process.env.BENCH_WF_THREADS ?? 2),
  ...(process.env.BENCH_WFT_POLLS ? { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: Number(process.env.BENCH_WFT_POLLS) } } : {}),
  ...(process.env.BENCH_AT_POLLS ? { activityTaskPollerBehavior: { type: 'simple-maximum', maximum: Number(process.env.BENCH_AT_POLLS) } } : {}),
});
const running = worker.run();
const connection = await Connection.connect({ address });
const client = new Client({ connection });

/**
 * Starts `count` workflows (at most CONCURRENCY start calls in flight), waits until all are
 * closed, and reads each one's start→close latency from visibility — the way Temporal's own load
 * tools measure, without a result long-poll per workflow on the client.
 */
async function runBatch(count: number, prefix: string): Promise<{ latencies: number[]; lastClose: number }> {
  let next = 0;
  async function lane() {
    while (next < count) {
      const i = next++;
      await client.workflow.start('oneActivity', { taskQueue: 'bench', workflowId: `${prefix}-${i}`, args: [i] });
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
  // a visibility count every 250 ms (a count scans the executions table: polling it often would
  // load the server being measured); the batch's end is the last close time, not the poll's
  const query = `WorkflowId STARTS_WITH '${prefix}-' AND ExecutionStatus = 'Completed'`;
  while ((await client.workflow.count(query)).count < count) await new Promise((r) => setTimeout(r, 250));
  const latencies: number[] = [];
  let lastClose = 0;
  for await (const wf of client.workflow.list({ query, pageSize: 1000 })) {
    latencies.push(wf.closeTime!.getTime() - wf.startTime.getTime());
    lastClose = Math.max(lastClose, wf.closeTime!.getTime());
  }
  return { latencies, lastClose };
}

await runBatch(Math.min(200, N), 'warmup');
const threads0 = threadTimes();
const cpu0 = process.cpuUsage();
const mark0 = process.hrtime.bigint();
const wall0 = Date.now();
const { latencies: lat, lastClose } = await runBatch(N, 'bench');
if (process.env.PROFILE_MARKS) (await import('node:fs')).writeFileSync(process.env.PROFILE_MARKS, JSON.stringify([Number(mark0 / 1000n), Number(process.hrtime.bigint() / 1000n)]));
const seconds = (lastClose - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuMsPerWf = (cpu.user + cpu.system) / 1000 / N;
const threadCpu = diffThreads(threads0, threadTimes());
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(1);
console.log(`temporal-lite on ${db?.driver ?? external}${threaded ? ' (server in a worker thread)' : ''}: ${N} workflows (1 activity each), ${CONCURRENCY} concurrent starts`);
console.log(`  throughput: ${(N / seconds).toFixed(1)} workflows/s  (${seconds.toFixed(2)} s)`);
console.log(`  latency start→completion: p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
const cores = availableParallelism();
if (external) {
  // the server runs in another process: this process is the SDK alone (worker + client + activity)
  console.log(`  CPU of the SDK alone (worker, client, activities; the server is another process): ${cpuMsPerWf.toFixed(2)} ms per workflow`);
  console.log(`    → even with a server costing nothing, ${cores} fully used cores would run at most ${Math.round((cores * 1000) / cpuMsPerWf)} workflows/s here`);
} else {
  console.log(`  CPU: ${cpuMsPerWf.toFixed(2)} ms per workflow (server + worker + client threads of this process) → at most ${Math.round((cores * 1000) / cpuMsPerWf)}/s on ${cores} fully used cores; used ${(((cpuMsPerWf * N) / 1000 / seconds / cores) * 100).toFixed(0)} % of them`);
}
if (threadCpu) console.log(`  CPU per workflow by thread: ${threadCpu.map(([name, ms]) => `${name} ${(ms / N).toFixed(2)} ms`).join(', ')}`);
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

/** CPU time (ms) of each thread of this process by thread name, from /proc (Linux only). */
function threadTimes(): Map<string, number> | undefined {
  try {
    const fs = require('node:fs') as typeof import('node:fs');
    const tick = 10; // USER_HZ = 100 on Linux
    const out = new Map<string, number>();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      out.set(`${name}#${tid}`, ms);
    }
    return out;
  } catch { return undefined; }
}
function diffThreads(a: Map<string, number> | undefined, b: Map<string, number> | undefined): Array<[string, number]> | undefined {
  if (!a || !b) return undefined;
  const byName = new Map<string, number>();
  for (const [key, ms] of b) {
    const name = process.env.BENCH_TIDS ? key : key.slice(0, key.lastIndexOf('#')).replace(/[-#:]?\d+$/, '');
    byName.set(name, (byName.get(name) ?? 0) + ms - (a.get(key) ?? 0));
  }
  return [...byName].filter(([, ms]) => ms > 0).sort((x, y) => y[1] - x[1]);
}
