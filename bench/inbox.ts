/**
 * The inbox's speed, on PGlite (default) or PostgreSQL (`--pg`, DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test, in a database nudge_bench_inbox):
 *   1. the assignment decision (lock, candidates with their open load, choose, write) — p50/p99,
 *      with AGENTS agents and OPEN open conversations already assigned; target p99 ≤ 20 ms;
 *   2. inbound webhook (signed Cloud API POST) → auto-reply handed to the channel adapter —
 *      p50/p99 at RATE messages/s for SECONDS s; target p99 ≤ 50 ms at 50/s;
 *   3. the most messages/s sustained with auto-replies on (concurrent posts, all replied);
 *   4. webhook → `message` event in an open inbox stream (GET /api/inbox/events, a manager's
 *      session) — p50/p99; target ≤ 1 s.
 * Figures that hold on a shared machine are printed too: SQL statements per message (BEGIN /
 * COMMIT included; one message traced statement by statement, then totals over each phase) and
 * this process's CPU ms per message (process.cpuUsage: server, PGlite and the load generator;
 * with --pg also the PostgreSQL backends' CPU from /proc). Wall-clock figures on a loaded machine
 * are not comparable between runs. `trace` prints the traced message's statements.
 *
 *   pnpm bench inbox [--pg] [nogroup] [decisions=300] [rate=50] [seconds=5] [burst=400] [posts=16]
 * Full run: decisions=2000 seconds=30 burst=3000 (a few minutes; keep it short on a shared machine).
 * BENCH_DUMP=<file>: one line per message of the paced phase — ms after the start it was posted,
 * then ms from posting to its reply handed over, to the webhook's answer, and to the server's
 * `request` event (a request the client or the connection held up shows there, before the server
 * saw it). BENCH_DROP_INDEXES=a,b drops those indexes after migrating (what an index costs).
 */
import type { AddressInfo } from 'node:net';
import { createDb, migrate, schema, type DbHandle } from '@nudge/db';
import { createChannels, signWhatsAppPayload, whatsAppMessageWebhook, SqlIdempotencyStore, type ChannelAdapter } from '@nudge/channels';
import { readFileSync } from 'node:fs';
import { createApp } from '@nudge/server/app';
import { createSession } from '@nudge/server/auth';
import { assignConversation, groupCommitOf, insertExampleRules, startOutbox } from '@nudge/server/conversations';
import type { AppContext } from '@nudge/server/context';

const args = process.argv.slice(2);
const num = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? dflt);
const PG = args.includes('--pg');
const TRACE = args.includes('trace');
/** `nogroup`: one transaction per inbound message (group commit off), for A/B runs */
const NOGROUP = args.includes('nogroup');
const DECISIONS = num('decisions', 300);
const RATE = num('rate', 50);
const SECONDS = num('seconds', 5);
const BURST = num('burst', 400);
/** concurrent posts of the sustained phase (Meta delivers a busy number's webhooks in parallel) */
const POSTS = num('posts', 16);
const AGENTS = 60;
const OPEN = 250;
const SECRET = 'bench-secret';

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms  (n=${xs.length})`;

/** every statement sent to the database: counted always, kept while `tracing` */
const stmt = { count: 0, tracing: null as string[] | null };
const onStatement = (text: string) => {
  stmt.count += 1;
  stmt.tracing?.push(text.replace(/\s+/g, ' ').trim());
};

async function openDb(): Promise<DbHandle> {
  if (!PG) return createDb({ url: 'memory://', observeStatements: true });
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  // a database of its own beside the one given (engineers sharing a server don't drop each other's)
  const name = `${new URL(base).pathname.slice(1) || 'postgres'}_bench_inbox`.replace(/[^a-z0-9_]/gi, '_');
  const admin = await createDb({ url: base, max: 1 });
  await admin.sql.exec(`drop database if exists ${name} with (force)`);
  await admin.sql.exec(`create database ${name}`);
  await admin.close();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return createDb({ url: u.toString(), max: 20, observeStatements: true });
}

const db = await openDb();
db.onStatement(onStatement);
await migrate(db);
if (process.env.BENCH_DROP_INDEXES) for (const ix of process.env.BENCH_DROP_INDEXES.split(',')) await db.sql.exec(`drop index ${ix}`);
console.log(`inbox bench on ${db.driver}${NOGROUP ? ', group commit off' : ''}`);
const ctx: AppContext = { db };

// ---- setup: teams with hours, agents with profiles, load, rules
const teams = await db.db.insert(schema.teams).values(['Sales', 'Technical', 'Madrid'].map((name) => ({ name }))).returning();
for (const [i, t] of teams.entries()) {
  await db.db.insert(schema.teamInboxSettings).values({ teamId: t.id, timezone: 'UTC', periods: [], isDefault: i === 0, ...(t.name === 'Technical' ? { routingKeywords: ['安装', '故障'], skill: 'technical' } : {}) });
}
const users = await db.db.insert(schema.users).values(Array.from({ length: AGENTS }, (_, i) => ({ email: `agent${i}@bench.local`, name: `Agent ${i}`, passwordHash: 'x', role: 'agent' as const, teamId: teams[i % 3]!.id }))).returning();
await db.db.insert(schema.agentProfiles).values(users.map((u, i) => ({ userId: u.id, skills: i % 3 === 1 ? ['technical'] : ['sales'], languages: i % 2 ? ['en', 'es'] : ['zh-Hant', 'zh-Hans'], maxOpen: 1_000_000 })));
await insertExampleRules(db.db);
const customers = await db.db.insert(schema.customers).values(Array.from({ length: OPEN + DECISIONS }, (_, i) => ({ fullName: `C${i}`, phone: `+8869${String(10_000_000 + i)}` }))).returning({ id: schema.customers.id });
const convs = await db.db.insert(schema.conversations).values(customers.map((c, i) => ({ customerId: c.id, channel: 'whatsapp', status: 'open' as const, needsHuman: true, teamId: teams[i % 3]!.id, assigneeId: i < OPEN ? users[i % AGENTS]!.id : null }))).returning();

// ---- 1. assignment decisions
const decisionTimes: number[] = [];
for (const c of convs.slice(OPEN)) {
  const t0 = performance.now();
  await db.db.transaction((tx) => assignConversation(ctx, tx, { id: c.id, teamId: c.teamId, language: 'en' }, 'round_robin'));
  decisionTimes.push(performance.now() - t0);
}
console.log(`assignment decision (${AGENTS} agents, ${OPEN}+ open): ${fmt(decisionTimes.slice(10))}`);

// ---- figures that hold under load: statements and CPU per message
/** CPU of the PostgreSQL backends serving this database (they are other processes), from /proc */
async function backendCpuMs(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!PG) return out;
  const rows = await db.sql.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, 100 ticks/s
    } catch {
      /* not on this machine */
    }
  }
  return out;
}
/** PostgreSQL's count of deadlocks detected in this database (each costs deadlock_timeout, 1 s by default, before one side is rolled back) */
async function deadlocks(): Promise<number> {
  if (!PG) return 0;
  const count0 = stmt.count;
  await db.sql.query('select pg_stat_force_next_flush()');
  const [row] = await db.sql.query<{ n: number }>('select deadlocks::int as n from pg_stat_database where datname = current_database()');
  stmt.count = count0;
  return Number(row?.n ?? 0);
}
interface Meter { statements: number; cpu: NodeJS.CpuUsage; backends: Map<number, number>; group: { transactions: number; messages: number; fallbacks: number }; deadlocks: number }
const meterStart = async (): Promise<Meter> => ({ backends: await backendCpuMs(), statements: stmt.count, cpu: process.cpuUsage(), group: { ...groupCommitOf(ctx).stats }, deadlocks: await deadlocks() });
async function meterLine(m: Meter, messages: number): Promise<string> {
  const statements = stmt.count - m.statements;
  const cpu = process.cpuUsage(m.cpu);
  const backends = await backendCpuMs();
  let pgMs = 0;
  for (const [pid, ms] of backends) pgMs += ms - (m.backends.get(pid) ?? 0);
  const own = (cpu.user + cpu.system) / 1000 / messages;
  const g = groupCommitOf(ctx).stats;
  const txs = g.transactions - m.group.transactions;
  const dl = (await deadlocks()) - m.deadlocks;
  const group = `${((g.messages - m.group.messages) / Math.max(1, txs)).toFixed(1)} messages per inbound transaction${g.fallbacks > m.group.fallbacks ? `, ${g.fallbacks - m.group.fallbacks} fallbacks` : ''}${PG ? `, ${dl} deadlocks` : ''}`;
  return `${(statements / messages).toFixed(1)} SQL statements/message, CPU ${own.toFixed(2)} ms/message in this process${PG ? ` + ${(pgMs / messages).toFixed(2)} ms in PostgreSQL` : ''}; ${group}`;
}

// ---- 2/3. webhook → reply handed to the channel (through the SQL send ledger, as the server does)
process.env.WHATSAPP_APP_SECRET = SECRET;
const handed = new Map<string, number>();
const fake: ChannelAdapter = {
  channel: 'whatsapp',
  async send(m) {
    handed.set(m.to, performance.now());
    return { providerMessageId: `wamid.bench.${m.idempotencyKey}` };
  },
};
const channels = createChannels({}, { store: new SqlIdempotencyStore(db.sql), extra: [fake] });
const outbox = startOutbox(ctx, { channels, pollMs: 1000, batch: 50 });
if (NOGROUP) groupCommitOf(ctx).max = 1;
const app = createApp(ctx);
const server = await new Promise<import('node:http').Server>((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
const arrivals = new Map<string, number>();
server.prependListener('request', (req: import('node:http').IncomingMessage) => void arrivals.set(String(req.headers['x-bench-n']), performance.now()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const url = `${base}/api/webhooks/whatsapp`;

/** one posted message: when it left, when the webhook answered and when the server saw it (performance.now()) */
type Sent = { to: string; t0: number; answeredAt: number; arrived: number; conversationId: string };
let seq = 0;
async function postOne(n = ++seq): Promise<Sent> {
  const from = `8869${String(20_000_000 + n)}`;
  const body = JSON.stringify(whatsAppMessageWebhook({ from, name: `B${n}`, id: `wamid.in.${n}`, text: n % 2 ? '请问价格' : 'precio?' }));
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, SECRET), 'x-bench-n': String(n) }, body });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  const json = (await res.json()) as { results: { conversation: { conversationId: string } | null }[] };
  const answeredAt = performance.now();
  answered.push(answeredAt - t0);
  return { to: from, t0, answeredAt, arrived: arrivals.get(String(n)) ?? NaN, conversationId: json.results[0]?.conversation?.conversationId ?? '' };
}
const answered: number[] = [];
/** the server may drop a kept-alive connection under load: post again (the same message id is stored once) */
async function postWithRetry(): Promise<Sent> {
  const n = ++seq;
  let sent: Sent;
  try {
    sent = await postOne(n);
  } catch {
    sent = await postOne(n);
  }
  if (!sent.conversationId) {
    // the first post did get through: the second answers as a duplicate, without its conversation
    const [c] = await db.sql.query<{ id: string }>('select c.id from conversations c join customers cu on cu.id = c.customer_id where cu.whatsapp_id = $1', [sent.to]);
    sent.conversationId = c?.id ?? '';
  }
  return sent;
}
const waitHanded = async (tos: string[], timeoutMs = 120_000) => {
  const end = Date.now() + timeoutMs;
  while (tos.some((t) => !handed.has(t))) {
    if (Date.now() > end) throw new Error(`${tos.filter((t) => !handed.has(t)).length} replies never handed over`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
/** until the drainer has recorded everything (nothing pending and due) */
const settle = async () => {
  for (;;) {
    await outbox.drain();
    const tracing = stmt.tracing;
    stmt.tracing = null; // the probe is not the product's
    const count0 = stmt.count;
    const [row] = await db.sql.query<{ n: number }>(`select count(*)::int as n from conversation_outbox where state = 'pending' and due_at <= now() and (locked_until is null or locked_until < now())`);
    stmt.count = count0;
    stmt.tracing = tracing;
    if (!row || Number(row.n) === 0) break;
  }
  await outbox.drain();
};

for (let i = 0; i < 20; i++) await postOne(); // warm-up
await waitHanded([`8869${String(20_000_000 + seq)}`]);
await settle();

// one message, statement by statement (a new customer: welcome + keyword reply + the 10-minute follow-up timer)
async function traceOne(label: string) {
  await settle();
  stmt.tracing = [];
  const before = stmt.count;
  const one = await postOne();
  const atAnswer = stmt.count - before;
  await waitHanded([one.to]);
  await settle();
  const all = stmt.tracing;
  stmt.tracing = null;
  const total = all.length;
  console.log(`one message traced (${label}): ${atAnswer} SQL statements until the webhook answered, ${total} until both replies were recorded`);
  if (TRACE) for (const [i, t] of all.entries()) console.log(`  ${String(i + 1).padStart(3)} ${t.slice(0, 150)}`);
}
await traceOne('no stream open');

// ---- 4. an open inbox stream (server-sent events), read with fetch streaming like the editor
const [manager] = await db.db.insert(schema.users).values({ email: 'manager@bench.local', name: 'Manager', passwordHash: 'x', role: 'manager' }).returning();
const { token } = await createSession(db, manager!.id, new Date());
const streamed = new Map<string, number>(); // conversation id → when its inbound message event arrived
const ac = new AbortController();
const stream = await fetch(`${base}/api/inbox/events`, { headers: { Authorization: `Bearer ${token}` }, signal: ac.signal });
if (!stream.ok || !stream.body) throw new Error(`inbox stream answered ${stream.status}`);
void (async () => {
  const reader = stream.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
        buffer = buffer.slice(i + 2);
        if (!data) continue;
        const e = JSON.parse(data.slice(6)) as { type: string; direction?: string; conversationId?: string };
        if (e.type === 'message' && e.direction === 'in' && e.conversationId && !streamed.has(e.conversationId)) streamed.set(e.conversationId, performance.now());
      }
    }
  } catch {
    /* aborted at the end */
  }
})();
await traceOne('a manager\'s inbox stream open');

answered.length = 0;
const sentAt: Sent[] = [];
const posts: Promise<void>[] = [];
const interval = 1000 / RATE;
const paced = await meterStart();
const start = performance.now();
for (let i = 0; i < RATE * SECONDS; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  posts.push(postWithRetry().then((x) => void sentAt.push(x)));
}
await Promise.all(posts);
await waitHanded(sentAt.map((s) => s.to));
await outbox.drain();
const pacedLine = await meterLine(paced, sentAt.length);
// the first message of a customer also gets a welcome: the latency is to the LAST of its replies
console.log(`webhook answered (message stored, replies queued) at ${RATE}/s: ${fmt(answered)}`);
if (process.env.BENCH_DUMP) (await import('node:fs')).writeFileSync(process.env.BENCH_DUMP, sentAt.map((s) => `${(s.t0 - start).toFixed(0)} ${(handed.get(s.to)! - s.t0).toFixed(0)} ${(s.answeredAt - s.t0).toFixed(0)} ${(s.arrived - s.t0).toFixed(0)}`).join('\n'));
console.log(`webhook → reply handed to the channel at ${RATE}/s for ${SECONDS} s: ${fmt(sentAt.map((s) => handed.get(s.to)! - s.t0))}`);
// an event still on its way (delivered after its reply was handed over) is waited for, up to 5 s; one never delivered is reported missing
for (const end = Date.now() + 5000; Date.now() < end && sentAt.some((s) => !streamed.has(s.conversationId)); ) await new Promise((r) => setTimeout(r, 10));
const toStream = sentAt.filter((s) => streamed.has(s.conversationId)).map((s) => streamed.get(s.conversationId)! - s.t0);
console.log(`webhook → message event in an open inbox stream at ${RATE}/s: ${toStream.length ? fmt(toStream) : 'none arrived'}${toStream.length < sentAt.length ? ` (${sentAt.length - toStream.length} missing)` : ''}`);
console.log(`  at ${RATE}/s: ${pacedLine}`);

const burst: Sent[] = [];
const sustained = await meterStart();
const b0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: POSTS }, async () => {
  while (next < BURST) {
    next += 1;
    burst.push(await postWithRetry());
  }
}));
await waitHanded(burst.map((b) => b.to));
const secs = (performance.now() - b0) / 1000;
await outbox.drain();
const sustainedLine = await meterLine(sustained, BURST);
console.log(`sustained: ${BURST} messages (${POSTS} concurrent posts), all replied in ${secs.toFixed(1)} s → ${(BURST / secs).toFixed(0)} messages/s`);
console.log(`  sustained: ${sustainedLine}`);

ac.abort();
await outbox.stop();
server.close();
await db.close();
process.exit(0);
