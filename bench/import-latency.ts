/**
 * How the API answers while a large import runs: the product's HTTP app on a real port, an import
 * of N generated rows (10 % duplicates) uploaded and started over HTTP, and meanwhile — from
 * before the upload until after the finished report was read — a status check every 50 ms
 * (GET /api/import/<id>; GET /api/import before the job exists) and a sign-in
 * (POST /api/auth/login, scrypt) every 500 ms, one at a time each. Prints the latency of both,
 * per phase (upload+preview, start request, the job's phases, the finished report), and the time.
 * The database is PGlite in memory, or a fresh database on DATABASE_URL.
 *
 *   pnpm bench import-latency [rows=5000]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench import-latency 100000
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { schema } from '@nudge/db';
import { toCsv } from '@nudge/customer-import';
import { createRng, duplicateRow, generatePerson, rowOf, DUPLICATE_KINDS, type CsvPersonRow, type Person } from '@nudge/customer-import/testing';
import { createTestApp } from '@nudge/server/http/testing';
import { hashPassword } from '@nudge/server/auth';

const ROWS = Number(process.argv[2] ?? 5_000);
const rng = createRng(7);
const t = await createTestApp();
const server = t.app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const admin = await t.user('admin');
const password = 'bench password 1';
await t.db.db.insert(schema.users).values({ email: 'signin@bench.local', name: 'Sign-in', role: 'manager', passwordHash: await hashPassword(password) });

const rows: CsvPersonRow[] = [];
const people: Person[] = [];
for (let i = 0; i < ROWS; i++) {
  if (rng() < 0.1 && people.length) rows.push(duplicateRow(people[Math.floor(rng() * people.length)]!, DUPLICATE_KINDS[Math.floor(rng() * DUPLICATE_KINDS.length)]!, rng));
  else {
    const p = generatePerson(rng, i, i + 1);
    people.push(p);
    rows.push(rowOf(p, rng));
  }
}
const csv = toCsv(['客戶姓名', '電話', '公司', '電郵'], rows.map((r) => [r.name, r.phone, r.company, r.email]));
console.log(`import latency benchmark — ${ROWS} rows (${(csv.length / 1e6).toFixed(1)} MB), driver ${t.db.driver}, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);

const auth = { Authorization: admin.auth.Authorization };

type Sample = { ms: number; phase: string; at: number };
// The client runs in its own thread: in the server's thread it would stall together with the
// server and never see the stall.
const client = `
const { workerData, parentPort } = require('node:worker_threads');
const { base, auth, password } = workerData;
parentPort.postMessage('ready');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A socket the server closed while it was stalled (keep-alive timeout) is retried: the time counts.
const retry = async (f) => { for (let i = 0; ; i++) { try { return await f(); } catch (err) { if (i >= 3) throw err; } } };
const status = [], signIn = [], phases = [];
// The phase the samples are counted in: the upload and the start request (before the job has a
// phase of its own), then the job's phases, then fetching the finished report.
let phase = 'upload', id, finished = false, started;
const setPhase = (p) => { if (p !== phase) phases.push({ phase: p, at: performance.now() - started }); phase = p; };
parentPort.once('message', async (csv) => {
  started = performance.now();
  phases.push({ phase: 'upload', at: 0 });
  const statusLoop = (async () => {
    while (!finished) {
      const t0 = performance.now();
      if (id) {
        const body = await retry(async () => (await fetch(base + '/api/import/' + id, { headers: auth })).json());
        status.push({ ms: performance.now() - t0, phase, at: t0 - started });
        if (phase !== 'report') setPhase(body.phase);
        if ((body.status === 'completed' || body.status === 'failed') && phase !== 'report') {
          if (body.status === 'failed') console.error('  import failed:', body);
          setPhase('report');
          // The finished report and its errors, as the wizard fetches them; the loops go on meanwhile.
          setTimeout(() => { finished = true; }, 1500);
        }
      } else {
        await retry(async () => (await fetch(base + '/api/import?limit=1', { headers: auth })).arrayBuffer());
        status.push({ ms: performance.now() - t0, phase, at: t0 - started });
      }
      await sleep(50);
    }
  })();
  const signInLoop = (async () => {
    while (!finished) {
      const t0 = performance.now();
      const res = await retry(async () => {
        const r = await fetch(base + '/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'signin@bench.local', password }) });
        await r.arrayBuffer();
        return r;
      });
      if (res.status !== 200) throw new Error('sign-in answered ' + res.status);
      signIn.push({ ms: performance.now() - t0, phase, at: t0 - started });
      await sleep(500);
    }
  })();
  const preview = await fetch(base + '/api/import/preview', { method: 'POST', headers: { ...auth, 'Content-Type': 'text/csv' }, body: csv });
  const { uploadId } = await preview.json();
  setPhase('start');
  const start = await fetch(base + '/api/import', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ uploadId, backfill: true }) });
  id = (await start.json()).id;
  setPhase('queued');
  await Promise.all([statusLoop, signInLoop]);
  parentPort.postMessage({ status, signIn, phases, total: performance.now() - started });
});
`;
// The client thread is up before the import starts (a blocked main thread would delay its start).
const worker = new Worker(client, { eval: true, workerData: { base, auth, password } });
await new Promise((resolve) => worker.once('message', resolve));

const { status, signIn, phases, total } = await new Promise<{ status: Sample[]; signIn: Sample[]; phases: { phase: string; at: number }[]; total: number }>((resolve, reject) => {
  worker.on('message', (m) => typeof m === 'object' && resolve(m));
  worker.once('error', reject);
  worker.postMessage(csv);
});

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const line = (label: string, samples: Sample[]) => {
  const ms = samples.map((s) => s.ms);
  return `${label.padEnd(22)} n=${String(ms.length).padStart(4)}  p50 ${pct(ms, 50).toFixed(0).padStart(6)} ms  p95 ${pct(ms, 95).toFixed(0).padStart(6)} ms  p99 ${pct(ms, 99).toFixed(0).padStart(6)} ms  max ${Math.max(...ms).toFixed(0).padStart(6)} ms`;
};
console.log(`  upload + import + report took ${(total / 1000).toFixed(1)} s (as the client saw it; phases seen from: ${phases.map((p) => `${p.phase} ${(p.at / 1000).toFixed(1)} s`).join(', ')})`);
for (const [name, samples] of [['status check', status], ['sign-in', signIn]] as const) {
  const worst = samples.reduce((a, b) => (b.ms > a.ms ? b : a));
  console.log(`  ${line(name, samples)}  (worst sent at ${(worst.at / 1000).toFixed(1)} s)`);
  for (const ph of ['upload', 'start', 'queued', 'reading', 'matching', 'writing', 'report']) {
    const inPhase = samples.filter((s) => s.phase === ph);
    if (inPhase.length) console.log(`    ${line(`during ${ph}`, inPhase)}`);
  }
}
server.close();
await worker.terminate();
await t.close();
