/**
 * The webhook / form trigger: `POST /api/hooks/<hookId>` starts every published flow whose
 * trigger is `trigger.webhook` with that hook id, for the customer the body identifies.
 *
 * Order of work, each step able to refuse with a 4xx before anything is written:
 *  1. the hook must belong to an active flow (404), the secret checked (401 / 503),
 *  2. the body parsed (JSON object or form fields; 400 / 415) and the identifier read and checked
 *     for every listening flow (400 naming the field),
 *  3. the idempotency key (header `Idempotency-Key`, or the flow's `idempotencyField`) claimed in
 *     `hook_requests`: a repeat waits for the first request and gets its answer (same run id),
 *  4. the customer found or created (one at a time per identifier in this process), the flows
 *     enrolled through `enrollCustomer` with the enrollment key `hook:<key>`, the answer stored.
 * Answers carry ids only (run, flow, customer): never the phone or e-mail sent.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { preparedOnce, schema } from '@nudge/db';
import { findNode, webhookBodyValue, webhookCustomerIdentifier, webhookTrigger } from '@nudge/workflow-nodes';
import type { z } from 'zod';
import { nowOf, type AppContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { createCustomer, normalisePhoneField } from '../customers/index.js';
import { enrollCustomer, EnrollmentError, type EnrollSkipReason } from '../flows/runtime/enroll.js';
import { activeFlows } from '../flows/runtime/triggers.js';

export type WebhookConfig = z.output<typeof webhookTrigger.config>;

export interface HookFlow {
  flowId: string;
  config: WebhookConfig;
}

/** The active flows listening on `hookId` (the active-flow list is cached for a second). */
export async function hookFlows(ctx: AppContext, hookId: string): Promise<HookFlow[]> {
  const out: HookFlow[] = [];
  for (const flow of await activeFlows(ctx)) {
    const trigger = flow.plan.trigger;
    if (!trigger.key.startsWith('trigger.webhook@') || (trigger.config as { hookId?: unknown }).hookId !== hookId) continue;
    const parsed = (findNode(trigger.key)?.config ?? webhookTrigger.config).safeParse(trigger.config);
    if (parsed.success) out.push({ flowId: flow.flowId, config: parsed.data as WebhookConfig });
    else console.error(`[hooks] flow ${flow.flowId} has an unreadable webhook trigger; hook ${hookId} ignores it`);
  }
  return out;
}

/** The lowest limit of the flows sharing a hook. */
export const hookRateLimit = (flows: HookFlow[]): number => Math.min(...flows.map((f) => f.config.rateLimitPerMinute));

// ------------------------------------------------------------------ secrets

export const SIGNATURE_HEADER = 'x-nudge-signature';

/** Creates (or replaces) the hook's secret and returns it: the only time it is shown. */
export async function rotateHookSecret(ctx: AppContext, hookId: string): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await ctx.db.db
    .insert(schema.hookSecrets)
    .values({ hookId, secret })
    .onConflictDoUpdate({ target: schema.hookSecrets.hookId, set: { secret, createdAt: nowOf(ctx) } });
  return secret;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** HMAC-SHA256 of the raw body as `sha256=<hex>`, what a sender puts in X-Nudge-Signature. */
export const signHookBody = (secret: string, body: Buffer | string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Checks the signature or token the hook's flows require; throws 401 / 503. */
export async function checkHookAuth(ctx: AppContext, hookId: string, flows: HookFlow[], raw: Buffer, header: (name: string) => string | undefined) {
  const modes = new Set(flows.map((f) => f.config.auth));
  if (!modes.has('hmac') && !modes.has('token')) return;
  const [row] = await ctx.db.db.select({ secret: schema.hookSecrets.secret }).from(schema.hookSecrets).where(eq(schema.hookSecrets.hookId, hookId));
  if (!row) {
    throw new HttpError(503, 'not_configured', `Hook ${hookId} requires a secret but has none yet: an admin or manager creates it with POST /api/hooks/${hookId}/secret.`);
  }
  if (modes.has('hmac')) {
    const given = header(SIGNATURE_HEADER)?.trim();
    if (!given) throw new HttpError(401, 'signature_missing', `Hook ${hookId} needs the header X-Nudge-Signature: sha256=<hex HMAC-SHA256 of the raw body with the hook's secret>.`);
    const want = signHookBody(row.secret, raw);
    if (!sameText(given.startsWith('sha256=') ? given : `sha256=${given}`, want)) {
      throw new HttpError(401, 'bad_signature', 'X-Nudge-Signature does not match the body signed with the hook’s secret (HMAC-SHA256 over the exact bytes sent).');
    }
  }
  if (modes.has('token')) {
    const bearer = header('authorization')?.replace(/^Bearer\s+/i, '').trim() ?? header('x-nudge-token')?.trim();
    if (!bearer) throw new HttpError(401, 'token_missing', `Hook ${hookId} needs its secret as Authorization: Bearer <secret> (or X-Nudge-Token).`);
    if (!sameText(bearer, row.secret)) throw new HttpError(401, 'bad_token', 'The token does not match the hook’s secret.');
  }
}

// ------------------------------------------------------------------ body

/** The body as an object: a JSON object, or the fields of an HTML form (application/x-www-form-urlencoded). */
export function parseHookBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `body: not valid JSON (${(err as Error).message.slice(0, 200)}).`, [{ path: 'body', message: 'not valid JSON' }]);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new HttpError(400, 'invalid_input', 'body: send one JSON object, e.g. {"email": "ana@example.com"}.', [{ path: 'body', message: 'expected an object' }]);
    }
    return value as Record<string, unknown>;
  }
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(raw.toString('utf8'));
    const out: Record<string, unknown> = {};
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      out[key] = all.length === 1 ? all[0] : all;
    }
    return out;
  }
  throw new HttpError(415, 'unsupported_media_type', `Send the body as application/json or application/x-www-form-urlencoded (got ${type || 'no Content-Type'}).`);
}

type Identity =
  | { by: 'email'; email: string }
  | { by: 'phone'; phone: string }
  | { by: 'customer_id'; id: string }
  | { by: 'external_id'; key: string; value: string };

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalidField(field: string, message: string, status = 400, code = 'invalid_input'): HttpError {
  return new HttpError(status, code, `body.${field}: ${message}`, [{ path: `body.${field}`, message }]);
}

/** Who the body is about, checked (the value is never echoed: it may be a phone or e-mail). */
export function identityOf(cfg: WebhookConfig, body: Record<string, unknown>): Identity {
  const field = cfg.identifierField;
  const read = webhookCustomerIdentifier(cfg, body);
  if (!read.ok) throw invalidField(field, `missing: this hook finds the customer by ${cfg.identifyBy.replace('_', ' ')} in "${field}".`);
  if (read.value.length > 320) throw invalidField(field, 'longer than 320 characters.');
  switch (cfg.identifyBy) {
    case 'email':
      if (!EMAIL.test(read.value)) throw invalidField(field, 'not an e-mail address.');
      return { by: 'email', email: read.value };
    case 'phone':
      try {
        return { by: 'phone', phone: normalisePhoneField(read.value, field).phone };
      } catch {
        throw invalidField(field, `not a valid phone number (write it with its +country code).`);
      }
    case 'customer_id':
      if (!UUID.test(read.value)) throw invalidField(field, 'not a customer id (a UUID).');
      return { by: 'customer_id', id: read.value.toLowerCase() };
    case 'external_id':
      return { by: 'external_id', key: cfg.externalIdKey!, value: read.value };
  }
  throw invalidField(field, `unknown way to identify a customer (${String(cfg.identifyBy)}).`);
}

const identityKey = (i: Identity) =>
  i.by === 'email' ? `e:${i.email}` : i.by === 'phone' ? `p:${i.phone}` : i.by === 'customer_id' ? `i:${i.id}` : `x:${i.key}:${i.value}`;

/** The oldest live customer with this identity, by kind of identity: built once per database handle. */
const findCustomerQuery = (ctx: AppContext, by: Identity['by']) =>
  preparedOnce(ctx.db.db, `hooks.find:${by}`, () => {
    const c = schema.customers;
    const v = sql.placeholder('v');
    const where = by === 'email' ? eq(c.email, v) : by === 'phone' ? eq(c.phone, v) : by === 'customer_id' ? eq(c.id, v) : sql`${c.customFields} @> ${v}::jsonb`;
    return ctx.db.db.select({ id: c.id }).from(c).where(and(where, sql`${c.archivedAt} is null`)).orderBy(c.createdAt).limit(1).prepare(`hooks_find_${by}`);
  });

async function findCustomer(ctx: AppContext, i: Identity): Promise<string | undefined> {
  const v = i.by === 'email' ? i.email : i.by === 'phone' ? i.phone : i.by === 'customer_id' ? i.id : JSON.stringify({ [i.key]: i.value });
  const [row] = await findCustomerQuery(ctx, i.by).execute({ v });
  return row?.id;
}

/** One holder per key at a time in this process; the map holds only keys in use. */
const locks = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = locks.get(key) ?? Promise.resolve();
  const mine = before.then(work, work);
  const tail = mine.catch(() => {});
  locks.set(key, tail);
  try {
    return await mine;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}
/** For tests and the soak: how many identifier locks are held (0 at rest). */
export const heldLocks = () => locks.size;

async function findOrCreateCustomer(ctx: AppContext, cfg: WebhookConfig, i: Identity, body: Record<string, unknown>): Promise<{ id: string; created: boolean }> {
  return oneAtATime(identityKey(i), async () => {
    const found = await findCustomer(ctx, i);
    if (found) return { id: found, created: false };
    if (!cfg.createMissingCustomer || i.by === 'customer_id') {
      throw invalidField(cfg.identifierField, 'no customer has this value, and this hook does not create customers.', 422, 'customer_not_found');
    }
    const name = webhookBodyValue(body, cfg.nameField);
    const fullName = (typeof name === 'string' && name.trim() ? name.trim() : i.by === 'email' ? i.email : i.by === 'phone' ? i.phone : i.value).slice(0, 200);
    const customer = await createCustomer(ctx, null, {
      fullName,
      source: 'webhook',
      ...(i.by === 'email' ? { email: i.email } : {}),
      ...(i.by === 'phone' ? { phone: i.phone } : {}),
      ...(i.by === 'external_id' ? { customFields: { [i.key]: i.value } } : {}),
    } as never);
    return { id: customer.id, created: true };
  });
}

// ------------------------------------------------------------------ idempotency

export interface HookAnswer {
  /** the run started (or found) for the first listening flow; null when it was skipped */
  runId: string | null;
  customerId: string;
  customerCreated: boolean;
  runs: { flowId: string; runId: string | null; outcome: 'started' | 'existing' | 'skipped'; reason?: EnrollSkipReason }[];
  /** true when this answer is the one given to an earlier request with the same idempotency key */
  replayed: boolean;
}

const LEASE_MS = 30_000;
const WAIT_FOR_FIRST_MS = 20_000;
const KEEP_KEYS_MS = 24 * 3_600_000;

/** The request's idempotency key: the header, else the first listening flow's `idempotencyField` in the body. */
export function idempotencyKeyOf(flows: HookFlow[], body: Record<string, unknown>, header: string | undefined): string | null {
  if (header !== undefined) {
    const key = header.trim();
    if (key === '' || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new HttpError(400, 'invalid_input', 'Idempotency-Key: 1–200 visible ASCII characters, e.g. a UUID.', [{ path: 'headers.idempotency-key', message: '1–200 visible ASCII characters' }]);
    }
    return `h:${key}`;
  }
  for (const f of flows) {
    if (!f.config.idempotencyField) continue;
    let v = webhookBodyValue(body, f.config.idempotencyField);
    if (typeof v === 'number') v = String(v);
    if (typeof v !== 'string' || v.trim() === '' || v.length > 200) {
      throw invalidField(f.config.idempotencyField, 'missing: this hook tells requests apart by this field (1–200 characters).');
    }
    return `f:${v.trim()}`;
  }
  return null;
}

type Claim = { mine: true } | { mine: false; answer: HookAnswer };

/** The claim of a key: built once per database handle (it runs once per request). */
const claimQuery = (ctx: AppContext) =>
  preparedOnce(ctx.db.db, 'hooks.claim', () => {
    const r = schema.hookRequests;
    return ctx.db.db
      .insert(r)
      .values({ hookId: sql.placeholder('hookId'), idempotencyKey: sql.placeholder('key'), bodyHash: sql.placeholder('bodyHash') })
      .onConflictDoNothing()
      .returning({ key: r.idempotencyKey })
      .prepare('hooks_claim');
  });

async function claimKey(ctx: AppContext, hookId: string, key: string, bodyHash: string): Promise<Claim> {
  const r = schema.hookRequests;
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const [claimed] = await claimQuery(ctx).execute({ hookId, key, bodyHash });
    if (claimed) return { mine: true };
    const [row] = await ctx.db.db.select().from(r).where(and(eq(r.hookId, hookId), eq(r.idempotencyKey, key)));
    if (row) {
      if (row.bodyHash !== bodyHash) {
        throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used before with a different body: use a new key for a new request.');
      }
      if (row.response) return { mine: false, answer: { ...(row.response as unknown as HookAnswer), replayed: true } };
      // the first request died holding it (a crash): take it over once its lease is over
      const [taken] = await ctx.db.db
        .update(r)
        .set({ claimedAt: new Date() })
        .where(and(eq(r.hookId, hookId), eq(r.idempotencyKey, key), sql`${r.response} is null`, sql`${r.claimedAt} < now() - (${LEASE_MS} * interval '1 millisecond')`))
        .returning({ key: r.idempotencyKey });
      if (taken) return { mine: true };
    }
    if (Date.now() > deadline) {
      throw new HttpError(409, 'in_progress', 'A request with this Idempotency-Key is still being handled; try again in a few seconds.');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let sinceCleanup = 0;
async function forgetOldKeys(ctx: AppContext) {
  if (++sinceCleanup < 500) return;
  sinceCleanup = 0;
  await ctx.db.db.delete(schema.hookRequests).where(sql`${schema.hookRequests.createdAt} < now() - (${KEEP_KEYS_MS} * interval '1 millisecond')`);
}

// ------------------------------------------------------------------ the request

export async function receiveHook(
  ctx: AppContext,
  hookId: string,
  flows: HookFlow[],
  request: { raw: Buffer; body: Record<string, unknown>; idempotencyHeader: string | undefined },
): Promise<HookAnswer> {
  // every check before anything is written
  const identities = flows.map((f) => identityOf(f.config, request.body));
  const key = idempotencyKeyOf(flows, request.body, request.idempotencyHeader);
  const bodyHash = createHash('sha256').update(request.raw).digest('hex');
  if (key) {
    const claim = await claimKey(ctx, hookId, key, bodyHash);
    if (!claim.mine) return claim.answer;
  }
  const runIds: { id: string; t: string }[] = [];
  try {
    const answer = await enrollAll(ctx, hookId, flows, identities, request.body, key ?? `r:${randomUUID()}`, runIds);
    // one statement: the started runs' Temporal run ids and the stored answer
    if (key) await ctx.db.sql.query(RECORD_ANSWER, [JSON.stringify(runIds), JSON.stringify(answer), hookId, key]);
    else if (runIds.length) await ctx.db.sql.query(RECORD_RUN_IDS, [JSON.stringify(runIds)]);
    forgetOldKeys(ctx).catch((err) => console.error('[hooks] forgetting old idempotency keys failed:', err));
    return answer;
  } catch (err) {
    // runs that did start (an earlier flow of the hook) keep their Temporal run id
    if (runIds.length) await ctx.db.sql.query(RECORD_RUN_IDS, [JSON.stringify(runIds)]).catch(() => {});
    // nothing answered: let a retry with the same key try again at once
    if (key) {
      await ctx.db.db
        .delete(schema.hookRequests)
        .where(and(eq(schema.hookRequests.hookId, hookId), eq(schema.hookRequests.idempotencyKey, key), sql`${schema.hookRequests.response} is null`))
        .catch(() => {});
    }
    throw err;
  }
}

// `r.id = any(array(…))`: the planner takes jsonb_to_recordset for 100 rows whatever it holds, and
// against a flow_runs of a few thousand rows chose a hash join over a sequential scan of the whole
// table (3 ms at 8,000 runs, growing with them); with the ids as an array it probes the primary key
const RECORD_RUN_IDS = `update flow_runs r set temporal_run_id = v.t from jsonb_to_recordset($1::jsonb) as v(id uuid, t text)
  where r.id = v.id and r.id = any(array(select (e->>'id')::uuid from jsonb_array_elements($1::jsonb) e))`;
const RECORD_ANSWER = `with runs as (${RECORD_RUN_IDS} returning 1)
  update hook_requests set response = $2::jsonb, status = 'done' where hook_id = $3 and idempotency_key = $4`;

async function enrollAll(
  ctx: AppContext,
  hookId: string,
  flows: HookFlow[],
  identities: Identity[],
  body: Record<string, unknown>,
  key: string,
  /** filled with the started runs whose Temporal run id the caller writes */
  runIds: { id: string; t: string }[],
): Promise<HookAnswer> {
  const at = nowOf(ctx).getTime();
  const runs: HookAnswer['runs'] = [];
  let customerId = '';
  let customerCreated = false;
  for (const [n, flow] of flows.entries()) {
    const customer = await findOrCreateCustomer(ctx, flow.config, identities[n]!, body);
    if (n === 0) {
      customerId = customer.id;
      customerCreated = customer.created;
    }
    try {
      const r = await enrollCustomer(ctx, {
        flowId: flow.flowId,
        customerId: customer.id,
        enrollmentKey: `hook:${hookId}:${key}`,
        triggerEvent: { type: 'webhook.received', customerId: customer.id, at, data: { hook: hookId, payload: body } },
        recordRunId: false,
      });
      if (r.runIdToRecord && r.run) runIds.push({ id: r.run.id, t: r.runIdToRecord });
      runs.push({ flowId: flow.flowId, runId: r.outcome === 'skipped' ? null : (r.run?.id ?? null), outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) });
    } catch (err) {
      if (err instanceof EnrollmentError && err.code === 'engine_unavailable') throw new HttpError(503, 'engine_unavailable', err.message);
      throw err;
    }
  }
  return { runId: runs.find((r) => r.runId)?.runId ?? null, customerId, customerCreated, runs, replayed: false };
}
