/**
 * Third phase: write the plan in one transaction, in chunks (one statement per ~1000 rows and per
 * table, each taking its rows as one jsonb parameter), so 100k rows need ~100 round trips per
 * table, not 100k. The same SQL runs on PGlite and Postgres.
 */
import type { SqlClient } from '@nudge/db';
import type { ImportedCustomer } from '@nudge/customer-import';
import type { ExistingCustomerPlan, NewCustomerPlan } from './matching.js';
import { typedCustomValue, type DbRules } from './reading.js';

export const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const CUSTOMER_COLUMNS = `id uuid, full_name text, company text, industry text, products_of_interest text[], phone text, phone_raw text,
  email text, whatsapp_id text, budget_min numeric, budget_max numeric, budget_currency text, timezone text, birthday date,
  tier customer_tier, first_contact_at timestamptz, last_follow_up_at timestamptz, source text, custom_fields jsonb, owner_id uuid`;

function typedCustom(custom: Record<string, string>, rules: DbRules): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(custom)) {
    const r = typedCustomValue(rules.customFields.get(k), v);
    out[k] = r.ok ? r.value : v;
  }
  return out;
}

function customerRecord(id: string, c: ImportedCustomer, rules: DbRules, ownerId: string | null) {
  return {
    id,
    full_name: c.name,
    company: c.company ?? null,
    industry: c.industry ?? null,
    products_of_interest: c.products ?? null,
    phone: c.phone ?? null,
    phone_raw: c.phoneRaw ?? null,
    email: c.email ?? null,
    whatsapp_id: c.whatsapp ?? null,
    budget_min: c.budgetMin ?? null,
    budget_max: c.budgetMax ?? null,
    budget_currency: c.budgetCurrency ?? null,
    timezone: c.timezone ?? null,
    birthday: c.birthday ?? null,
    tier: c.tier ?? null,
    first_contact_at: c.firstContactAt ?? null,
    last_follow_up_at: c.lastFollowUpAt ?? null,
    source: c.source ?? null,
    custom_fields: typedCustom(c.custom, rules),
    owner_id: (c.owner ? rules.users.get(c.owner.toLowerCase())?.[0]?.id : undefined) ?? ownerId,
  };
}

export async function insertCustomers(tx: SqlClient, plans: NewCustomerPlan[], rules: DbRules, ownerId: string | null, onChunk?: (n: number) => void) {
  for (const part of chunks(plans)) {
    await tx.query(
      `insert into customers (id, full_name, company, industry, products_of_interest, phone, phone_raw, email, whatsapp_id,
         budget_min, budget_max, budget_currency, timezone, birthday, tier, first_contact_at, last_follow_up_at, source,
         custom_fields, owner_id)
       select id, full_name, company, industry, coalesce(products_of_interest, '{}'), phone, phone_raw, email, whatsapp_id,
         budget_min, budget_max, budget_currency, timezone, birthday, tier, first_contact_at, last_follow_up_at,
         coalesce(source, 'import'), coalesce(custom_fields, '{}'), owner_id
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
      const columnOf: Record<string, keyof typeof full> = {
        company: 'company', industry: 'industry', products: 'products_of_interest', phone: 'phone', email: 'email', whatsapp: 'whatsapp_id',
        budgetMin: 'budget_min', budgetMax: 'budget_max', budgetCurrency: 'budget_currency', timezone: 'timezone', birthday: 'birthday',
        tier: 'tier', firstContactAt: 'first_contact_at', lastFollowUpAt: 'last_follow_up_at', source: 'source', owner: 'owner_id',
      };
      for (const f of p.filled) {
        const col = columnOf[f];
        if (col) only[col] = full[col];
        if (f === 'phone') only.phone_raw = full.phone_raw;
      }
      only.custom_fields = newCustom;
      return only;
    });
    await tx.query(
      `update customers c set
         company = coalesce(c.company, r.company), industry = coalesce(c.industry, r.industry),
         products_of_interest = case when r.products_of_interest is null then c.products_of_interest else r.products_of_interest end,
         phone = coalesce(c.phone, r.phone), phone_raw = case when c.phone is null then coalesce(r.phone_raw, c.phone_raw) else c.phone_raw end,
         email = coalesce(c.email, r.email), whatsapp_id = coalesce(c.whatsapp_id, r.whatsapp_id),
         budget_min = coalesce(c.budget_min, r.budget_min), budget_max = coalesce(c.budget_max, r.budget_max),
         budget_currency = coalesce(c.budget_currency, r.budget_currency), timezone = coalesce(c.timezone, r.timezone),
         birthday = coalesce(c.birthday, r.birthday), tier = coalesce(c.tier, r.tier),
         first_contact_at = coalesce(c.first_contact_at, r.first_contact_at), last_follow_up_at = coalesce(c.last_follow_up_at, r.last_follow_up_at),
         source = coalesce(c.source, r.source), owner_id = coalesce(c.owner_id, r.owner_id),
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
