/**
 * Third phase: write the plan in chunks. The plan is first stored in import_job_chunks (a few
 * hundred customers and everything that belongs to them per chunk: the new rows, the fills of
 * existing customers, their tags, timeline entries and audit rows); then each chunk is applied in
 * its own short transaction that also marks it applied. Between two chunks other requests get the
 * database (on PGlite a transaction holds its only connection), and an interrupted import resumes
 * at the first chunk not applied: no row lost, none written twice. Each statement takes a chunk's
 * rows from the stored jsonb, so the same SQL runs on PGlite and Postgres.
 */
import { customerFields, type SqlClient } from '@nudge/db';
import type { ImportedCustomer } from '@nudge/customer-import';
import type { ExistingCustomerPlan, NewCustomerPlan } from './matching.js';
import { typedCustomValue, type DbRules } from './reading.js';
import { setting } from '../config.js';

/** Customers per chunk: one chunk is one transaction, so this bounds how long others wait. */
export const CHUNK = setting('NUDGE_IMPORT_CHUNK');


/** The columns an import writes: the registry's importable fields and their raw companions. */
const WRITTEN = customerFields.importWritten;
const CUSTOMER_COLUMNS = ['id uuid', ...WRITTEN.map((f) => `${f.column} ${f.sqlType}`), 'custom_fields jsonb'].join(', ');
const COLUMN_LIST = ['id', ...WRITTEN.map((f) => f.column), 'custom_fields'].join(', ');
/** A new customer from record `r`: empty lists and not-null columns get their defaults (source = import). */
const insertValues = (r: string) =>
  [
    `${r}.id`,
    ...WRITTEN.map((f) =>
      f.import?.defaultValue !== undefined
        ? `coalesce(${r}.${f.column}, '${f.import.defaultValue.replace(/'/g, "''")}')`
        : f.type === 'array' ? `coalesce(${r}.${f.column}, '{}')` : `${r}.${f.column}`,
    ),
    `coalesce(${r}.custom_fields, '{}')`,
  ].join(', ');
/** An existing customer `c` filled from record `r`: only empty fields (a value set meanwhile by someone else wins). */
const updateSet = (c: string, r: string) =>
  WRITTEN.map((f) => {
    const raw = WRITTEN.find((o) => o.raw === f.name);
    if (raw) return `${f.column} = case when ${c}.${raw.column} is null then coalesce(${r}.${f.column}, ${c}.${f.column}) else ${c}.${f.column} end`;
    if (f.type === 'array') return `${f.column} = case when ${r}.${f.column} is null then ${c}.${f.column} else ${r}.${f.column} end`;
    return `${f.column} = coalesce(${c}.${f.column}, ${r}.${f.column})`;
  }).join(',\n       ');

function typedCustom(custom: Record<string, string>, rules: DbRules): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(custom)) {
    const r = typedCustomValue(rules.customFields.get(k), v);
    out[k] = r.ok ? r.value : v;
  }
  return out;
}

function customerRecord(id: string, c: ImportedCustomer, rules: DbRules, ownerId: string | null): Record<string, unknown> {
  const record: Record<string, unknown> = { id };
  for (const f of WRITTEN) {
    const v = c[f.name];
    record[f.column] = f.format === 'user' ? ((typeof v === 'string' ? rules.users.get(v.toLowerCase())?.[0]?.id : undefined) ?? ownerId) : (v ?? null);
  }
  record.custom_fields = typedCustom(c.custom, rules);
  return record;
}

export function newCustomerRecords(plans: NewCustomerPlan[], rules: DbRules, ownerId: string | null) {
  return plans.map((p) => customerRecord(p.id, p.customer, rules, ownerId));
}

/** Only the fields the import fills (empty before); the update never overwrites a non-empty value. */
export function updateRecords(plans: ExistingCustomerPlan[], rules: DbRules) {
  return plans
    .filter((p) => [...p.filled].some((f) => f !== 'notes' && f !== 'tags'))
    .map((p) => {
      const full = customerRecord(p.id, p.customer, rules, null) as Record<string, unknown>;
      const only: Record<string, unknown> = { id: p.id };
      const newCustom: Record<string, unknown> = {};
      for (const f of p.filled) {
        if (f.startsWith('custom:')) {
          const key = f.slice('custom:'.length);
          newCustom[key] = (full.custom_fields as Record<string, unknown>)[key];
        }
      }
      for (const f of p.filled) {
        const field = customerFields.get(f);
        if (!field?.import) continue;
        only[field.column] = full[field.column];
        const raw = field.raw ? customerFields.get(field.raw) : undefined;
        if (raw) only[raw.column] = full[raw.column];
      }
      only.custom_fields = newCustom;
      return only;
    });
}

export interface TimelineEntry {
  customer_id: string;
  kind: 'system' | 'note';
  body: string;
  payload: Record<string, unknown>;
}

export interface AuditRow {
  action: string;
  entity_type: string;
  entity_id: string;
  fields: string[] | null;
  details: Record<string, unknown>;
}

/** What one chunk writes, as stored in import_job_chunks.payload. */
export interface ChunkPayload {
  actor: { id: string; email: string } | null;
  created: ReturnType<typeof newCustomerRecords>;
  updated: ReturnType<typeof updateRecords>;
  /** Tags to create if missing, and the links customer → tag name. */
  tags: string[];
  links: { customer_id: string; tag: string }[];
  timeline: TimelineEntry[];
  audit: AuditRow[];
  /** Custom-field keys used by the file that have no definition yet (first chunk only). */
  customFields?: { key: string; label: string }[];
  /** Last chunk only: completes the job. */
  final?: { report: Record<string, unknown>; rowsTotal: number; uploadId: string; summary: unknown };
}

/**
 * Stores the plan (outside any long transaction: one short insert per chunk), then sets
 * import_jobs.chunks_total — the moment from which the import is resumable.
 */
export async function stageChunks(db: SqlClient, jobId: string, chunks: { payload: ChunkPayload; customers: number }[]) {
  await db.query(`delete from import_job_chunks where job_id = $1`, [jobId]);
  for (const [seq, c] of chunks.entries()) {
    // A PGlite query resolves without an event-loop turn: yield, or no request is read meanwhile.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await db.query(`insert into import_job_chunks (job_id, seq, customers, payload) values ($1, $2, $3, $4::jsonb)`, [jobId, seq, c.customers, JSON.stringify(c.payload)]);
  }
  await db.query(`update import_jobs set chunks_total = $2 where id = $1`, [jobId, chunks.length]);
}

const CHUNK_ROWS = (field: string, columns: string) =>
  `import_job_chunks c cross join lateral jsonb_to_recordset(coalesce(c.payload->'${field}', '[]'::jsonb)) as r(${columns})
   where c.job_id = $1 and c.seq = $2`;

export type ChunkResult =
  | { applied: false }
  | { applied: true; customers: number; final?: { summary: unknown } };

/**
 * Applies chunk `seq` of the job in the transaction `tx`, unless it was applied before (a retry or
 * a resume after a crash): the chunk row is locked, written from, and marked applied in the same
 * transaction. Rows of customers deleted meanwhile are left out instead of failing the chunk.
 */
export async function applyChunk(tx: SqlClient, jobId: string, seq: number): Promise<ChunkResult> {
  const [row] = await tx.query<{ applied: boolean; customers: number; final: boolean; fields: boolean; actor_id: string | null; actor_email: string | null }>(
    `select applied_at is not null as applied, customers, payload ? 'final' as final, payload ? 'customFields' as fields,
       payload->'actor'->>'id' as actor_id, payload->'actor'->>'email' as actor_email
     from import_job_chunks where job_id = $1 and seq = $2 for update`,
    [jobId, seq],
  );
  if (!row) throw new Error(`import ${jobId}: chunk ${seq} is missing`);
  if (row.applied) return { applied: false };
  // (The actor is passed as a parameter: an expression on c.payload per row would read the whole
  // chunk's jsonb again for every row.)
  const params = [jobId, seq];
  const withActor = [jobId, seq, row.actor_id];
  if (row.fields) {
    await tx.query(
      `insert into custom_field_definitions (key, label, type) select r.key, r.label, 'text' from ${CHUNK_ROWS('customFields', 'key text, label text')}
       on conflict (key) do nothing`,
      params,
    );
  }
  await tx.query(
    `insert into customers (${COLUMN_LIST})
     select ${insertValues('r')}
     from ${CHUNK_ROWS('created', CUSTOMER_COLUMNS)}
     on conflict (id) do nothing`,
    params,
  );
  // Fills the empty fields of existing customers (coalesce: a value set meanwhile by someone else
  // wins), adds missing custom fields and products; never overwrites a non-empty value.
  await tx.query(
    `update customers x set
       ${updateSet('x', 'r')},
       custom_fields = coalesce(r.custom_fields, '{}'::jsonb) || x.custom_fields,
       updated_at = now()
     from ${CHUNK_ROWS('updated', CUSTOMER_COLUMNS)} and x.id = r.id`,
    params,
  );
  await tx.query(
    `insert into tags (name) select distinct on (lower(n)) n
     from import_job_chunks c cross join lateral jsonb_array_elements_text(coalesce(c.payload->'tags', '[]'::jsonb)) as n
     where c.job_id = $1 and c.seq = $2
     on conflict do nothing`,
    params,
  );
  await tx.query(
    `insert into customer_tags (customer_id, tag_id, added_by, source)
     select r.customer_id, t.id, $3::uuid, 'import'
     from import_job_chunks c
       cross join lateral jsonb_to_recordset(coalesce(c.payload->'links', '[]'::jsonb)) as r(customer_id uuid, tag text)
       join tags t on lower(t.name) = lower(r.tag)
     where c.job_id = $1 and c.seq = $2 and exists (select 1 from customers x where x.id = r.customer_id)
     on conflict do nothing`,
    withActor,
  );
  await tx.query(
    `insert into interactions (customer_id, kind, body, payload, created_by)
     select r.customer_id, r.kind::interaction_kind, r.body, r.payload, $3::uuid
     from ${CHUNK_ROWS('timeline', 'customer_id uuid, kind text, body text, payload jsonb')}
       and exists (select 1 from customers x where x.id = r.customer_id)`,
    withActor,
  );
  await tx.query(
    `insert into audit_log (actor_id, actor_email, action, entity_type, entity_id, fields, details)
     select $3::uuid, $4::text, r.action, r.entity_type, r.entity_id, r.fields, r.details
     from ${CHUNK_ROWS('audit', 'action text, entity_type text, entity_id text, fields text[], details jsonb')}`,
    [...withActor, row.actor_email],
  );
  await tx.query(
    `update import_jobs j set rows_processed = (select coalesce(sum(customers), 0) from import_job_chunks where job_id = $1 and (applied_at is not null or seq = $2))
     where j.id = $1`,
    params,
  );
  if (!row.final) {
    await tx.query(`update import_job_chunks set applied_at = now(), payload = null where job_id = $1 and seq = $2`, params);
    return { applied: true, customers: row.customers };
  }
  const [fin] = await tx.query<{ summary: unknown }>(
    `update import_jobs j set status = 'completed', phase = 'done', rows_processed = (c.payload->'final'->>'rowsTotal')::int,
       rows_total = (c.payload->'final'->>'rowsTotal')::int, report = c.payload->'final'->'report', finished_at = now(), upload_id = null,
       error = null
     from import_job_chunks c where c.job_id = $1 and c.seq = $2 and j.id = $1
     returning c.payload->'final'->'summary' as summary`,
    params,
  );
  await tx.query(`delete from import_uploads where id = (select (payload->'final'->>'uploadId')::uuid from import_job_chunks where job_id = $1 and seq = $2)`, params);
  await tx.query(`delete from import_job_chunks where job_id = $1`, [jobId]);
  return { applied: true, customers: row.customers, final: { summary: fin!.summary } };
}
