/**
 * kill -9 during sends: the whole product (`pnpm start`: server, worker, temporal-lite, database)
 * on one data folder, an SMTP stand-in here that counts the mails each recipient received.
 * A flow "send email → wait 1 min → send a second email" is published and 50 customers are
 * enrolled; the product's process tree is SIGKILLed at a random moment while mails go out
 * (0–2.5 s after the first mail the stand-in accepts in that life), started again on the same data,
 * K times. Then every run must complete and, per customer and step:
 *   - lost: a mail that never arrived (must be 0);
 *   - duplicates: a mail that arrived twice — allowed only where a crash fell between the provider
 *     accepting and Nudge recording (the stand-in had the mail, the ledger had no "sent" for its key
 *     when the product died); every resend carries the same Message-ID, so a recipient's system shows one.
 * When all sends are done before K kills, another 50 customers are enrolled (a new round).
 *
 *   pnpm bench send-crash [--kills 20] [--customers 50] [--driver pglite|postgres]
 *     postgres: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names a server; a fresh database is made
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '@nudge/db';
import { startSmtpStandIn } from '@nudge/channels/standins';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    customers: { type: 'string', default: '50' },
    driver: { type: 'string', default: 'pglite' },
    'port-base': { type: 'string', default: '17400' },
    seed: { type: 'string' },
  },
});
const KILLS = Number(values.kills);
const CUSTOMERS = Number(values.customers);
const DRIVER = values.driver === 'postgres' ? 'postgres' : 'pglite';
const PORT = Number(values['port-base']);
const repoRoot = resolve(import.meta.dirname, '..');

// a small deterministic PRNG, so a run can be repeated (--seed)
let seed = Number(values.seed ?? Date.now() % 100_000);
const firstSeed = seed;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(`[send-crash ${new Date().toISOString().slice(11, 19)}] ${m}`);

// ---- the provider: a busy SMTP server (100–800 ms before it answers 250), counting per recipient
const smtp = await startSmtpStandIn({ port: PORT + 90, acceptDelayMs: () => 100 + Math.floor(random() * 700) });
const keyOf = (m: { headers: Record<string, string> }) => m.headers['x-nudge-idempotency-key'] ?? '';

// ---- the data folder (PGlite) or a fresh database (PostgreSQL)
const work = mkdtempSync(join(tmpdir(), 'nudge-send-crash-'));
const editorDist = join(work, 'editor');
mkdirSync(editorDist);
writeFileSync(join(editorDist, 'index.html'), '<!doctype html><title>bench</title>');
let databaseUrl: string | null = null;
let admin: Awaited<ReturnType<typeof createDb>> | null = null;
if (DRIVER === 'postgres') {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `nudge_send_crash_${process.pid}`;
  admin = await createDb({ url: base, max: 1 });
  await admin.sql.query(`create database ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
}
const dataDir = join(work, 'db');

// ---- the product
let child: ReturnType<typeof spawn> | null = null;
let output = '';
async function startProduct(): Promise<number> {
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(PORT),
    NUDGE_PORT: String(PORT),
    TEMPORAL_LITE_PORT: String(PORT + 1),
    NUDGE_DEMO_DATA: '0',
    NUDGE_EDITOR_DIST: editorDist,
    NODE_ENV: 'production',
    NUDGE_CHANNEL_STANDINS: '0',
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMTP_IGNORE_TLS: 'true',
    SMTP_FROM: 'Nudge <noreply@nudge.bench>',
    TEMPORAL_LOG_LEVEL: 'ERROR',
  };
  delete env.TEMPORAL_ADDRESS;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else {
    delete env.DATABASE_URL;
    env.NUDGE_DATA_DIR = dataDir;
  }
  output = '';
  child = spawn('pnpm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the product exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/api/nodes`)).status < 500) return Date.now() - t0;
    } catch {
      /* not up yet */
    }
    await sleep(300);
  }
  throw new Error(`the product did not come up:\n${output}`);
}

function groupAlive(pid: number) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
async function killProduct(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') {
  const pid = child?.pid;
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* gone */
  }
  while (groupAlive(pid)) await sleep(50);
  child = null;
}

// ---- the API
let token = '';
async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 400)}`);
  return (text ? JSON.parse(text) : null) as T;
}

// ---- the ledger, read while the product is dead (PGlite allows one process at a time)
async function recordedKeys(): Promise<Set<string>> {
  const db = await createDb({ url: databaseUrl ?? dataDir });
  try {
    const rows = await db.sql.query<{ idempotency_key: string }>(`select idempotency_key from channel_sends where state = 'sent'`);
    return new Set(rows.map((r) => r.idempotency_key.replace(/^email:/, '')));
  } finally {
    await db.close();
  }
}

const node = (id: string, nodeType: string, config: Record<string, unknown> = {}) => ({ id, type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType, config } });
const link = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourceHandle: 'next', target, targetHandle: 'in' });
const graph = {
  nodes: [
    node('trigger', 'trigger.manual@1'),
    node('mail1', 'action.send_message@1', { channel: 'email', subject: 'Welcome {name}', body: 'First mail' }),
    node('wait', 'control.wait@1', { duration: { amount: 1, unit: 'minutes' } }),
    node('mail2', 'action.send_message@1', { channel: 'email', subject: 'Still there, {name}?', body: 'Second mail' }),
  ],
  edges: [link('trigger', 'mail1'), link('mail1', 'wait'), link('wait', 'mail2')],
};

let flowId = '';
const customers: { id: string; email: string }[] = [];
async function enrollRound(round: number) {
  const ids: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const email = `r${round}-c${i}@bench.example`;
    const c = await api<{ id: string }>('POST', '/api/customers', { fullName: `Bench ${round}-${i}`, email });
    customers.push({ id: c.id, email });
    ids.push(c.id);
  }
  const enrolled = await api<{ started: number }>('POST', `/api/flows/${flowId}/enroll`, { customerIds: ids });
  log(`round ${round}: ${enrolled.started} customers enrolled`);
}

async function runCounts(): Promise<Record<string, number>> {
  return (await api<{ byStatus: Record<string, number> }>('GET', `/api/flows/${flowId}/report`)).byStatus;
}

// ---- the measurement
interface Kill {
  n: number;
  atMs: number;
  /** keys the provider accepted in that life that the ledger had not recorded when the product died */
  window: string[];
  upMs: number;
}
const kills: Kill[] = [];
const startedAt = Date.now();
log(`driver ${DRIVER}, ${KILLS} kills, ${CUSTOMERS} customers per round, seed ${firstSeed}`);
try {
  let upMs = await startProduct();
  log(`product up in ${upMs} ms`);
  token = (await api<{ token: string }>('POST', '/api/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' })).token;
  flowId = (await api<{ id: string }>('POST', '/api/flows', { name: 'send → wait 1 min → send', graph })).id;
  await api('POST', `/api/flows/${flowId}/publish`, { note: 'send-crash bench' });
  let round = 1;
  await enrollRound(round);

  while (kills.length < KILLS) {
    // wait for a mail accepted in this life; none for 150 s with every run done: next round
    const before = smtp.messages.length;
    let lastCheck = Date.now();
    while (smtp.messages.length === before) {
      await sleep(100);
      if (Date.now() - lastCheck > 15_000) {
        lastCheck = Date.now();
        const counts = await runCounts().catch(() => ({}) as Record<string, number>);
        const open = (counts.running ?? 0) + (counts.waiting ?? 0);
        if (open === 0) {
          round += 1;
          await enrollRound(round);
        }
      }
    }
    await sleep(Math.floor(random() * 2500));
    const atMs = Date.now() - startedAt;
    const lifeStart = before;
    await killProduct('SIGKILL');
    await sleep(1000); // a mail whose data was already sent is still answered by the server: it counts
    const accepted = new Set(smtp.messages.slice(lifeStart).map(keyOf));
    const recorded = await recordedKeys();
    const window = [...accepted].filter((k) => !recorded.has(k));
    kills.push({ n: kills.length + 1, atMs, window, upMs });
    log(`kill ${kills.length}/${KILLS} at ${(atMs / 1000).toFixed(1)} s: ${accepted.size} mails accepted in that life, ${window.length} accepted but not recorded`);
    upMs = await startProduct();
    token = (await api<{ token: string }>('POST', '/api/auth/login', { email: 'admin@nudge.local', password: 'nudge-admin' })).token;
  }

  // every run must end: mail1, the 1-minute wait, mail2
  log('all kills done; waiting for every run to complete');
  const deadline = Date.now() + 15 * 60_000;
  let counts: Record<string, number> = {};
  while (Date.now() < deadline) {
    counts = await runCounts();
    if ((counts.completed ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0) >= customers.length) break;
    await sleep(2000);
  }
  const unsettled = await api<{ items: { status: string }[] }>('GET', `/api/flows/${flowId}/runs?status=failed&pageSize=5`).catch(() => ({ items: [] }));

  // ---- count per customer
  const byKey = new Map<string, { count: number; messageIds: Set<string> }>();
  for (const m of smtp.messages) {
    const k = keyOf(m);
    const e = byKey.get(k) ?? { count: 0, messageIds: new Set<string>() };
    e.count += 1;
    e.messageIds.add(m.messageId ?? '');
    byKey.set(k, e);
  }
  const perRecipient = new Map<string, { mail1: number; mail2: number }>();
  for (const m of smtp.messages) {
    const to = m.envelopeTo[0] ?? '';
    const e = perRecipient.get(to) ?? { mail1: 0, mail2: 0 };
    if (keyOf(m).includes(':mail1:')) e.mail1 += 1;
    else if (keyOf(m).includes(':mail2:')) e.mail2 += 1;
    perRecipient.set(to, e);
  }
  let lost = 0;
  let duplicated = 0;
  for (const c of customers) {
    const e = perRecipient.get(c.email) ?? { mail1: 0, mail2: 0 };
    lost += (e.mail1 === 0 ? 1 : 0) + (e.mail2 === 0 ? 1 : 0);
    duplicated += Math.max(0, e.mail1 - 1) + Math.max(0, e.mail2 - 1);
  }
  const dupKeys = [...byKey.entries()].filter(([, e]) => e.count > 1).map(([k]) => k);
  const inWindow = new Set(kills.flatMap((k) => k.window));
  const unexplained = dupKeys.filter((k) => !inWindow.has(k));
  const differentIds = dupKeys.filter((k) => byKey.get(k)!.messageIds.size > 1);
  const killsWithDuplicate = kills.filter((k) => k.window.some((key) => (byKey.get(key)?.count ?? 0) > 1)).length;
  const killsWithWindow = kills.filter((k) => k.window.length > 0).length;

  console.log('');
  console.log(`send-crash (${DRIVER}): ${kills.length} SIGKILLs of the whole product, ${round} round(s) × ${CUSTOMERS} customers, 2 mails each (seed ${firstSeed})`);
  console.log(`  runs:                 ${JSON.stringify(counts)}${unsettled.items.length ? ' — some failed' : ''}`);
  console.log(`  mails expected:       ${customers.length * 2}; received ${smtp.messages.length}`);
  console.log(`  lost:                 ${lost}`);
  console.log(`  duplicates:           ${duplicated} mail(s) over ${dupKeys.length} key(s); all with one Message-ID per key: ${differentIds.length === 0 ? 'yes' : `NO (${differentIds.length})`}`);
  console.log(`  duplicates outside the accept→record window: ${unexplained.length}`);
  console.log(`  kills that fell between accept and record: ${killsWithWindow} of ${kills.length}; kills that produced a duplicate: ${killsWithDuplicate} of ${kills.length}`);
  console.log(`  restart (product up again): median ${median(kills.map((k) => k.upMs))} ms; total time ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  const ok = lost === 0 && unexplained.length === 0 && differentIds.length === 0 && (counts.failed ?? 0) === 0;
  console.log(ok ? '  OK' : '  FAILED');
  process.exitCode = ok ? 0 : 1;
} catch (err) {
  console.error(err);
  console.error(output.slice(-4000));
  process.exitCode = 1;
} finally {
  await killProduct('SIGTERM').catch(() => {});
  await smtp.close();
  if (admin) {
    await admin.sql.query(`drop database if exists nudge_send_crash_${process.pid} with (force)`).catch(() => {});
    await admin.close();
  }
  rmSync(work, { recursive: true, force: true });
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}
