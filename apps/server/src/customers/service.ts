/**
 * Customer operations shared by the HTTP routes and the flow engine's activities:
 * create / update with normalisation and validation, the timeline, merge and erase.
 * `actor` is the user acting (null for the system, e.g. a flow), used for rights and the audit log.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { customerFields, preparedOnce, schema, type DbHandle } from '@nudge/db';
import { emitEvents, nowOf, type AppContext, type DomainEvent } from '../context.js';
import type { AuthUser } from '../http/auth.js';
import { auditValues, writeAudit } from '../http/audit.js';
import { badRequest, forbidden, notFound } from '../http/errors.js';
import {
  assertMayWriteCustomFields,
  canSee,
  hiddenCustomFields,
  maskEmail,
  maskPhone,
  seesContacts,
  type FieldRights,
} from './access.js';
import type { CustomerCreate, CustomerOut, CustomerPatch, InteractionCreate } from '@nudge/contracts';
import { setting } from '../config.js';
import { loadImportSettings } from '../import/settings.js';
import { expectedCustomValue, industryAllowed, isValidCustomValue } from './rules.js';

const c = schema.customers;
export type CustomerRow = typeof c.$inferSelect;
type Db = DbHandle['db'];
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export const defaultRegion = (): CountryCode => setting('NUDGE_DEFAULT_REGION');

/** The country of phone numbers typed without +country code: the organisation's setting (Settings → Import), else NUDGE_DEFAULT_REGION. */
export const organisationRegion = async (ctx: AppContext): Promise<CountryCode> => (await loadImportSettings(ctx)).defaultRegion;

/**
 * A phone as typed (0912-345-678, +886 912 345 678, (415) 555-0100) → E.164, or a 400 naming the
 * field. A number without +country code is read in `region` (for customers: the organisation's
 * import setting, GET /api/import/settings); one not valid there is refused, never guessed.
 */
export function normalisePhoneField(raw: string, field = 'phone', region: CountryCode = defaultRegion()) {
  const parsed = parsePhoneNumberFromString(raw, region);
  if (!parsed || !parsed.isValid()) {
    const plus = raw.trim().startsWith('+');
    const why = plus
      ? 'not a valid phone number: check the digits after the +country code'
      : `not a valid phone number in ${region} (numbers without +country code are read as ${region}): check the digits, write it with its +country code, or choose its country`;
    throw badRequest('invalid_input', `${field}: "${raw}" is ${why}.`, [
      { path: `body.${field}`, code: plus ? 'invalid_phone' : 'invalid_phone_for_region', value: region, message: why },
    ]);
  }
  return { phone: parsed.number as string, phoneRaw: raw };
}

export interface FieldDefinition {
  key: string;
  label: string;
  type: (typeof schema.customFieldType.enumValues)[number];
  options: string[] | null;
  requiredRight: string | null;
}

export async function loadFieldDefinitions(db: Db): Promise<Map<string, FieldDefinition>> {
  const rows = await db.select().from(schema.customFieldDefinitions);
  return new Map(rows.map((r) => [r.key, r]));
}

export const fieldRightsOf = (defs: Map<string, FieldDefinition>): FieldRights =>
  new Map([...defs.values()].filter((d) => d.requiredRight).map((d) => [d.key, d.requiredRight!]));

/** Checks custom field values against their definitions; null removes a value. */
export function validateCustomFields(values: Record<string, unknown>, defs: Map<string, FieldDefinition>): Record<string, unknown> {
  const issues: { path: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const def = defs.get(key);
    const path = `body.customFields.${key}`;
    if (!def) {
      issues.push({ path, message: `unknown custom field "${key}"; define it first (POST /api/customers/fields)` });
      continue;
    }
    if (value === null) {
      out[key] = null;
      continue;
    }
    if (!isValidCustomValue(def, value)) issues.push({ path, message: `expected ${expectedCustomValue(def)}, got ${JSON.stringify(value)}` });
    else out[key] = value;
  }
  if (issues.length) {
    throw badRequest('invalid_input', `Invalid custom fields — ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return out;
}

async function checkIndustry(db: Db, industry: string | null | undefined) {
  if (!industry) return;
  const list = (await db.select({ name: schema.industries.name }).from(schema.industries)).map((i) => i.name);
  if (!industryAllowed(list, industry)) {
    throw badRequest('invalid_input', `industry: "${industry}" is not in the managed list (${list.join(', ')}).`, [
      { path: 'body.industry', message: 'not in the managed list of industries' },
    ]);
  }
}

/** Agents may only hand customers to themselves or to a member of their own team. */
async function checkAssignment(db: Db, actor: AuthUser | null, ownerId: string | null | undefined, teamId: string | null | undefined) {
  if (ownerId) {
    const [owner] = await db.select({ id: schema.users.id, teamId: schema.users.teamId }).from(schema.users).where(eq(schema.users.id, ownerId));
    if (!owner) throw badRequest('invalid_input', `ownerId: user ${ownerId} does not exist.`, [{ path: 'body.ownerId', message: 'no such user' }]);
    if (actor?.role === 'agent' && owner.id !== actor.id && (!actor.teamId || owner.teamId !== actor.teamId)) {
      throw forbidden('Agents may assign customers only to themselves or to members of their team.');
    }
  }
  if (teamId && actor?.role === 'agent' && teamId !== actor.teamId) {
    throw forbidden('Agents may put customers only in their own team.');
  }
}

type Values = Partial<typeof c.$inferInsert>;

/** Turns API input into column values: phone → E.164 + raw, email lower-cased, custom fields checked. */
async function toValues(
  db: Db,
  actor: AuthUser | null,
  input: CustomerPatch,
  defs: Map<string, FieldDefinition>,
  existingCustom: Record<string, unknown>,
  region: CountryCode,
): Promise<Values> {
  const { phone, phoneRegion, customFields, ...rest } = input;
  const v: Values = { ...(rest as Values) };
  if (phone !== undefined) {
    Object.assign(v, phone === null ? { phone: null, phoneRaw: null } : normalisePhoneField(phone, 'phone', (phoneRegion as CountryCode | null) ?? region));
  }
  if (customFields !== undefined) {
    const rights = fieldRightsOf(defs);
    if (actor) assertMayWriteCustomFields(actor, Object.keys(customFields ?? {}), rights);
    const checked = validateCustomFields(customFields ?? {}, defs);
    const merged = { ...existingCustom };
    for (const [k, val] of Object.entries(checked)) {
      if (val === null) delete merged[k];
      else merged[k] = val;
    }
    v.customFields = merged;
  }
  if (input.optOutEmail !== undefined || input.optOutSms !== undefined || input.optOutWhatsapp !== undefined || input.optOutPhone !== undefined) {
    v.consentUpdatedAt = new Date();
  }
  for (const k of ['optOutEmail', 'optOutWhatsapp', 'optOutSms', 'optOutPhone', 'points'] as const) {
    if (v[k] === null) delete v[k]; // not nullable: null means "leave as is"
  }
  if (v.productsOfInterest === null) v.productsOfInterest = [];
  if (v.preferredContactSlots === null) v.preferredContactSlots = [];
  await checkIndustry(db, input.industry);
  await checkAssignment(db, actor, input.ownerId, input.teamId);
  return v;
}

const CUSTOMER_COLUMNS = new Set(Object.keys(getTableColumns(c)));
/**
 * The customer's insert with its audit row as a CTE: built once per shape (which columns `values`
 * sets, which of them are null; undefined ones take their defaults) and database handle
 * (`preparedOnce`), as drizzle's builder would otherwise list and encode every column of the table
 * for each customer. A null is written into the statement (a placeholder would go through the
 * column's encoder: `null` jsonb, not SQL NULL); the other values fill placeholders, encoded by
 * their columns as drizzle encodes values.
 */
function createCustomerStatement(ctx: AppContext, values: Record<string, unknown>, audit: Record<string, unknown>) {
  const shapeOf = (o: Record<string, unknown>, known?: Set<string>) =>
    Object.keys(o)
      .filter((k) => o[k] !== undefined && (!known || known.has(k)))
      .sort()
      .map((k) => (o[k] === null ? `${k}=null` : k));
  const customer = shapeOf(values, CUSTOMER_COLUMNS);
  const auditShape = shapeOf(audit);
  const place = (prefix: string, shape: string[]) =>
    Object.fromEntries(shape.map((k) => (k.endsWith('=null') ? [k.slice(0, -5), null] : [k, sql.placeholder(prefix + k)])));
  const query = preparedOnce(ctx.db.db, `customers.create:${customer.join(',')}|${auditShape.join(',')}`, () => {
    const db = ctx.db.db;
    const auditCte = db.$with('audit').as(db.insert(schema.auditLog).values(place('a_', auditShape) as never).returning({ id: schema.auditLog.id }));
    return db.with(auditCte).insert(c).values(place('c_', customer) as never).returning().prepare('customers_create');
  });
  const params: Record<string, unknown> = {};
  for (const k of customer) if (!k.endsWith('=null')) params[`c_${k}`] = values[k];
  for (const k of auditShape) if (!k.endsWith('=null')) params[`a_${k}`] = audit[k];
  return query.execute(params);
}

export async function createCustomer(ctx: AppContext, actor: AuthUser | null, input: CustomerCreate): Promise<CustomerRow> {
  // the definitions and the region only when the input has custom fields / a phone (a webhook's
  // e-mail-only customer needs neither: two statements fewer)
  const defs = input.customFields !== undefined ? await loadFieldDefinitions(ctx.db.db) : new Map<string, FieldDefinition>();
  const region = input.phone !== undefined && input.phone !== null && !input.phoneRegion ? await organisationRegion(ctx) : defaultRegion();
  const v = await toValues(ctx.db.db, actor, input, defs, {}, region);
  if (actor?.role === 'agent') {
    v.ownerId ??= actor.id;
    v.teamId ??= actor.teamId;
  }
  const now = nowOf(ctx);
  // the customer row and its audit row in ONE statement (the audit insert a CTE of the customer's
  // insert, the id made here): both or neither, one round trip
  const id = v.id ?? randomUUID();
  const values: Record<string, unknown> = { ...v, id, fullName: input.fullName, source: v.source ?? 'manual', createdAt: now, updatedAt: now };
  const audit = auditValues(actor, { action: 'customer.create', entityType: 'customer', entityId: id, fields: Object.keys(input) });
  const [row] = await createCustomerStatement(ctx, values, audit);
  await emitEvents(ctx, [{ type: 'customer.created', customerId: row!.id, source: row!.source ?? 'manual' }]);
  return row!;
}

const comparable = (x: unknown) => (x instanceof Date ? x.toISOString() : JSON.stringify(x ?? null));

export async function updateCustomer(ctx: AppContext, actor: AuthUser | null, id: string, patch: CustomerPatch) {
  const defs = await loadFieldDefinitions(ctx.db.db);
  const region = await organisationRegion(ctx);
  return ctx.db.db.transaction(async (tx) => {
    const [before] = await tx.select().from(c).where(eq(c.id, id)).for('update');
    if (!before || (actor && !canSee(actor, before))) throw notFound('Customer', id);
    const v = await toValues(tx as unknown as Db, actor, patch, defs, before.customFields, region);
    const changes: { field: string; old: unknown; new: unknown }[] = [];
    for (const [k, val] of Object.entries(v)) {
      if (k === 'consentUpdatedAt') continue;
      const old = before[k as keyof CustomerRow];
      if (comparable(old) !== comparable(val)) changes.push({ field: k, old, new: val });
    }
    if (changes.length === 0) return { row: before, changes };
    const [row] = await tx.update(c).set({ ...v, updatedAt: nowOf(ctx) }).where(eq(c.id, id)).returning();
    await writeAudit(tx, actor, { action: 'customer.update', entityType: 'customer', entityId: id, fields: changes.map((ch) => ch.field) });
    return { row: row!, changes };
  }).then(async (r) => {
    if (r.changes.length) await emitEvents(ctx, [{ type: 'customer.updated', customerId: id, changes: r.changes }]);
    return r;
  });
}

/** Loads a customer the user may see, or throws 404. */
export async function getVisibleCustomer(ctx: AppContext, user: AuthUser, id: string): Promise<CustomerRow> {
  const [row] = await ctx.db.db.select().from(c).where(eq(c.id, id));
  if (!row) throw notFound('Customer', id);
  if (!canSee(user, row)) throw forbidden(`Customer ${id} is not yours or your team's.`);
  return row;
}

export async function tagsOf(db: Db, customerIds: string[], now: Date) {
  const map = new Map<string, { id: string; name: string; color: string; expiresAt: string | null }[]>();
  if (customerIds.length === 0) return map;
  const rows = await db
    .select({
      customerId: schema.customerTags.customerId,
      id: schema.tags.id,
      name: schema.tags.name,
      color: schema.tags.color,
      expiresAt: schema.customerTags.expiresAt,
    })
    .from(schema.customerTags)
    .innerJoin(schema.tags, eq(schema.tags.id, schema.customerTags.tagId))
    .where(
      and(
        inArray(schema.customerTags.customerId, customerIds),
        sql`(${schema.customerTags.expiresAt} is null or ${schema.customerTags.expiresAt} > ${now.toISOString()}::timestamptz)`,
      ),
    )
    .orderBy(sql`lower(${schema.tags.name})`);
  for (const r of rows) {
    const list = map.get(r.customerId) ?? [];
    list.push({ id: r.id, name: r.name, color: r.color, expiresAt: r.expiresAt?.toISOString() ?? null });
    map.set(r.customerId, list);
  }
  return map;
}

/** Row → API shape for this user: contacts masked and restricted custom fields left out as their rights say. */
export function presentCustomer(
  row: CustomerRow,
  tags: CustomerOut['tags'],
  user: AuthUser,
  defs: Map<string, FieldDefinition>,
): CustomerOut {
  const unmasked = seesContacts(user);
  const hidden = hiddenCustomFields(user, fieldRightsOf(defs));
  const customFields = Object.fromEntries(Object.entries(row.customFields ?? {}).filter(([k]) => !hidden.has(k)));
  const out: Record<string, unknown> = {};
  for (const f of customerFields.api) {
    const v = (row as Record<string, unknown>)[f.name];
    if (f.name === 'customFields') out[f.name] = customFields;
    else if (f.mask && !unmasked) out[f.name] = f.mask === 'email' ? maskEmail(v as string | null) : maskPhone(v as string | null);
    else if (v instanceof Date) out[f.name] = v.toISOString();
    else if (f.type === 'number' && v !== null && v !== undefined) out[f.name] = Number(v);
    else out[f.name] = v ?? null;
  }
  return { ...out, tags, masked: !unmasked } as CustomerOut;
}

/** The sensitive fields a user actually saw unmasked (for the audit log). */
export function sensitiveFieldsSeen(row: CustomerRow, user: AuthUser, defs: Map<string, FieldDefinition>): string[] {
  const seen: string[] = [];
  if (seesContacts(user)) {
    if (row.phone) seen.push('phone');
    if (row.email) seen.push('email');
    if (row.whatsappId) seen.push('whatsappId');
  }
  for (const [key] of fieldRightsOf(defs)) {
    if (key in (row.customFields ?? {}) && !hiddenCustomFields(user, fieldRightsOf(defs)).has(key)) seen.push(`customFields.${key}`);
  }
  return seen;
}

/**
 * Adds `delta` points (negative to spend them) atomically and records it on the timeline; the
 * balance may not go below zero. Returns the new balance.
 */
export async function adjustPoints(ctx: AppContext, actor: AuthUser | null, customerId: string, delta: number, reason?: string): Promise<number> {
  if (!Number.isInteger(delta)) throw badRequest('invalid_input', `points: ${delta} is not a whole number.`);
  const result = await ctx.db.db.transaction(async (tx) => {
    const [row] = await tx
      .update(c)
      .set({ points: sql`${c.points} + ${delta}`, updatedAt: nowOf(ctx) })
      .where(and(eq(c.id, customerId), sql`${c.points} + ${delta} >= 0`))
      .returning({ points: c.points });
    if (!row) {
      const [exists] = await tx.select({ points: c.points }).from(c).where(eq(c.id, customerId));
      if (!exists) throw notFound('Customer', customerId);
      throw badRequest('insufficient_points', `Customer ${customerId} has ${exists.points} points; cannot take ${-delta}.`);
    }
    await addInteraction(ctx, actor?.id ?? null, customerId, {
      kind: 'system',
      body: `${delta >= 0 ? '+' : ''}${delta} points${reason ? `: ${reason}` : ''} (balance ${row.points}).`,
      payload: { event: 'points', delta, balance: row.points, reason: reason ?? null },
    }, tx);
    return row.points;
  });
  await emitEvents(ctx, [{ type: 'customer.updated', customerId, changes: [{ field: 'points', old: result - delta, new: result }] }]);
  return result;
}

/** Follow-up = we reached out to the customer. */
/** Entries that move last_follow_up_at (besides last_interaction_at / first_contact_at, moved by every kind but system). */
export const FOLLOW_UP_KINDS: ReadonlySet<string> = new Set(['message_out', 'call']);

export async function addInteraction(
  ctx: AppContext,
  actorId: string | null,
  customerId: string,
  input: InteractionCreate,
  tx?: Tx,
) {
  return (await insertInteraction(ctx, actorId, customerId, input, tx))!;
}

/**
 * A flow step's timeline entry, once per idempotency key and customer (the unique index
 * interactions_idempotency_key_uq): ONE statement inserts it with ON CONFLICT DO NOTHING, moves
 * the customer's contact dates like `addInteraction` does (only when it inserted), and answers the
 * entry's id — a retried step, or one racing a zombie attempt, finds the first entry instead. No
 * order entries here (their spend update stays in `addInteraction`).
 */
const INSERT_ONCE = `with ins as (
    insert into interactions (customer_id, kind, channel, body, payload, occurred_at)
    values ($1::uuid, $2::interaction_kind, $3, $4, $5::jsonb, $6::timestamptz)
    on conflict (customer_id, (payload->>'idempotencyKey')) where (payload->>'idempotencyKey') is not null do nothing
    returning id
  ),
  touched as (
    update customers set
      last_interaction_at = case when $7::boolean then greatest(last_interaction_at, $6::timestamptz) else last_interaction_at end,
      first_contact_at = case when $7::boolean then least(first_contact_at, $6::timestamptz) else first_contact_at end,
      last_follow_up_at = case when $8::boolean then greatest(last_follow_up_at, $6::timestamptz) else last_follow_up_at end
    where id = $1::uuid and ($7::boolean or $8::boolean) and exists (select 1 from ins)
    returning 1
  )
  select id::text as id, true as created from ins
  union all
  select id::text, false from interactions
  where customer_id = $1::uuid and payload->>'idempotencyKey' = $9 and not exists (select 1 from ins)
  limit 1`;

const FIND_BY_KEY = `select id::text as id from interactions where customer_id = $1::uuid and payload->>'idempotencyKey' = $2 limit 1`;

export async function addInteractionOnce(
  ctx: AppContext,
  customerId: string,
  key: string,
  input: Omit<InteractionCreate, 'kind'> & { kind: Exclude<InteractionCreate['kind'], 'order'> },
): Promise<{ id: string; created: boolean }> {
  const occurredAt = (input.occurredAt ?? nowOf(ctx)).toISOString();
  const payload = JSON.stringify({ ...(input.payload ?? {}), idempotencyKey: key });
  const [row] = await ctx.db.sql.query<{ id: string; created: boolean }>(INSERT_ONCE, [
    customerId, input.kind, input.channel ?? null, input.body ?? null, payload, occurredAt,
    input.kind !== 'system', FOLLOW_UP_KINDS.has(input.kind), key,
  ]);
  if (row) return row;
  // the conflicting entry was committed by another transaction after this statement's snapshot
  const [found] = await ctx.db.sql.query<{ id: string }>(FIND_BY_KEY, [customerId, key]);
  if (!found) throw new Error(`Timeline entry ${key} of customer ${customerId} neither inserted nor found`);
  return { id: found.id, created: false };
}

/**
 * A message with the provider's id, on the timeline once: a second delivery of the same message,
 * even a concurrent one, inserts nothing (unique index interactions_provider_message_uq) and
 * gets undefined back.
 */
export async function addProviderMessage(ctx: AppContext, actorId: string | null, customerId: string, input: InteractionCreate, providerMessageId: string) {
  return insertInteraction(ctx, actorId, customerId, input, undefined, providerMessageId);
}

async function insertInteraction(
  ctx: AppContext,
  actorId: string | null,
  customerId: string,
  input: InteractionCreate,
  tx?: Tx,
  providerMessageId?: string,
) {
  const run = async (db: Tx | Db) => {
    const occurredAt = input.occurredAt ?? nowOf(ctx);
    const insert = db
      .insert(schema.interactions)
      .values({
        customerId,
        kind: input.kind,
        channel: input.channel ?? null,
        body: input.body ?? null,
        payload: input.payload ?? {},
        providerMessageId: providerMessageId ?? null,
        createdBy: actorId,
        occurredAt,
      });
    const [row] = providerMessageId ? await insert.onConflictDoNothing().returning() : await insert.returning();
    if (!row) return undefined;
    const ts = occurredAt.toISOString();
    const updates: Record<string, unknown> = {};
    if (input.kind !== 'system') {
      updates.lastInteractionAt = sql`greatest(${c.lastInteractionAt}, ${ts}::timestamptz)`;
      updates.firstContactAt = sql`least(${c.firstContactAt}, ${ts}::timestamptz)`;
    }
    if (FOLLOW_UP_KINDS.has(input.kind)) updates.lastFollowUpAt = sql`greatest(${c.lastFollowUpAt}, ${ts}::timestamptz)`;
    if (input.kind === 'order') updates.totalSpend = sql`${c.totalSpend} + ${Number(input.payload!.amount)}`;
    if (Object.keys(updates).length) await db.update(c).set(updates).where(eq(c.id, customerId));
    return row;
  };
  return tx ? run(tx) : run(ctx.db.db);
}

export const presentInteraction = (r: typeof schema.interactions.$inferSelect) => ({
  id: r.id,
  customerId: r.customerId,
  kind: r.kind,
  channel: r.channel,
  body: r.body,
  payload: r.payload,
  createdBy: r.createdBy,
  occurredAt: r.occurredAt.toISOString(),
});

/**
 * GDPR erasure: the customer row and everything hanging off it (tags, timeline) are deleted;
 * audit entries about them keep only the id, action and actor.
 */
export async function eraseCustomer(ctx: AppContext, actor: AuthUser, id: string, reason?: string) {
  await ctx.db.db.transaction(async (tx) => {
    const [row] = await tx.select({ id: c.id }).from(c).where(eq(c.id, id)).for('update');
    if (!row) throw notFound('Customer', id);
    await tx.delete(c).where(eq(c.id, id));
    await tx
      .update(schema.auditLog)
      .set({ details: null })
      .where(and(eq(schema.auditLog.entityType, 'customer'), eq(schema.auditLog.entityId, id)));
    await writeAudit(tx, actor, { action: 'customer.erase', entityType: 'customer', entityId: id, details: reason ? { reason } : undefined });
  });
  await emitEvents(ctx, [{ type: 'customer.erased', customerId: id }]);
}

/** The registry's mergeable fields: filled from the source when empty on the target. */
const MERGEABLE = customerFields.mergeable.map((f) => f.name as keyof CustomerRow);
const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Merges `sourceId` into `targetId`. Empty target fields take the source's value; where both are
 * non-empty and differ the target's value is kept and the source's is recorded in a timeline
 * entry on the target (never silently dropped). Tags and timeline move over; the source is deleted.
 */
export async function mergeCustomers(ctx: AppContext, actor: AuthUser, targetId: string, sourceId: string) {
  if (targetId === sourceId) throw badRequest('invalid_input', 'A customer cannot be merged into itself.');
  const result = await ctx.db.db.transaction(async (tx) => {
    const rows = await tx.select().from(c).where(inArray(c.id, [targetId, sourceId])).for('update');
    const target = rows.find((r) => r.id === targetId);
    const source = rows.find((r) => r.id === sourceId);
    if (!target) throw notFound('Customer', targetId);
    if (!source) throw notFound('Customer', sourceId);
    const set: Values = {};
    const conflicts: { field: string; kept: unknown; other: unknown }[] = [];
    for (const f of MERGEABLE) {
      const t = target[f];
      const s = source[f];
      if (isEmpty(s)) continue;
      if (isEmpty(t)) (set as Record<string, unknown>)[f] = s;
      else if (comparable(t) !== comparable(s)) conflicts.push({ field: f, kept: t, other: s });
    }
    const products = [...new Set([...target.productsOfInterest, ...source.productsOfInterest])];
    if (products.length > 2) conflicts.push({ field: 'productsOfInterest', kept: target.productsOfInterest, other: source.productsOfInterest });
    else set.productsOfInterest = products;
    const custom = { ...target.customFields };
    for (const [k, v] of Object.entries(source.customFields)) {
      if (isEmpty(custom[k])) custom[k] = v;
      else if (comparable(custom[k]) !== comparable(v)) conflicts.push({ field: `customFields.${k}`, kept: custom[k], other: v });
    }
    set.customFields = custom;
    set.points = target.points + source.points;
    set.totalSpend = Number(target.totalSpend) + Number(source.totalSpend);
    set.optOutEmail = target.optOutEmail || source.optOutEmail;
    set.optOutSms = target.optOutSms || source.optOutSms;
    set.optOutWhatsapp = target.optOutWhatsapp || source.optOutWhatsapp;
    set.optOutPhone = target.optOutPhone || source.optOutPhone;
    set.preferredContactSlots = target.preferredContactSlots.length ? target.preferredContactSlots : source.preferredContactSlots;
    if (source.fullName !== target.fullName) conflicts.push({ field: 'fullName', kept: target.fullName, other: source.fullName });
    set.updatedAt = nowOf(ctx);
    await tx.update(c).set(set).where(eq(c.id, targetId));
    // tags: keep the later expiry (null = never) when both have the tag
    await tx.execute(sql`
      insert into customer_tags (customer_id, tag_id, added_at, expires_at, added_by, source)
      select ${targetId}::uuid, tag_id, added_at, expires_at, added_by, source from customer_tags where customer_id = ${sourceId}::uuid
      on conflict (customer_id, tag_id) do update set expires_at =
        case when customer_tags.expires_at is null or excluded.expires_at is null then null
             else greatest(customer_tags.expires_at, excluded.expires_at) end`);
    await tx.update(schema.interactions).set({ customerId: targetId }).where(eq(schema.interactions.customerId, sourceId));
    // the source's channel identities (how inbound messages find a customer) now lead to the target
    await tx.update(schema.customerChannelIdentities).set({ customerId: targetId }).where(eq(schema.customerChannelIdentities.customerId, sourceId));
    await tx.delete(c).where(eq(c.id, sourceId));
    await addInteraction(ctx, actor.id, targetId, {
      kind: 'system',
      body: `Merged customer ${source.fullName} (${sourceId}) into this record${conflicts.length ? `; ${conflicts.length} conflicting value(s) kept in payload.conflicts` : ''}.`,
      payload: { event: 'merge', mergedId: sourceId, mergedName: source.fullName, conflicts },
    }, tx);
    await writeAudit(tx, actor, {
      action: 'customer.merge',
      entityType: 'customer',
      entityId: targetId,
      fields: [...Object.keys(set), ...conflicts.map((x) => x.field)],
      details: { mergedId: sourceId, conflicts: conflicts.map((x) => x.field) },
    });
    return { conflicts };
  });
  const events: DomainEvent[] = [{ type: 'customer.erased', customerId: sourceId }];
  await emitEvents(ctx, events);
  return result;
}

