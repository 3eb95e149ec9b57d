/**
 * The inbox at scale (issue 12, benchmarks): GET /api/conversations over 100k conversations through
 * the real HTTP app, on PGlite (default) or PostgreSQL (`--pg`: DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test, in a database <that database>_bench_list).
 *
 * Seeds with set-based INSERT … SELECT generate_series (not 100k API calls): CONVERSATIONS customers
 * (name, phone, e-mail), one conversation each across 3 channels, 4 statuses, P1–P3, 30 agents in
 * 3 teams (70 % assigned), SLA deadlines (past ones already breached), unread counts, 2 messages each.
 * Then times, RUNS times each, the views people use — mine / unassigned / team / all, with status,
 * priority and channel filters, sorted by last message and by SLA due, searched by name and phone,
 * first pages (with their capped counts) and deep pages reached by the cursor — and prints p50/p99
 * per view (goal ≤ 50 ms per page). Last, the 15-s inbox sweep over the same 100k: its time and, on
 * PostgreSQL, how many conversation rows it read (pg_stat deltas) and the plans of its steps.
 *
 *   pnpm bench inbox-list [--pg] [conversations=100000] [runs=20] [deep=20]
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createDb, migrate, schema, type DbHandle } from '@nudge/db';
import { createApp } from '@nudge/server/app';
import { createSession } from '@nudge/server/auth';
import { sweepInbox } from '@nudge/server/conversations';
import type { AppContext } from '@nudge/server/context';

const args = process.argv.slice(2);
const num = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? dflt);
const PG = args.includes('--pg');
const N = num('conversations', 100_000);
const RUNS = num('runs', 20);
const DEEP = num('deep', 20);
const AGENTS = 30;

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };

async function openDb(): Promise<DbHandle> {
  if (!PG) return createDb({ url: 'memory://' });
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const u = new URL(base);
  const name = `${u.pathname.slice(1) || 'nudge'}_bench_list`;
  const admin = await createDb({ url: base, max: 1 });
  await admin.sql.exec(`drop database if exists ${name} with (force)`);
  await admin.sql.exec(`create database ${name}`);
  await admin.close();
  u.pathname = `/${name}`;
  return createDb({ url: u.toString(), max: 10 });
}

const db = await openDb();
await migrate(db);
const ctx: AppContext = { db };
const t0 = performance.now();
const teams = await db.db.insert(schema.teams).values(['Sales', 'Technical', 'Madrid'].map((name) => ({ name }))).returning();
const agents = await db.db
  .insert(schema.users)
  .values(Array.from({ length: AGENTS }, (_, i) => ({ email: `agent${i}@bench.local`, name: `Agent ${i}`, passwordHash: 'x', role: 'agent' as const, teamId: teams[i % 3]!.id })))
  .returning();
await db.db.insert(schema.agentProfiles).values(agents.map((a) => ({ userId: a.id, maxOpen: 6 })));
const [manager] = await db.db.insert(schema.users).values({ email: 'manager@bench.local', name: 'Manager', passwordHash: 'x', role: 'manager', teamId: teams[0]!.id }).returning();
const agentIds = `array['${agents.map((a) => a.id).join("','")}']::uuid[]`;
const teamIds = `array['${teams.map((t) => t.id).join("','")}']::uuid[]`;
// g % 20: 0–7 open, 8–9 pending, 10 snoozed, 11–19 resolved; g % 10 < 7 assigned; open ones were
// active in the last 6 days (the 7-day auto-resolve has nothing to do), resolved ones in the last 90.
await db.sql.exec(`
  insert into customers (full_name, phone, email)
    select 'Customer ' || g, '+8869' || lpad(g::text, 8, '0'), 'c' || g || '@example.com' from generate_series(1, ${N}) g;
  create temporary table bench_c as select id, row_number() over (order by full_name) as g from customers;
  insert into conversations (customer_id, channel, status, assignee_id, team_id, priority, needs_human, unread_count,
      last_message_at, last_customer_message_at, last_agent_message_at, first_response_due_at, first_responded_at,
      next_response_due_at, sla_breached_at, snoozed_until, resolved_at, escalation_step, window_ends_at, created_at, updated_at)
    select c.id,
      case when c.g % 7 < 5 then 'whatsapp' when c.g % 7 < 6 then 'sms' else 'email' end, -- independent of the priority (g % 10)
      s.status::conversation_status,
      case when c.g % 10 < 7 then (${agentIds})[1 + c.g % ${AGENTS}] end,
      (${teamIds})[1 + c.g % 3],
      (case when c.g % 10 = 0 then 'P1' when c.g % 10 < 3 then 'P2' else 'P3' end)::customer_priority,
      s.status <> 'resolved', case when s.waiting then 1 + c.g % 3 else 0 end,
      s.lma, case when s.waiting then s.lma else s.lma - interval '10 minutes' end,
      case when s.waiting then s.lma - interval '30 minutes' else s.lma end,
      s.lma - interval '1 day' + interval '24 hours', case when c.g % 4 <> 0 then s.lma - interval '23 hours' end,
      case when s.waiting and s.status in ('open', 'pending') then s.lma + interval '6 hours' end,
      case when s.status in ('open', 'pending') and s.lma + interval '6 hours' <= now() then s.lma + interval '6 hours' end,
      case when s.status = 'snoozed' then now() + (c.g % 1000) * interval '1 minute' end,
      case when s.status = 'resolved' then s.lma + interval '1 hour' end,
      case when s.waiting and s.lma < now() - interval '45 minutes' then 3 else 0 end,
      s.lma + interval '24 hours', s.lma - interval '1 day', s.lma
    from bench_c c
    cross join lateral (select
      case when c.g % 20 < 8 then 'open' when c.g % 20 < 10 then 'pending' when c.g % 20 = 10 then 'snoozed' else 'resolved' end as status,
      c.g % 3 = 0 as waiting,
      case when c.g % 20 < 11 then now() - ((c.g * 7919) % 9000) * interval '1 minute' else now() - ((c.g * 7919) % 129600) * interval '1 minute' end as lma) s;
  insert into conversation_messages (conversation_id, customer_id, direction, channel, body, status, origin, created_at)
    select cv.id, cv.customer_id, k.direction::conversation_message_direction, cv.channel, k.body,
      (case when k.direction = 'in' then 'received' else 'read' end)::conversation_message_status, k.origin,
      case when k.direction = 'in' then cv.last_customer_message_at else cv.last_agent_message_at end
    from conversations cv cross join (values ('in', 'price?', null), ('out', 'It is 100.', 'agent')) k(direction, body, origin);
  analyze;
`);
const [{ n }] = await db.sql.query<{ n: number }>('select count(*)::int as n from conversations');
const [{ m }] = await db.sql.query<{ m: number }>('select count(*)::int as m from conversation_messages');
console.log(`inbox list bench on ${db.driver}: ${n} conversations, ${m} messages, ${AGENTS} agents (setup ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

const agent = agents[0]!;
const [{ mine }] = await db.sql.query<{ mine: number }>(`select count(*)::int as mine from conversations where assignee_id = '${agent.id}'`);
console.log(`the timed agent has ${mine} conversations, the unassigned are ${N - Math.round(N * 0.7)}; wall-clock times are under load (2 shared cores); cpu = this process + its PostgreSQL backends per page\n`);
const tokens = { agent: (await createSession(db, agent.id, new Date())).token, manager: (await createSession(db, manager!.id, new Date())).token };
const server = await new Promise<import('node:http').Server>((r) => { const s = createApp(ctx).listen(0, '127.0.0.1', () => r(s)); });
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
type Page = { items: { id: string }[]; nextCursor: string | null; counts?: { total: number; unread: number; capped: boolean } };
async function get(who: keyof typeof tokens, query: string): Promise<Page> {
  const res = await fetch(`${base}/api/conversations?${query}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  if (!res.ok) throw new Error(`${query}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Page>;
}

/**
 * CPU ms spent so far by this process (the app, and PGlite when in-process) and, on PostgreSQL, by
 * the server processes of the bench database (/proc, 10 ms ticks): unlike wall-clock time on a
 * shared, loaded machine, this is what a page costs.
 */
const dbName = PG ? (await db.sql.query<{ d: string }>('select current_database() as d'))[0]!.d : '';
async function cpuMs(): Promise<number> {
  const own = process.cpuUsage();
  let pg = 0;
  if (PG) {
    const pids = await db.sql.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
    for (const { pid } of pids) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        pg += (Number(f[11]) + Number(f[12])) * 10; // utime + stime in 1/100 s
      } catch { /* ended */ }
    }
  }
  return (own.user + own.system) / 1000 + pg;
}

const results: { name: string; p50: number; p99: number; cpu: number }[] = [];
async function measure(name: string, who: keyof typeof tokens, query: string) {
  await get(who, query); // warm-up
  const times: number[] = [];
  let page: Page | null = null;
  const cpu0 = await cpuMs();
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    page = await get(who, query);
    times.push(performance.now() - s);
  }
  const cpu = ((await cpuMs()) - cpu0) / RUNS;
  const counts = page!.counts ? `  counts ${page!.counts.total}${page!.counts.capped ? '+' : ''} / unread ${page!.counts.unread}` : '';
  console.log(`${name.padEnd(46)} p50 ${pct(times, 50).toFixed(1).padStart(6)} ms  p99 ${pct(times, 99).toFixed(1).padStart(6)} ms  cpu ${cpu.toFixed(1).padStart(5)} ms/page  (${page!.items.length} rows${counts})`);
  results.push({ name, p50: pct(times, 50), p99: pct(times, 99), cpu });
  return page!;
}
/** Follows the cursor DEEP pages down and times the page there (the cursor is reused RUNS times). */
async function measureDeep(name: string, who: keyof typeof tokens, query: string) {
  let page = await get(who, query);
  for (let i = 1; i < DEEP && page.nextCursor; i++) page = await get(who, `${query}&cursor=${page.nextCursor}`);
  if (!page.nextCursor) throw new Error(`${name}: fewer than ${DEEP} pages`);
  await measure(`${name} (page ${DEEP + 1})`, who, `${query}&cursor=${page.nextCursor}`);
}

const active = 'status=open,pending';
await measure('mine · active · last message', 'agent', `view=mine&${active}`);
await measure('mine · every status', 'agent', 'view=mine');
await measure('mine · active · SLA due', 'agent', `view=mine&${active}&sort=sla_due`);
await measure('unassigned · active', 'agent', `view=unassigned&${active}`);
await measure('unassigned · active · SLA due', 'agent', `view=unassigned&${active}&sort=sla_due`);
await measure('team · active', 'agent', `view=team&${active}`);
await measure('team · active · SLA due', 'agent', `view=team&${active}&sort=sla_due`);
await measure('all (agent: own + unassigned) · active', 'agent', `view=all&${active}`);
await measure('all (manager) · every status', 'manager', 'view=all');
await measure('all · active · SLA due', 'manager', `view=all&${active}&sort=sla_due`);
await measure('all · P1', 'manager', 'view=all&priority=P1');
await measure('all · sms', 'manager', 'view=all&channel=sms');
await measure('all · open · P1 · email', 'manager', 'view=all&status=open&priority=P1&channel=email');
await measure('all · snoozed', 'manager', 'view=all&status=snoozed');
await measure('search name "Customer 42424"', 'manager', `view=all&q=${encodeURIComponent('Customer 42424')}`);
await measure('search phone "0004 2424"', 'manager', `view=all&q=${encodeURIComponent('0004 2424')}`);
await measure('search (agent) "customer 99"', 'agent', `view=all&q=${encodeURIComponent('customer 99')}`);
await measureDeep('all (manager) · every status', 'manager', 'view=all');
await measureDeep('all · active · SLA due', 'manager', `view=all&${active}&sort=sla_due`);
await measureDeep('mine · every status', 'agent', 'view=mine');
await measureDeep('unassigned · every status', 'agent', 'view=unassigned');
server.close();
const worst = results.reduce((a, b) => (b.p99 > a.p99 ? b : a));
const costly = results.reduce((a, b) => (b.cpu > a.cpu ? b : a));
console.log(`\nslowest p99: ${worst.name} ${worst.p99.toFixed(1)} ms (wall clock, under load); most CPU: ${costly.name} ${costly.cpu.toFixed(1)} ms/page (app + database; goal ≤ 50 ms per page)`);

// ---- the 15-s sweep over the same 100k
const stats = async () => PG ? (await db.sql.query<{ seq: string; seq_read: string; idx_fetch: string }>(
  "select seq_scan::text as seq, seq_tup_read::text as seq_read, coalesce(idx_tup_fetch, 0)::text as idx_fetch from pg_stat_user_tables where relname = 'conversations'"))[0]! : null;
const sweeps: number[] = [];
for (let i = 0; i < 5; i++) {
  if (PG) await db.sql.exec('select pg_stat_force_next_flush()').catch(() => {});
  const before = await stats();
  const s = performance.now();
  const r = await sweepInbox(ctx);
  sweeps.push(performance.now() - s);
  if (PG) await db.sql.exec('select pg_stat_force_next_flush()').catch(() => {});
  await new Promise((res) => setTimeout(res, 600)); // the statistics are flushed at most every 500 ms
  const after = await stats();
  const read = before && after ? `  conversations: ${Number(after.seq) - Number(before.seq)} seq scans, ${Number(after.seq_read) - Number(before.seq_read)} rows by seq scan, ${Number(after.idx_fetch) - Number(before.idx_fetch)} by index` : '';
  console.log(`sweep ${i + 1}: ${sweeps.at(-1)!.toFixed(1)} ms  (breached ${r.breached}, woken ${r.woken}, resolved ${r.autoResolved}, assigned ${r.assigned}, escalated ${r.escalated.nextAgent}/${r.escalated.teamQueue}/${r.escalated.supervisor})${read}`);
}
console.log(`sweep over ${n} conversations: p50 ${pct(sweeps, 50).toFixed(1)} ms (under load)`);
if (PG) {
  const now = new Date().toISOString();
  const plans: [string, string][] = [
    ['SLA breach', `update conversations set sla_breached_at = now() where (sla_breached_at IS NULL AND first_responded_at IS NULL AND status IN ('open', 'pending') and first_response_due_at <= '${now}') or (sla_breached_at IS NULL AND status IN ('open', 'pending') and next_response_due_at <= '${now}')`],
    ['snooze end', `update conversations set status = 'open' where status = 'snoozed' and snoozed_until <= '${now}'`],
    ['auto-resolve', `update conversations set status = 'resolved' where status IN ('open', 'pending') and last_message_at <= timestamptz '${now}' - interval '7 days'`],
    ['escalation candidates', `select id from conversations where status IN ('open', 'pending') AND escalation_step < 3 AND last_customer_message_at IS NOT NULL AND (last_agent_message_at IS NULL OR last_agent_message_at < last_customer_message_at) and (assignee_id is not null or escalation_step = 2)`],
    ['backlog', `select id from conversations where assignee_id IS NULL AND needs_human AND status IN ('open', 'pending') AND escalation_step < 2 order by priority, last_customer_message_at limit 200`],
  ];
  for (const [name, text] of plans) {
    // the updates without ANALYZE (that would run them); the selects with it
    const plan = await db.sql.query<Record<string, string>>(`explain (${text.startsWith('select') ? 'analyze, timing off, ' : ''}costs off) ${text}`);
    console.log(`\nplan of the sweep's ${name}:\n${plan.map((r) => `  ${Object.values(r)[0]}`).join('\n')}`);
  }
}
await db.close();
