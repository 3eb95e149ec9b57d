/**
 * Segment speed over 1M customers on PostgreSQL: "tag = potential AND no follow-up for 30 days".
 * Generates the data with INSERT … SELECT generate_series (≈10 % tagged potential, follow-ups
 * spread over 180 days, 10 % never followed up, 9 other tags), then times — median of several
 * runs after a warm-up — the compiled segment query:
 *   - live count (what the builder preview and GET /api/segments/:id/count run)      target ≤ 300 ms
 *   - first page of 1,000 member ids (what a sweep / flow enrollment fetches per batch) target ≤ 200 ms
 *   - every member id in one query (whole segment materialised)
 *   - customerInSegment for one customer (a flow condition)
 *   - and, through the HTTP API: the count, a tag-filtered and a searched customer list; tag
 *     health and the data-quality report
 *
 *   pnpm --filter @nudge/bench exec tsx segments.ts [customers=1000000] [--reuse]
 * Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) to create a database
 * `nudge_bench_segments` (dropped and rebuilt unless --reuse and it already holds the data).
 */
import { createDb, migrate } from '@nudge/db';
import { countSegment, customerInSegment, segmentCountSql, segmentMemberIds, type SegmentCondition } from '@nudge/server/segments';
import { tagHealth } from '@nudge/server/tags';
import { qualityReport } from '@nudge/server/quality';
import { createApp } from '@nudge/server/app';
import { createSession } from '@nudge/server/auth';

const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const REUSE = process.argv.includes('--reuse');
const BASE = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = 'nudge_bench_segments';
const RUNS = 7;

const url = new URL(BASE);
url.pathname = `/${NAME}`;
const admin = await createDb({ url: BASE, max: 1 });
const exists = (await admin.sql.query('select 1 from pg_database where datname = $1', [NAME])).length > 0;
let fresh = !REUSE || !exists;
if (fresh) {
  await admin.sql.exec(`drop database if exists ${NAME} with (force)`);
  await admin.sql.exec(`create database ${NAME}`);
}
await admin.close();

const db = await createDb({ url: url.toString(), max: 4 });
await migrate(db);
if (!fresh) {
  const [row] = await db.sql.query<{ n: string }>('select count(*) as n from customers');
  if (Number(row!.n) !== N) fresh = true;
}

const time = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};

if (fresh) {
  await db.sql.exec('truncate customers, tags cascade');
  console.log(`generating ${N.toLocaleString()} customers …`);
  const gen = await time(async () => {
    const step = 250_000;
    for (let from = 1; from <= N; from += step) {
      const to = Math.min(N, from + step - 1);
      await db.sql.exec(`
        insert into customers (full_name, company, phone, phone_raw, email, tier, first_contact_at, last_follow_up_at, last_interaction_at, win_probability, total_spend, created_at, updated_at)
        select 'Customer ' || g, 'Company ' || (g % 50000),
               '+8869' || lpad((g % 100000000)::text, 8, '0'), '09' || lpad((g % 100000000)::text, 8, '0'),
               'c' || g || '@example.com',
               (array['A','B','C','C','strategic'])[1 + g % 5]::customer_tier,
               now() - interval '400 days' - random() * interval '400 days',
               case when random() < 0.10 then null else now() - random() * interval '180 days' end,
               now() - random() * interval '365 days',
               (random() * 100)::int, (random() * 100000)::numeric(14,2),
               now() - interval '400 days' + (g::float8 / ${N}) * interval '399 days', now()
        from generate_series(${from}, ${to}) g`);
      process.stdout.write(`  ${to.toLocaleString()}\r`);
    }
    await db.sql.exec(`insert into tags (name) values ('potential'), ('VIP'), ('new inquiry'), ('quote sent'), ('sample sent'), ('wholesale'), ('retail'), ('distributor'), ('high budget'), ('repeat buyer')`);
    // potential on ≈10 %; the other tags on 2–30 % each; a few expired tags on top.
    const shares: Record<string, number> = {
      potential: 0.1, VIP: 0.02, 'new inquiry': 0.05, 'quote sent': 0.05, 'sample sent': 0.05,
      wholesale: 0.3, retail: 0.25, distributor: 0.05, 'high budget': 0.15, 'repeat buyer': 0.05,
    };
    for (const [name, share] of Object.entries(shares)) {
      const expiring = name === 'new inquiry' || name === 'quote sent';
      await db.sql.query(
        `insert into customer_tags (customer_id, tag_id, expires_at)
         select c.id, (select id from tags where name = $1),
                ${expiring ? "now() + (random() * 14 - 7) * interval '1 day'" : 'null'}
         from customers c where random() < $2`,
        [name, share],
      );
    }
    for (const t of ['customers', 'customer_tags', 'tags']) await db.sql.exec(`vacuum analyze ${t}`);
  });
  console.log(`generated in ${(gen.ms / 1000).toFixed(1)} s`);
}

const [ct] = await db.sql.query<{ n: string }>('select count(*) as n from customer_tags');
console.log(`database: ${N.toLocaleString()} customers, ${Number(ct!.n).toLocaleString()} customer tags (PostgreSQL ${(await db.sql.query<{ server_version: string }>('show server_version'))[0]!.server_version})`);

const tree: SegmentCondition = {
  type: 'and',
  conditions: [
    { type: 'has_tag', tag: 'potential' },
    { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 },
  ],
};

async function measure(label: string, target: number | null, fn: () => Promise<unknown>, runs = RUNS) {
  await fn(); // warm-up
  const ms: number[] = [];
  let value: unknown;
  for (let i = 0; i < runs; i++) {
    const r = await time(fn);
    ms.push(r.ms);
    value = r.value;
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const verdict = target === null ? '' : median <= target ? `  ✓ ≤ ${target} ms` : `  ✗ target ${target} ms`;
  console.log(`${label.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms  (min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)})  → ${String(value).padEnd(8)}${verdict}`);
  return median;
}

console.log(`segment: tag = potential AND no follow-up for 30 days — ${RUNS} runs after a warm-up`);
const count1 = await measure('live count (countSegment)', 300, () => countSegment(db, tree));
await measure('first 1,000 member ids (segmentMemberIds)', 200, async () => (await segmentMemberIds(db, tree, { limit: 1000 })).length);
await measure('all member ids, one query', null, async () => (await segmentMemberIds(db, tree, { limit: 10_000_000 })).length);
const someone = (await segmentMemberIds(db, tree, { limit: 1 }))[0]!;
await measure('customerInSegment (one customer)', null, () => customerInSegment(db, tree, someone));

// Through the HTTP API (auth, validation, JSON), as the editor calls it.
console.log('\nthrough the HTTP API (createApp on an ephemeral port):');
const [user] = await db.sql.query<{ id: string }>(
  `insert into users (email, name, password_hash, role) values ('bench@nudge.local', 'Bench', 'x', 'manager')
   on conflict (email) do update set name = excluded.name returning id`,
);
const { token } = await createSession(db, user!.id, new Date());
const server = createApp({ db }).listen(0);
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const api = async (path: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};
await measure('POST /api/segments/count', 300, async () => (await api('/api/segments/count', { definition: tree })).count);
await measure('GET /api/customers?tag=potential (page 1 of 50)', null, async () => (await api('/api/customers?tag=potential&pageSize=50')).total);
await measure('GET /api/customers?q=Customer 12345', null, async () => (await api('/api/customers?q=Customer%2012345&pageSize=50')).total, 3);
await measure('tag health (share per tag, 10 tags)', null, async () => (await tagHealth(db, new Date())).items.length, 3);
await measure('data-quality report (duplicate scan 20k)', null, async () => (await qualityReport(db, { now: new Date() })).duplicates.scanned, 1);
server.close();

// The plan, for "where the time goes".
const { text, params } = await segmentCountSql(db, tree);
const plan = await db.sql.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers off, timing off) ${text}`, params);
console.log('\nplan of the live count:');
for (const row of plan) console.log(`  ${row['QUERY PLAN']}`);
void count1;
await db.close();
