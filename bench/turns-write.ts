/**
 * What the conversation_turns rollup adds to one message write, on conversations of ~300 messages
 * (issue 12): the same single-row INSERT (the webhook's inbound, an auto-reply, an agent's answer,
 * in turn) with the rollup's trigger off, with 0023's trigger (the conversation's turns recomputed)
 * and with 0024's (the last turn updated, the next appended), the three in alternating rounds in
 * one database. CPU per write from /proc: this process (PGlite's WASM included) plus, on PostgreSQL
 * (`--pg`: DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, in a database
 * <that database>_bench_turns), the server backend of the one connection.
 *
 *   pnpm bench turns-write [--pg] [messages=300] [conversations=60] [rounds=3]
 */
import { readFileSync } from 'node:fs';
import { createDb, migrate, migrationsFolder, type DbHandle } from '@nudge/db';

const args = process.argv.slice(2);
const num = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? dflt);
const PG = args.includes('--pg');
const MESSAGES = num('messages', 300);
const CONVERSATIONS = num('conversations', 60);
const ROUNDS = num('rounds', 3);
const TICK_MS = 10; // /proc's clock tick (USER_HZ 100)

async function openDb(): Promise<DbHandle> {
  if (!PG) return createDb({ url: 'memory://' });
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = await createDb({ url: base, max: 1 });
  const u = new URL(base);
  const name = `${u.pathname.slice(1) || 'nudge'}_bench_turns`;
  await admin.sql.exec(`drop database if exists ${name} with (force)`);
  await admin.sql.exec(`create database ${name}`);
  await admin.close();
  u.pathname = `/${name}`;
  return createDb({ url: u.toString(), max: 1 });
}
const cpuTicks = (pid: number | 'self') => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};

/** nudge_turns_statement() as a migration defines it */
const triggerFunction = (file: string) => {
  const text = readFileSync(`${migrationsFolder}/${file}`, 'utf8');
  const m = /CREATE OR REPLACE FUNCTION nudge_turns_statement\(\)[\s\S]*?\$fn\$;/.exec(text);
  if (!m) throw new Error(`no nudge_turns_statement in ${file}`);
  return m[0];
};
const { readdirSync } = await import('node:fs');
const files = readdirSync(migrationsFolder);
const FULL = triggerFunction(files.find((f) => f.startsWith('0023_'))!);
const INCREMENTAL = triggerFunction(files.find((f) => f.startsWith('0024_'))!);

const db = await openDb();
await migrate(db);
const backend = PG ? Number((await db.sql.query<{ pid: number }>(`select pg_backend_pid() as pid`))[0]!.pid) : null;
// CONVERSATIONS conversations of MESSAGES messages: customer, auto-reply, sometimes a hand-off and an agent
await db.sql.exec(`
  insert into customers (full_name) select 'Turns ' || g from generate_series(1, ${CONVERSATIONS}) g;
  insert into conversations (customer_id, channel) select id, 'whatsapp' from customers;
  insert into conversation_messages (conversation_id, customer_id, direction, channel, body, status, origin, created_at)
    select c.id, c.customer_id, case when k % 3 = 0 then 'in' else 'out' end::conversation_message_direction, 'whatsapp', 'price?',
      case when k % 3 = 0 then 'received' else 'read' end::conversation_message_status,
      case k % 3 when 1 then (case when k % 7 = 1 then 'handoff' else 'auto_reply' end) when 2 then 'agent' end,
      timestamptz '2026-11-01T00:00:00Z' + k * interval '1 minute'
    from conversations c cross join generate_series(0, ${MESSAGES - 1}) k;`);
const convs = await db.sql.query<{ id: string; customer_id: string }>(`select id, customer_id from conversations order by id`);
const [{ turns }] = (await db.sql.query<{ turns: number }>(`select count(*)::int as turns from conversation_turns`)) as [{ turns: number }];
console.log(`${PG ? 'PostgreSQL' : 'PGlite'}: ${convs.length} conversations × ${MESSAGES} messages (${turns} turns); load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

const modes = {
  'no rollup': async () => { await db.sql.exec(`alter table conversation_messages disable trigger conversation_messages_turns_insert`); },
  '0023 recompute': async () => { await db.sql.exec(`alter table conversation_messages enable trigger conversation_messages_turns_insert; ${FULL}`); },
  '0024 incremental': async () => { await db.sql.exec(`alter table conversation_messages enable trigger conversation_messages_turns_insert; ${INCREMENTAL}`); },
} as const;
const results: Record<string, { wall: number[]; cpu: number }> = {};
const kinds = [['in', null], ['out', 'auto_reply'], ['out', 'agent']] as const;
let n = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [mode, install] of Object.entries(modes)) {
    await install();
    const r = (results[mode] ??= { wall: [], cpu: 0 });
    const cpu0 = cpuTicks('self') + (backend ? cpuTicks(backend) : 0);
    for (const c of convs) {
      for (const [direction, origin] of kinds) {
        const t0 = performance.now();
        await db.sql.query(
          `insert into conversation_messages (conversation_id, customer_id, direction, channel, body, status, origin) values ($1, $2, $3, 'whatsapp', 'price?', $4, $5)`,
          [c.id, c.customer_id, direction, direction === 'in' ? 'received' : 'sent', origin]);
        r.wall.push(performance.now() - t0);
        n++;
      }
    }
    r.cpu += (cpuTicks('self') + (backend ? cpuTicks(backend) : 0) - cpu0) * TICK_MS;
    // untimed: the turns the trigger-less writes missed, so the next mode starts from a true rollup
    if (mode === 'no rollup') await db.sql.query(`select nudge_refresh_turns(array(select id from conversations))`);
  }
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`${n} single-row inserts, ${ROUNDS} alternating rounds; conversations end at ~${MESSAGES + ROUNDS * 9} messages`);
console.log('mode               | CPU/write (process + backend) | wall p50 | wall p99');
for (const [mode, r] of Object.entries(results)) {
  console.log(`${mode.padEnd(18)} | ${(r.cpu / r.wall.length).toFixed(2).padStart(6)} ms${' '.repeat(21)} | ${pct(r.wall, 50).toFixed(2).padStart(5)} ms | ${pct(r.wall, 99).toFixed(2).padStart(5)} ms`);
}
// the rollup the writes left equals the definition's recompute
const before = await db.sql.query(`select row_to_json(t)::text as r from conversation_turns t order by conversation_id, turn`);
await db.sql.query(`select nudge_refresh_turns(array(select id from conversations))`);
const after = await db.sql.query(`select row_to_json(t)::text as r from conversation_turns t order by conversation_id, turn`);
console.log(`rollup after the writes = full recompute: ${JSON.stringify(before) === JSON.stringify(after)}`);
console.log(`load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
await db.close();
