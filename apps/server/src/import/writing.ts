/**
 * Third phase: write the plan in one transaction, in chunks (one statement per ~1000 rows and per
 * table, each taking its rows as one jsonb parameter), so 100k rows need ~100 round trips per
 * table, not 100k. The same SQL runs on PGlite and Postgres.
 */
import { customerFields, type SqlClient } from '@nudge/db';
import type { ImportedCustomer } from '@nudge/customer-import';
import type { ExistingCustomerPlan, NewCustomerPlan } from './matching.js';
import { typedCustomValue, type DbRules } from './reading.js';

export const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The columns an import writes: the registry's importable fields and their raw companions. */
const WRITTEN = customerFields.importWritten;
const CUSTOMER_COLUMNS = ['id uuid', ...WRITTEN.map((f) => `${f.column} ${f.sqlType}`), 'custom_fields jsonb'].join(', ');
const COLUMN_LIST = ['id', ...WRITTEN.map((f) => f.column), 'custom_fields'].join(', ');
/** A new customer: empty lists and not-null columns get their defaults (source = import). */
const INSERT_VALUES = [
  'id',
  ...WRITTEN.map((f) =>
    f.import?.defaultValue !== undefined
      ? `coalesce(${f.column}, '${f.import.defaultValue.replace(/'/g, "''")}')`
      : f.type === 'array' ? `coalesce(${f.column}, '{}')` : f.column,
  ),
  `coalesce(custom_fields, '{}')`,
].join(', ');
/** An existing customer: only empty fields are filled (a value set meanwhile by someone else wins). */
const UPDATE_SET = WRITTEN.map((f) => {
  const raw = WRITTEN.find((o) => o.raw === f.name);
  if (raw) return `${f.column} = case when c.${raw.column} is null then coalesce(r.${f.column}, c.${f.column}) else c.${f.column} end`;
  if (f.type === 'array') return `${f.column} = case when r.${f.column} is null then c.${f.column} else r.${f.column} end`;
  return `${f.column} = coalesce(c.${f.column}, r.${f.column})`;
}).join(',\n         ');

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

export async function insertCustomers(tx: SqlClient, plans: NewCustomerPlan[], rules: DbRules, ownerId: string | null, onChunk?: (n: number) => void) {
  for (const part of chunks(plans)) {
    await tx.query(
      `insert into customers (${COLUMN_LIST})
       select ${INSERT_VALUES}
       from jsonb_to_recordset($1::jsonb) as r(${CUSTOMER_COLUMNS})`,
      [JSON.stringify(part.map((p) => customerRecord(p.id, p.customer, rules, ownerId)))],
    );
    onChunk?.(part.length);
  }
}

/**
 * Fills the empty fields of existing customers (coalesce: a value set meanwhile by someone else
 * wins), adds missing custom fields and products; never overwrites a non-empty value.
 */
export async function updateCustomers(tx: SqlClient, plans: ExistingCustomerPlan[], rules: DbRules, onChunk?: (n: number) => void) {
  const changed = plans.filter((p) => [...p.filled].some((f) => f !== 'notes' && f !== 'tags'));
  for (const part of chunks(changed)) {
    const records = part.map((p) => {
      const full = customerRecord(p.id, p.customer, rules, null);
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
    await tx.query(
      `update customers c set
         ${UPDATE_SET},
         custom_fields = coalesce(r.custom_fields, '{}'::jsonb) || c.custom_fields,
         updated_at = now()
       from jsonb_to_recordset($1::jsonb) as r(${CUSTOMER_COLUMNS})
       where c.id = r.id`,
      [JSON.stringify(records)],
    );
    onChunk?.(part.length);
  }
}

/** Creates the tags that do not exist yet and links them (source = import). */
export async function linkTags(tx: SqlClient, plans: (NewCustomerPlan | ExistingCustomerPlan)[], actorId: string | null) {
  const names = [...new Set(plans.flatMap((p) => [...p.tags]))];
  if (names.length === 0) return;
  for (const part of chunks(names)) {
    await tx.query(`insert into tags (name) select distinct on (lower(n)) n from unnest($1::text[]) as n on conflict do nothing`, [part]);
  }
  const rows = await tx.query<{ id: string; name: string }>(`select id, name from tags where lower(name) = any($1::text[])`, [
    names.map((n) => n.toLowerCase()),
  ]);
  const idOf = new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
  const links = plans.flatMap((p) => [...p.tags].map((t) => ({ customer_id: p.id, tag_id: idOf.get(t.toLowerCase())! })));
  for (const part of chunks(links)) {
    await tx.query(
      `insert into customer_tags (customer_id, tag_id, added_by, source)
       select customer_id, tag_id, $2::uuid, 'import' from jsonb_to_recordset($1::jsonb) as r(customer_id uuid, tag_id uuid)
       on conflict do nothing`,
      [JSON.stringify(part), actorId],
    );
  }
}

export interface TimelineEntry {
  customer_id: string;
  kind: 'system' | 'note';
  body: string;
  payload: Record<string, unknown>;
}

export async function insertInteractions(tx: SqlClient, entries: TimelineEntry[], actorId: string | null) {
  for (const part of chunks(entries)) {
    await tx.query(
      `insert into interactions (customer_id, kind, body, payload, created_by)
       select customer_id, kind::interaction_kind, body, payload, $2::uuid
       from jsonb_to_recordset($1::jsonb) as r(customer_id uuid, kind text, body text, payload jsonb)`,
      [JSON.stringify(part), actorId],
    );
  }
}

export interface AuditRow {
  action: string;
  entity_type: string;
  entity_id: string;
  fields: string[] | null;
  details: Record<string, unknown>;
}

export async function insertAudit(tx: SqlClient, rows: AuditRow[], actor: { id: string; email: string } | null) {
  for (const part of chunks(rows)) {
    await tx.query(
      `insert into audit_log (actor_id, actor_email, action, entity_type, entity_id, fields, details)
       select $2::uuid, $3, action, entity_type, entity_id, fields, details
       from jsonb_to_recordset($1::jsonb) as r(action text, entity_type text, entity_id text, fields text[], details jsonb)`,
      [JSON.stringify(part), actor?.id ?? null, actor?.email ?? null],
    );
  }
}

/** Custom-field keys used by the file that have no definition yet become text fields. */
export async function defineCustomFields(tx: SqlClient, keys: { key: string; label: string }[]) {
  if (keys.length === 0) return;
  await tx.query(
    `insert into custom_field_definitions (key, label, type)
     select key, label, 'text' from jsonb_to_recordset($1::jsonb) as r(key text, label text)
     on conflict (key) do nothing`,
    [JSON.stringify(keys)],
  );
}
