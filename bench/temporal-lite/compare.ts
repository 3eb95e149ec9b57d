/**
 * Side by side: the same workload (N workflows of one activity each, the SDK worker and client
 * in this process) against temporal-lite on PGlite, temporal-lite on PostgreSQL and the real
 * Temporal CLI dev server (`temporal server start-dev`, SQLite in memory), each server its own
 * process started fresh for each run, the targets alternating round by round. Prints
 * workflows/s, p50/p99 start→close (server-recorded), the server process's CPU per workflow
 * (utime + stime of /proc/<pid>/stat over the measured batch) and the ratios to the dev server.
 *   pnpm bench temporal-lite [N=1000] [concurrent starts=50]
 *   BENCH_ROUNDS=2 (rounds of alternation), BENCH_TARGETS=pglite,postgres,dev,
 *   DATABASE_URL=postgres://… for the PostgreSQL target (default postgres://postgres@127.0.0.1:5432/postgres),
 *   TEMPORAL_CLI=/path/to/temporal
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createTestDb } from '@nudge/db/testing';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import * as activities from './activities.js';

const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGETS = (process.env.BENCH_TARGETS ?? 'pglite,postgres,dev').split(',') as Target[];
const CLI = process.env.TEMPORAL_CLI ?? '/root/.pyenv/versions/3.11.7/bin/temporal';
const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const liteDir = fileURLToPath(new URL('../../packages/temporal-lite/', import.meta.url));
type Target = 'pglite' | 'postgres' | 'dev';
const label: Record<Target, string> = { pglite: 'temporal-lite (PGlite)', postgres: 'temporal-lite (PostgreSQL)', dev: 'Temporal CLI dev server' };

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
});
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  logger: new DefaultLogger('ERROR'),
});

/** utime + stime of a process (all its threads), ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // USER_HZ = 100
}

async function waitReady(address: string, proc: ChildProcess, out: () => string) {
  const until = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${out()}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      await c.workflowService.getSystemInfo({});
      await c.close();
      return;
    } catch {
      if (Date.now() > until) throw new Error(`server at ${address} did not answer: ${out()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function startServer(target: Target, port: number): Promise<{ address: string; pid: number; stop: () => Promise<void> }> {
  let args: string[];
  let cmd: string;
  let cleanup = async () => {};
  if (target === 'dev') {
    cmd = CLI;
    args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(port + 1),
      '--http-port', String(port + 2), '--metrics-port', String(port + 3), '--log-level', 'error'];
  } else {
    let db: string;
    if (target === 'pglite') {
      db = mkdtempSync(join(tmpdir(), 'bench-tl-'));
      cleanup = async () => rmSync(db, { recursive: true, force: true });
    } else {
      // a fresh database on the server (createTestDb makes one per call on DATABASE_URL's server)
      const saved = process.env.DATABASE_URL;
      process.env.DATABASE_URL = PG;
      const tdb = await createTestDb({ migrate: false });
      process.env.DATABASE_URL = saved;
      db = tdb.url;
      cleanup = async () => { await tdb.cleanup().catch(() => {}); };
    }
    cmd = process.execPath;
    args = ['--import', 'tsx', 'src/cli.ts', '--port', String(port), '--db', db];
  }
  const proc = spawn(cmd, args, { cwd: liteDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  proc.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const address = `127.0.0.1:${port}`;
  await waitReady(address, proc, () => out);
  return {
    address, pid: proc.pid!,
    async stop() {
      proc.kill('SIGKILL');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      await cleanup();
    },
  };
}

interface Result { target: Target; wfPerS: number; p50: number; p99: number; serverCpuMs: number }

async function runOnce(target: Target, port: number): Promise<Result> {
  const server = await startServer(target, port);
  const nc = await NativeConnection.connect({ address: server.address });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const worker = await Worker.create({
    connection: nc, taskQueue, workflowBundle, activities,
    maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200, maxCachedWorkflows: 2000, workflowThreadPoolSize: 2,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const batch = async (count: number, prefix: string) => {
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const i = next++;
        await client.workflow.start('oneActivity', { taskQueue, workflowId: `${prefix}-${i}`, args: [i] });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
    // the dev server's visibility is eventually consistent: wait until it lists them all closed
    const query = `WorkflowId STARTS_WITH '${prefix}-' AND ExecutionStatus = 'Completed'`;
    while ((await client.workflow.count(query)).count < count) await new Promise((r) => setTimeout(r, 250));
    const lat: number[] = [];
    let lastClose = 0;
    for await (const wf of client.workflow.list({ query, pageSize: 1000 })) {
      lat.push(wf.closeTime!.getTime() - wf.startTime.getTime());
      lastClose = Math.max(lastClose, wf.closeTime!.getTime());
    }
    return { lat, lastClose };
  };
  try {
    await batch(Math.min(200, N), 'warmup');
    const cpu0 = cpuMs(server.pid);
    const wall0 = Date.now();
    const { lat, lastClose } = await batch(N, 'bench');
    const serverCpu = cpuMs(server.pid) - cpu0;
    lat.sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
    return { target, wfPerS: N / ((lastClose - wall0) / 1000), p50: pct(50), p99: pct(99), serverCpuMs: serverCpu / N };
  } finally {
    worker.shutdown();
    await running.catch(() => {});
    await nc.close().catch(() => {});
    await connection.close().catch(() => {});
    await server.stop();
  }
}

console.log(`side by side: ${N} workflows (1 activity each), ${CONCURRENCY} concurrent starts, ${ROUNDS} round(s) of ${TARGETS.join(' → ')}; each server its own process`);
const results: Result[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const [i, target] of TARGETS.entries()) {
    const r = await runOnce(target, 17340 + i * 8 + (round % 2) * 4);
    results.push(r);
    console.log(`  round ${round} ${label[target].padEnd(27)} ${r.wfPerS.toFixed(1).padStart(7)} wf/s   p50 ${String(r.p50).padStart(5)} ms   p99 ${String(r.p99).padStart(6)} ms   server CPU ${r.serverCpuMs.toFixed(2)} ms/wf`);
  }
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const summary = new Map<Target, { wfPerS: number; p50: number; p99: number; cpu: number }>();
for (const target of TARGETS) {
  const rs = results.filter((r) => r.target === target);
  summary.set(target, { wfPerS: median(rs.map((r) => r.wfPerS)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cpu: median(rs.map((r) => r.serverCpuMs)) });
}
console.log(`\nmedians over ${ROUNDS} round(s)${summary.has('dev') ? ', ratios against the dev server (throughput: higher is better; latency and CPU: lower is better)' : ''}:`);
const dev = summary.get('dev');
for (const [target, s] of summary) {
  const ratio = dev && target !== 'dev'
    ? `   ×${(s.wfPerS / dev.wfPerS).toFixed(2)} throughput, ×${(s.p50 / dev.p50).toFixed(2)} p50, ×${(s.p99 / dev.p99).toFixed(2)} p99, ×${(s.cpu / dev.cpu).toFixed(2)} server CPU`
    : '';
  console.log(`  ${label[target].padEnd(27)} ${s.wfPerS.toFixed(1).padStart(7)} wf/s   p50 ${String(s.p50).padStart(5)} ms   p99 ${String(s.p99).padStart(6)} ms   server CPU ${s.cpu.toFixed(2)} ms/wf${ratio}`);
}
process.exit(0);
