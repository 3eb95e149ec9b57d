/**
 * The inbox's speed, on PGlite (default) or PostgreSQL (`--pg`, DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test, in a database nudge_bench_inbox):
 *   1. the assignment decision (lock, candidates with their open load, choose, write) — p50/p99,
 *      with AGENTS agents and OPEN open conversations already assigned; target p99 ≤ 20 ms;
 *   2. inbound webhook (signed Cloud API POST) → auto-reply handed to the channel adapter —
 *      p50/p99 at RATE messages/s for SECONDS s; target p99 ≤ 50 ms at 50/s;
 *   3. the most messages/s sustained with auto-replies on (concurrent posts, all replied).
 *
 *   pnpm bench inbox [--pg] [decisions=300] [rate=50] [seconds=5] [burst=400]
 * Full run: decisions=2000 seconds=30 burst=3000 (a few minutes; keep it short on a shared machine).
 */
import type { AddressInfo } from 'node:net';
import { createDb, migrate, schema, type DbHandle } from '@nudge/db';
import { createChannels, signWhatsAppPayload, whatsAppMessageWebhook, MemoryIdempotencyStore, type ChannelAdapter } from '@nudge/channels';
import { createApp } from '@nudge/server/app';
import { assignConversation, insertExampleRules, startOutbox } from '@nudge/server/conversations';
import type { AppContext } from '@nudge/server/context';

const args = process.argv.slice(2);
const num = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? dflt);
const PG = args.includes('--pg');
const DECISIONS = num('decisions', 300);
const RATE = num('rate', 50);
const SECONDS = num('seconds', 5);
const BURST = num('burst', 400);
const AGENTS = 60;
const OPEN = 250;
const SECRET = 'bench-secret';

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms  (n=${xs.length})`;

async function openDb(): Promise<DbHandle> {
  if (!PG) return createDb({ url: 'memory://' });
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = await createDb({ url: base, max: 1 });
  await admin.sql.exec('drop database if exists nudge_bench_inbox with (force)');
  await admin.sql.exec('create database nudge_bench_inbox');
  await admin.close();
  const u = new URL(base);
  u.pathname = '/nudge_bench_inbox';
  return createDb({ url: u.toString(), max: 20 });
}

const db = await openDb();
await migrate(db);
console.log(`inbox bench on ${db.driver}`);
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

// ---- 2/3. webhook → reply handed to the channel
process.env.WHATSAPP_APP_SECRET = SECRET;
const handed = new Map<string, number>();
const fake: ChannelAdapter = {
  channel: 'whatsapp',
  async send(m) {
    handed.set(m.to, performance.now());
    return { providerMessageId: `wamid.bench.${m.idempotencyKey}` };
  },
};
const channels = createChannels({}, { store: new MemoryIdempotencyStore(), extra: [fake] });
const outbox = startOutbox(ctx, { channels, pollMs: 1000, batch: 50 });
const app = createApp(ctx);
const server = await new Promise<import('node:http').Server>((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/whatsapp`;

let seq = 0;
async function postOne(n = ++seq): Promise<{ to: string; t0: number }> {
  const from = `8869${String(20_000_000 + n)}`;
  const body = JSON.stringify(whatsAppMessageWebhook({ from, name: `B${n}`, id: `wamid.in.${n}`, text: n % 2 ? '请问价格' : 'precio?' }));
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, SECRET) }, body });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  answered.push(performance.now() - t0);
  return { to: from, t0 };
}
const answered: number[] = [];
/** the server may drop a kept-alive connection under load: post again (the same message id is stored once) */
async function postWithRetry(): Promise<{ to: string; t0: number }> {
  const n = ++seq;
  try {
    return await postOne(n);
  } catch {
    return postOne(n);
  }
}
const waitHanded = async (tos: string[], timeoutMs = 120_000) => {
  const end = Date.now() + timeoutMs;
  while (tos.some((t) => !handed.has(t))) {
    if (Date.now() > end) throw new Error(`${tos.filter((t) => !handed.has(t)).length} replies never handed over`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (let i = 0; i < 20; i++) await postOne(); // warm-up
answered.length = 0;
const sentAt: { to: string; t0: number }[] = [];
const posts: Promise<void>[] = [];
const interval = 1000 / RATE;
const start = performance.now();
for (let i = 0; i < RATE * SECONDS; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  posts.push(postWithRetry().then((x) => void sentAt.push(x)));
}
await Promise.all(posts);
await waitHanded(sentAt.map((s) => s.to));
// the first message of a customer also gets a welcome: the latency is to the LAST of its replies
console.log(`webhook answered (message stored, replies queued) at ${RATE}/s: ${fmt(answered)}`);
console.log(`webhook → reply handed to the channel at ${RATE}/s for ${SECONDS} s: ${fmt(sentAt.map((s) => handed.get(s.to)! - s.t0))}`);

const burst: { to: string; t0: number }[] = [];
const b0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < BURST) {
    next += 1;
    burst.push(await postWithRetry());
  }
}));
await waitHanded(burst.map((b) => b.to));
const secs = (performance.now() - b0) / 1000;
console.log(`sustained: ${BURST} messages (16 concurrent posts), all replied in ${secs.toFixed(1)} s → ${(BURST / secs).toFixed(0)} messages/s`);

await outbox.stop();
server.close();
await db.close();
process.exit(0);
