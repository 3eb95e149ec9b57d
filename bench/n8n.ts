/**
 * Nudge's webhook path side by side with n8n, in alternating runs, printing the ratios (issue 13).
 *
 *   bench/n8n/install.sh                      (once: n8n 1.123 into $N8N_DIR, default ~/.cache/nudge-bench/n8n)
 *   N8N_DIR=… pnpm bench n8n [n=300] [concurrency=16] [shapes=1,20] [pairs=3]
 *   (with DATABASE_URL=postgres://… each round also runs Nudge on PostgreSQL)
 *
 * n8n runs as a child process (`n8n start`) on SQLite in a fresh N8N_USER_FOLDER under $N8N_DIR,
 * saving every execution (EXECUTIONS_DATA_SAVE_ON_SUCCESS=all), N8N_EXPRESSION_ENGINE=legacy,
 * telemetry, version checks and task runners off. Its workflows, "Webhook (respond immediately)
 * → N × Set" (each Set writes `note = "step i for {{ $json.body.name }}"`, keeping the other
 * fields — Nudge's add-note text), are imported and activated with n8n's own CLI before it starts.
 *
 * Each round is: Nudge (bench/webhook.ts in a child, PGlite data folder), n8n, [Nudge on
 * PostgreSQL, n8n]. Both sides get the same N POSTs at the same concurrency, the same body
 * ({ email, name }, a new one each) and an Idempotency-Key header, after a 50-request warm-up.
 * - executions/s = N / (first request sent → last execution finished). Both sides answer at once
 *   (Nudge 202 with the run id, n8n "respond immediately"), so for n8n "finished" is read from its
 *   own saved executions: the bench polls `execution_entity` (read-only) after the last answer
 *   until all N are stopped, and takes the last `stoppedAt`. Waiting for the answer instead
 *   ("respond when last node finishes") would cap n8n at `concurrency` executions in flight while
 *   Nudge queues runs behind its 202s; this way both are measured the same way.
 * - CPU ms per execution: user+system from /proc/<pid>/stat of n8n's process tree (children
 *   included) over the run / N. Nudge's figure is bench/webhook.ts's: the server's process alone,
 *   its load generator in a process of its own (since 2026-12-03; before, the client's CPU was
 *   counted for Nudge), and on PostgreSQL the database's CPU is not in it (n8n's SQLite is
 *   in-process, so it is) — bench/webhook.ts prints the PostgreSQL backends' CPU beside it.
 * - RSS: n8n's tree at rest (after start and warm-up, before each run) and the peak sampled every
 *   250 ms under load; Nudge's at rest (after start) and at the end of each shape.
 * Ratios are Nudge ÷ n8n per pair (the n8n run right after the Nudge run), median over pairs.
 * The machine is shared: the load average is printed beside the figures.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.argv[2] ?? 300);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const SHAPES = (process.argv[4] ?? '1,20').split(',').map(Number);
const PAIRS = Number(process.argv[5] ?? 3);
const N8N_DIR = process.env.N8N_DIR ?? join(homedir(), '.cache', 'nudge-bench', 'n8n');
const N8N_PORT = Number(process.env.N8N_BENCH_PORT ?? 5699);
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const n8nBin = join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');

if (!existsSync(n8nBin)) {
  console.log(`n8n is not installed at ${N8N_DIR} (no ${n8nBin}).\nInstall it with bench/n8n/install.sh (N8N_DIR=… to choose the folder), then rerun.`);
  process.exit(2);
}
const n8nVersion = JSON.parse(readFileSync(join(N8N_DIR, 'node_modules', 'n8n', 'package.json'), 'utf8')).version as string;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

// ---------- /proc: CPU and RSS of a process tree ----------
const TICKS = 100; // USER_HZ
function treePids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}
/** user+system ms of the tree, waited-for dead children included (cutime/cstime) */
function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of treePids(root)) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      /* gone */
    }
  }
  return (ticks * 1000) / TICKS;
}
function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of treePids(root)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

// ---------- n8n ----------
const userFolder = join(N8N_DIR, `bench-${process.pid}`);
rmSync(userFolder, { recursive: true, force: true });
mkdirSync(userFolder, { recursive: true });
const n8nEnv: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: undefined,
  N8N_USER_FOLDER: userFolder,
  DB_TYPE: 'sqlite',
  N8N_EXPRESSION_ENGINE: 'legacy',
  EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
  EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
  EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
  EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
  EXECUTIONS_DATA_PRUNE: 'false',
  N8N_PORT: String(N8N_PORT),
  N8N_LISTEN_ADDRESS: '127.0.0.1',
  N8N_HOST: '127.0.0.1',
  N8N_DIAGNOSTICS_ENABLED: 'false',
  N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
  N8N_TEMPLATES_ENABLED: 'false',
  N8N_PERSONALIZATION_ENABLED: 'false',
  N8N_HIRING_BANNER_ENABLED: 'false',
  N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
  N8N_RUNNERS_ENABLED: 'false',
  N8N_SECURE_COOKIE: 'false',
  N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
  N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'warn',
  EXTERNAL_FRONTEND_HOOKS_URLS: '',
  N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
  N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
  NODE_ENV: 'production',
};

const hookPath = (steps: number) => `nudge-bench-${steps}`;
function workflowOf(steps: number) {
  const webhook = {
    id: 'webhook',
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId: `0000000-bench-${steps}`,
    parameters: { httpMethod: 'POST', path: hookPath(steps), responseMode: 'onReceived', options: {} },
  };
  const sets = Array.from({ length: steps }, (_, i) => ({
    id: `set${i}`,
    name: `Set ${i}`,
    type: 'n8n-nodes-base.set',
    typeVersion: 3.4,
    position: [200 * (i + 1), 0],
    parameters: {
      mode: 'manual',
      assignments: { assignments: [{ id: `a${i}`, name: 'note', value: `=step ${i} for {{ $json.body.name }}`, type: 'string' }] },
      includeOtherFields: true,
      options: {},
    },
  }));
  const names = [webhook.name, ...sets.map((s) => s.name)];
  const connections = Object.fromEntries(names.slice(0, -1).map((from, i) => [from, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
  return { id: `nudgeBench${String(steps).padStart(4, '0')}`, name: `Nudge bench ${steps} steps`, active: true, nodes: [webhook, ...sets], connections, settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' } };
}

function n8nCli(...args: string[]) {
  const r = spawnSync(process.execPath, [n8nBin, ...args], { env: n8nEnv, cwd: N8N_DIR, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`n8n ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}
const shapesAll = [...new Set([1, ...SHAPES])];
const wfFile = join(userFolder, 'workflows.json');
writeFileSync(wfFile, JSON.stringify(shapesAll.map(workflowOf)));
console.log(`n8n ${n8nVersion} (${N8N_DIR}): importing ${shapesAll.map((s) => `${s}-step`).join(', ')} workflows…`);
n8nCli('import:workflow', `--input=${wfFile}`);
n8nCli('update:workflow', '--all', '--active=true');

const n8n: ChildProcess = spawn(process.execPath, [n8nBin, 'start'], { env: n8nEnv, cwd: N8N_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
let n8nLog = '';
n8n.stdout!.on('data', (d) => (n8nLog += d));
n8n.stderr!.on('data', (d) => (n8nLog += d));
n8n.on('exit', (code) => {
  if (!stopping) {
    console.error(`n8n exited (${code}):\n${n8nLog.slice(-4000)}`);
    process.exit(1);
  }
});
let stopping = false;
const stopN8n = async () => {
  stopping = true;
  if (n8n.exitCode === null) {
    n8n.kill('SIGTERM');
    await Promise.race([new Promise((r) => n8n.once('exit', r)), new Promise((r) => setTimeout(r, 15_000))]);
    if (n8n.exitCode === null) n8n.kill('SIGKILL');
  }
  if (!process.env.BENCH_KEEP) rmSync(userFolder, { recursive: true, force: true });
};
process.on('exit', () => n8n.exitCode === null && n8n.kill('SIGKILL')); // never leave it behind, even on an error
process.on('SIGINT', () => void stopN8n().then(() => process.exit(130)));

const n8nBase = `http://127.0.0.1:${N8N_PORT}`;
const t0Start = performance.now();
// ready = every shape's webhook answers 200 three times in a row, 0.5 s apart: n8n 1.123 may serve a
// webhook once, then 404s for a moment while it activates the workflows at start
for (let ok = 0; ok < 3; ) {
  try {
    const codes = await Promise.all(shapesAll.map(async (steps) => (await fetch(`${n8nBase}/webhook/${hookPath(steps)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"probe"}' })).status));
    ok = codes.every((c) => c === 200) ? ok + 1 : 0;
  } catch {
    ok = 0; /* not listening yet */
  }
  if (ok === 3) break;
  if (performance.now() - t0Start > 180_000) throw new Error(`n8n did not serve its webhook in 180 s:\n${n8nLog.slice(-4000)}`);
  await new Promise((r) => setTimeout(r, 500));
}
console.log(`n8n ready in ${((performance.now() - t0Start) / 1000).toFixed(1)} s, pid ${n8n.pid}, RSS ${treeRssMb(n8n.pid!).toFixed(0)} MB`);

// n8n's SQLite, read-only, through the sqlite3 module n8n itself uses
const require = createRequire(join(N8N_DIR, 'node_modules', 'n8n', 'package.json'));
const sqlite3 = require('sqlite3');
const sqlite = new sqlite3.Database(join(userFolder, '.n8n', 'database.sqlite'), sqlite3.OPEN_READONLY);
sqlite.configure('busyTimeout', 5000);
const sqlGet = (sql: string, params: unknown[]) =>
  new Promise<any>((resolve, reject) => sqlite.get(sql, params, (err: Error | null, row: any) => (err ? reject(err) : resolve(row))));
const sqliteTimeMs = (t: string | number) => (typeof t === 'number' ? t : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.replace(' ', 'T')}Z`));

interface Run {
  executionsPerSecond: number;
  cpuMs: number;
  rssAtRest: number;
  rssPeak: number;
  p50?: number;
  p99?: number;
}

let runNo = 0;
async function n8nShape(steps: number, n: number): Promise<Run> {
  const label = `r${runNo++}`;
  const workflowId = workflowOf(steps).id;
  const { maxId } = await sqlGet('select coalesce(max(id), 0) as maxId from execution_entity', []);
  const pid = n8n.pid!;
  const rssAtRest = treeRssMb(pid);
  let rssPeak = rssAtRest;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, treeRssMb(pid))), 250);
  const cpu0 = treeCpuMs(pid);
  const wall0 = Date.now();
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(`${n8nBase}/webhook/${hookPath(steps)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `${label}-${i}` },
          body: JSON.stringify({ email: `${label}-${i}@example.com`, name: `Bench ${i}` }),
        });
        const text = await res.text();
        if (res.status !== 200 && !refused++) console.log(`   n8n answered ${res.status}: ${text.slice(0, 300)}`);
      }
    }),
  );
  let row: { done: number; failed: number; last: string | number | null };
  for (;;) {
    row = await sqlGet(
      `select count(*) as done, sum(case when status = 'success' then 0 else 1 end) as failed, max(stoppedAt) as last from execution_entity where workflowId = ? and id > ? and stoppedAt is not null`,
      [workflowId, maxId],
    );
    if (refused >= n) throw new Error(`n8n refused all ${n} requests of the ${steps}-step shape:\n${n8nLog.slice(-2000)}`);
    if (row.done >= n - refused && row.last) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu = treeCpuMs(pid) - cpu0;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, treeRssMb(pid));
  const seconds = (sqliteTimeMs(row.last!) - wall0) / 1000;
  if (refused || row.failed) console.log(`   n8n: ${refused} requests not 200, ${row.failed} executions not successful`);
  return { executionsPerSecond: n / seconds, cpuMs: cpu / n, rssAtRest, rssPeak };
}

async function n8nRun(): Promise<Record<number, Run>> {
  const out: Record<number, Run> = {};
  for (const steps of SHAPES) out[steps] = await n8nShape(steps, N);
  return out;
}

// ---------- Nudge: bench/webhook.ts in a child ----------
async function nudgeRun(databaseUrl: string | undefined): Promise<Record<number, Run>> {
  const env = { ...process.env, BENCH_JSON: '1', DATABASE_URL: databaseUrl, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' }; // as `pnpm start` runs
  if (!databaseUrl) delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'webhook.ts'), String(N), String(CONCURRENCY), SHAPES.join(',')], { env, cwd: benchDir, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`bench/webhook.ts failed (${code}):\n${out.slice(-3000)}`);
  const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as { rssAtRest: number; shapes: Record<string, { executionsPerSecond: number; cpuMs: number; p50: number; p99: number; rssEnd: number }> };
  return Object.fromEntries(Object.entries(r.shapes).map(([k, v]) => [Number(k), { executionsPerSecond: v.executionsPerSecond, cpuMs: v.cpuMs, rssAtRest: r.rssAtRest, rssPeak: v.rssEnd, p50: v.p50, p99: v.p99 }]));
}

const fmt = (r: Run) => `${r.executionsPerSecond.toFixed(1)} exec/s, CPU ${r.cpuMs.toFixed(1)} ms/exec, RSS ${r.rssAtRest.toFixed(0)} → ${r.rssPeak.toFixed(0)} MB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// warm-up n8n as webhook.ts warms Nudge up (50 one-step runs)
await n8nShape(1, Math.min(50, N));

const drivers: { name: string; url: string | undefined }[] = [{ name: 'PGlite', url: undefined }];
if (process.env.DATABASE_URL) drivers.push({ name: 'PostgreSQL', url: process.env.DATABASE_URL });
const pairs: Record<string, { nudge: Record<number, Run>; n8n: Record<number, Run> }[]> = Object.fromEntries(drivers.map((d) => [d.name, []]));
console.log(`${N} requests per shape, ${CONCURRENCY} in flight, shapes ${SHAPES.join(',')}, ${PAIRS} pairs per driver; load average ${load()}`);
try {
  for (let p = 0; p < PAIRS; p++) {
    for (const d of drivers) {
      const nudge = await nudgeRun(d.url);
      for (const s of SHAPES) console.log(`pair ${p + 1} Nudge ${d.name.padEnd(10)} ${String(s).padStart(2)} steps: ${fmt(nudge[s]!)}  (load ${load()})`);
      const other = await n8nRun();
      for (const s of SHAPES) console.log(`pair ${p + 1} n8n ${n8nVersion.padEnd(13)} ${String(s).padStart(2)} steps: ${fmt(other[s]!)}  (load ${load()})`);
      pairs[d.name]!.push({ nudge, n8n: other });
    }
  }
} finally {
  sqlite.close();
  await stopN8n();
}

console.log(`\nNudge ÷ n8n ${n8nVersion} (SQLite, every execution saved, legacy expressions), median of ${PAIRS} pairs; load average now ${load()}`);
console.log('| driver | steps | exec/s ratio | Nudge exec/s | n8n exec/s | CPU ms/exec Nudge | CPU ms/exec n8n | RSS rest → load Nudge | RSS rest → load n8n |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const d of drivers) {
  for (const s of SHAPES) {
    const ps = pairs[d.name]!;
    const m = (f: (r: Run) => number, side: 'nudge' | 'n8n') => median(ps.map((p) => f(p[side][s]!)));
    const ratio = median(ps.map((p) => p.nudge[s]!.executionsPerSecond / p.n8n[s]!.executionsPerSecond));
    const eps = (r: Run) => r.executionsPerSecond;
    const cpu = (r: Run) => r.cpuMs;
    const rest = (r: Run) => r.rssAtRest;
    const peak = (r: Run) => r.rssPeak;
    console.log(
      `| ${d.name} | ${s} | **${ratio.toFixed(2)}** | ${m(eps, 'nudge').toFixed(1)} | ${m(eps, 'n8n').toFixed(1)} | ${m(cpu, 'nudge').toFixed(1)} | ${m(cpu, 'n8n').toFixed(1)} | ${m(rest, 'nudge').toFixed(0)} → ${m(peak, 'nudge').toFixed(0)} MB | ${m(rest, 'n8n').toFixed(0)} → ${m(peak, 'n8n').toFixed(0)} MB |`,
    );
  }
}
process.exit(0);
