/**
 * GET /api/inbox/metrics over 100k messages (25k conversations × 4 messages over 30 days, 3
 * teams, 21 agents), on PGlite (default) or PostgreSQL (`--pg`: DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test, in a database <that database>_bench_metrics). Prints the time of
 * the one statement for 7 days, 30 days and one team, and on PostgreSQL its EXPLAIN ANALYZE.
 *
 *   pnpm bench inbox-metrics [--pg] [conversations=25000] [runs=5]
 */
import { readFileSync } from 'node:fs';
import { createDb, migrate, schema, type DbHandle } from '@nudge/db';
import { inboxMetrics, insertExampleRules, metricsQuery } from '@nudge/server/conversations';
import type { AppContext } from '@nudge/server/context';

const args = process.argv.slice(2);
const num = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? dflt);
const PG = args.includes('--pg');
const CONVERSATIONS = num('conversations', 25_000);
const RUNS = num('runs', 5);

async function openDb(): Promise<DbHandle> {
  if (!PG) return createDb({ url: 'memory://' });
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = await createDb({ url: base, max: 1 });
  // a database of its own next to the given one (nudge_list → nudge_list_bench_metrics), so benches on one server don't collide
  const u = new URL(base);
  const name = `${u.pathname.slice(1) || 'nudge'}_bench_metrics`;
  await admin.sql.exec(`drop database if exists ${name} with (force)`);
  await admin.sql.exec(`create database ${name}`);
  await admin.close();
  u.pathname = `/${name}`;
  return createDb({ url: u.toString(), max: 4 });
}

const db = await openDb();
await migrate(db);
const ctx: AppContext = { db };
const NOW = new Date('2026-12-01T00:00:00Z');
const teams = await db.db.insert(schema.teams).values(['Sales', 'Technical', 'Madrid'].map((name) => ({ name }))).returning();
const agents = await db.db.insert(schema.users).values(Array.from({ length: 21 }, (_, i) => ({ email: `agent${i}@bench.local`, name: `Agent ${i}`, passwordHash: 'x', role: 'agent' as const, teamId: teams[i % 3]!.id }))).returning();
await insertExampleRules(db.db);
const rules = (await db.db.select({ id: schema.autoReplyRules.id }).from(schema.autoReplyRules)).map((r) => r.id);
const started = Date.now();
await db.sql.exec(`
  insert into customers (full_name) select 'Bench ' || g from generate_series(1, ${CONVERSATIONS}) g;
  create temporary table bench_c as select id, row_number() over (order by id) as n from customers;
  insert into conversations (id, customer_id, channel, status, team_id, assignee_id, last_message_at, created_at)
    select gen_random_uuid(), c.id, 'whatsapp', case when c.n % 5 < 2 then 'resolved' else 'open' end::conversation_status,
      (array['${teams.map((t) => t.id).join("','")}']::uuid[])[1 + c.n % 3],
      case when c.n % 5 < 3 then (array['${agents.map((a) => a.id).join("','")}']::uuid[])[1 + c.n % 21] end,
      timestamptz '${NOW.toISOString()}' - (c.n % 43200) * interval '1 minute' + interval '25 minutes',
      timestamptz '${NOW.toISOString()}' - (c.n % 43200) * interval '1 minute'
    from bench_c c;
  insert into conversation_messages (conversation_id, customer_id, direction, channel, body, status, origin, rule_id, author_id, created_at)
    select v.id, v.customer_id, k.direction::conversation_message_direction, 'whatsapp',
      case k.i when 0 then (array['price?', 'How do I pay?', 'shipping to Madrid?', 'hi'])[1 + v.n % 4] when 2 then 'human agent' else 'reply' end,
      case when k.direction = 'in' then 'received' else 'read' end::conversation_message_status,
      case k.i when 1 then 'auto_reply' when 3 then 'agent' end,
      case k.i when 1 then (array['${rules.join("','")}']::uuid[])[1 + v.n % ${rules.length}] end,
      case k.i when 3 then (array['${agents.map((a) => a.id).join("','")}']::uuid[])[1 + v.n % 21] end,
      v.created_at + k.i * interval '8 minutes'
    from (select cv.*, row_number() over (order by cv.id) as n from conversations cv) v
    cross join (values (0, 'in'), (1, 'out'), (2, 'in'), (3, 'out')) k(i, direction);
  analyze;
`);
const [{ n }] = (await db.sql.query<{ n: number }>('select count(*)::int as n from conversation_messages'));
console.log(`inbox metrics bench on ${db.driver}: ${n} messages, ${CONVERSATIONS} conversations (setup ${((Date.now() - started) / 1000).toFixed(1)} s)`);

const admin = { id: agents[0]!.id, role: 'admin' } as never;
const day = 86_400_000;
const cases: [string, { from: string; to: string; teamId?: string }][] = [
  ['7 days', { from: new Date(NOW.getTime() - 7 * day).toISOString(), to: NOW.toISOString() }],
  ['30 days', { from: new Date(NOW.getTime() - 31 * day).toISOString(), to: NOW.toISOString() }],
  ['30 days, one team', { from: new Date(NOW.getTime() - 31 * day).toISOString(), to: NOW.toISOString(), teamId: teams[0]!.id }],
];
/**
 * CPU ms of this process (PGlite runs in it) plus, on PostgreSQL, of the database's server
 * processes (/proc, 10 ms ticks): what a request costs, whatever the load on a shared machine.
 */
const dbName = PG ? (await db.sql.query<{ d: string }>('select current_database() as d'))[0]!.d : '';
async function cpuMs(): Promise<number> {
  const own = process.cpuUsage();
  let pg = 0;
  if (PG) {
    for (const { pid } of await db.sql.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName])) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        pg += (Number(f[11]) + Number(f[12])) * 10;
      } catch { /* ended */ }
    }
  }
  return (own.user + own.system) / 1000 + pg;
}
console.log('wall-clock figures are under load (2 shared cores); cpu = this process + its PostgreSQL backends per request');
for (const [name, q] of cases) {
  const times: number[] = [];
  let answer: Awaited<ReturnType<typeof inboxMetrics>> | null = null;
  const cpu0 = await cpuMs();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    answer = await inboxMetrics({ ...ctx, now: () => NOW }, admin, q);
    times.push(performance.now() - t0);
  }
  const cpu = ((await cpuMs()) - cpu0) / RUNS;
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(18)} median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms  max ${times.at(-1)!.toFixed(0)} ms  cpu ${cpu.toFixed(0)} ms  (inbound ${answer!.autoReplies.inbound}, agents ${answer!.agents.rows.length})`);
}
if (PG) {
  const q = cases[0]![1];
  const plan = await db.db.execute(metricsQuery({ from: new Date(q.from), to: new Date(q.to), teamId: null, now: NOW }, { explain: true }));
  const rows = ((plan as { rows?: unknown[] }).rows ?? (plan as unknown as unknown[])) as Record<string, string>[];
  console.log(rows.map((r) => Object.values(r)[0]).join('\n'));
}
await db.close();
