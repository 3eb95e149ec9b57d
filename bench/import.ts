/**
 * CSV import throughput: N rows (default 100,000) of which 10 % are duplicates written
 * differently (phone formats, Simplified script, "Last, First", typos, case): half of them repeat
 * an earlier row of the file, half repeat customers already in the database. Runs the real import
 * job (read → validate → match → the plan stored, then written in chunks of short transactions) and prints rows/s and the
 * time per phase. The database is PGlite in memory, or a fresh database on DATABASE_URL.
 *
 *   pnpm --filter @nudge/bench exec tsx import.ts [rows=100000] [existing=5000]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm --filter @nudge/bench exec tsx import.ts
 */
import os from 'node:os';
import { createTestDb } from '@nudge/db/testing';
import { schema } from '@nudge/db';
import { toCsv } from '@nudge/customer-import';
import { createRng, duplicateRow, generatePerson, rowOf, DUPLICATE_KINDS, type CsvPersonRow, type Person } from '@nudge/customer-import/testing';
import { runImportJob } from '@nudge/server/import';

const ROWS = Number(process.argv[2] ?? 100_000);
const EXISTING = Number(process.argv[3] ?? 5_000);
const rng = createRng(2026);

const db = await createTestDb();
console.log(`import benchmark — ${ROWS} rows, 10 % duplicates, ${EXISTING} existing customers, driver ${db.driver}`);

// Customers already in the database (not timed).
const existing: Person[] = Array.from({ length: EXISTING }, (_, i) => generatePerson(rng, i, i + 1));
for (let i = 0; i < existing.length; i += 1000) {
  await db.db.insert(schema.customers).values(
    existing.slice(i, i + 1000).map((p) => {
      const r = rowOf(p, rng);
      return { fullName: r.name, company: r.company, phone: `+${p.country}${p.national}`, phoneRaw: r.phone, email: r.email };
    }),
  );
}

// The file: 90 % new people, 5 % repeats of earlier rows, 5 % repeats of existing customers.
const rows: CsvPersonRow[] = [];
const inFile: Person[] = [];
let serial = EXISTING + 1;
const kind = () => DUPLICATE_KINDS[Math.floor(rng() * DUPLICATE_KINDS.length)]!;
for (let i = 0; i < ROWS; i++) {
  const r = rng();
  if (r < 0.05 && inFile.length > 0) rows.push(duplicateRow(inFile[Math.floor(rng() * inFile.length)]!, kind(), rng));
  else if (r < 0.1 && existing.length > 0) rows.push(duplicateRow(existing[Math.floor(rng() * existing.length)]!, kind(), rng));
  else {
    const p = generatePerson(rng, serial, serial++);
    inFile.push(p);
    rows.push(rowOf(p, rng));
  }
}
const csv = toCsv(['客戶姓名', '電話', '公司', '電郵'], rows.map((r) => [r.name, r.phone, r.company, r.email]));
const bytes = Buffer.from(csv, 'utf8');
console.log(`  file: ${(bytes.length / 1e6).toFixed(1)} MB, ${inFile.length} distinct new people`);

const [upload] = await db.db
  .insert(schema.importUploads)
  .values({ bytes, size: bytes.length, sha256: 'bench', fileName: 'bench.csv' })
  .returning({ id: schema.importUploads.id });
const [job] = await db.db
  .insert(schema.importJobs)
  .values({ uploadId: upload!.id, fileName: 'bench.csv', mode: 'skip-invalid', backfill: true, defaultRegion: 'TW' })
  .returning();

const phases: { phase: string; at: number }[] = [];
const started = performance.now();
const cpuBefore = process.cpuUsage();
await runImportJob({ db }, job!.id, null, {
  defaultRegion: 'TW',
  ownerId: null,
  onPhase: (phase) => phases.push({ phase, at: performance.now() }),
});
const total = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);

const [done] = await db.sql.query<{ status: string; report: { totals: Record<string, number> }; error: unknown }>(
  `select status, report, error from import_jobs where id = $1`,
  [job!.id],
);
if (done!.status !== 'completed') {
  console.error('  import failed:', done!.error);
  process.exit(1);
}
const t = done!.report.totals;
console.log(`  ${(ROWS / (total / 1000)).toFixed(0)} rows/s — ${ROWS} rows in ${(total / 1000).toFixed(2)} s (this process used ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of CPU; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`);
const bounds = [...phases.map((p) => p.at), started + total];
console.log(`  phases: ${phases.map((p, i) => `${p.phase} ${((bounds[i + 1]! - p.at) / 1000).toFixed(2)} s`).join(', ')}`);
console.log(`  outcome: created ${t.created}, merged into an earlier row ${t.merged}, updated existing ${t.updated}, skipped ${t.skipped} (invalid ${t.invalid}), conflicts ${t.conflicts}`);
const found = t.merged! + t.updated! + (t.skipped! - t.invalid!);
console.log(`  duplicates recognised: ${found} of ~${ROWS - inFile.length} generated`);
const [counts] = await db.sql.query<{ customers: string; interactions: string }>(
  `select (select count(*) from customers)::text as customers, (select count(*) from interactions)::text as interactions`,
);
console.log(`  database now: ${counts!.customers} customers, ${counts!.interactions} timeline entries`);
await db.cleanup();
