/**
 * The NodeContext of a real run: customers, tags, owners, timeline, messages and webhooks over
 * the database and @nudge/channels. Writes that may be retried (a task, a note, a send) carry the
 * step's idempotency key, so an activity retried after a crash does not do them twice.
 * `recordingContext` wraps it for test runs: reads stay real, writes are recorded instead.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { customerFields, preparedOnce, schema } from '@nudge/db';
import type { Channels, SendOptions } from '@nudge/channels';
import {
  customerSnapshotSchema,
  NonRetryableNodeError,
  type CustomerSnapshot,
  type NodeContext,
  type OwnerCandidate,
  type RunInfo,
} from '@nudge/workflow-nodes';
import { nowOf, type AppContext } from '../../context.js';
import { addInteraction, addInteractionOnce, adjustPoints, updateCustomer, CustomerPatch, FOLLOW_UP_KINDS } from '../../customers/index.js';
import { HttpError } from '../../http/errors.js';
import { customerInSegment } from '../../segments/index.js';
import { addTag, removeTag } from '../../tags/index.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface NodeContextDeps {
  app: AppContext;
  channels?: Channels;
  /** allow webhooks to private / loopback addresses (NUDGE_WEBHOOK_ALLOW_PRIVATE=1) */
  allowPrivateWebhooks?: boolean;
  /** start another flow for a customer (enrollCustomer); given by the runtime */
  startFlow?: (flowId: string, customerId: string, enrollmentKey: string) => Promise<{ runId: string | null }>;
}

/** HTTP 4xx from the customer services: a person must fix it, retrying will not help. */
async function orNonRetryable<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError && err.status >= 400 && err.status < 500) throw new NonRetryableNodeError(`${what}: ${err.message}`, err.code);
    throw err;
  }
}

/** The registry's `condition` fields of a row, by API name (instants as ISO strings). */
function conditionFields(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    customerFields.condition.map((f) => {
      const v = row[f.name];
      return [f.name, v instanceof Date ? v.toISOString() : (v ?? null)];
    }),
  );
}

/** The snapshot query, built once per database handle (drizzle's prepared query: the SQL text and its mapping are made once, not per step). */
function snapshotQuery(db: AppContext['db']['db']) {
  const c = schema.customers;
  return db
    .select({
      c,
      ownerName: schema.users.name,
      tags: sql<string[] | null>`(select array_agg(t.name order by t.name) from customer_tags ct join tags t on t.id = ct.tag_id
        where ct.customer_id = ${c.id} and (ct.expires_at is null or ct.expires_at > ${sql.placeholder('now')}::timestamptz))`,
      // the first instant a tag of the snapshot expires: a chain's cached snapshot is good until then
      nextExpiry: sql<string | null>`(select min(ct.expires_at)::text from customer_tags ct
        where ct.customer_id = ${c.id} and ct.expires_at > ${sql.placeholder('now')}::timestamptz)`,
    })
    .from(c)
    .leftJoin(schema.users, eq(schema.users.id, c.ownerId))
    .where(eq(c.id, sql.placeholder('customerId')))
    .prepare('flow_customer_snapshot');
}

export async function loadCustomerSnapshot(app: AppContext, customerId: string, nowMs: number): Promise<CustomerSnapshot | null> {
  return (await readCustomerSnapshot(app, customerId, nowMs))?.snapshot ?? null;
}

/** The snapshot and until when it holds (the next expiry of one of its tags; Infinity if none). */
async function readCustomerSnapshot(app: AppContext, customerId: string, nowMs: number): Promise<{ snapshot: CustomerSnapshot; untilMs: number } | null> {
  const { db } = app.db;
  const query = preparedOnce(db, 'flows.customerSnapshot', () => snapshotQuery(db));
  const [row] = await query.execute({ customerId, now: new Date(nowMs).toISOString() });
  if (!row) return null;
  const r = row.c;
  const untilMs = row.nextExpiry === null ? Infinity : new Date(row.nextExpiry).getTime();
  return { untilMs: Number.isNaN(untilMs) ? nowMs : untilMs, snapshot: snapshotOf(row, r) };
}

function snapshotOf(row: { ownerName: string | null; tags: string[] | null }, r: typeof schema.customers.$inferSelect): CustomerSnapshot {
  return customerSnapshotSchema.parse({
    id: r.id,
    name: r.fullName,
    company: r.company,
    email: r.email,
    phone: r.phone,
    whatsappId: r.whatsappId,
    ownerId: r.ownerId,
    ownerName: row.ownerName,
    timezone: r.timezone,
    birthday: r.birthday,
    tags: row.tags ?? [],
    fields: conditionFields(r),
    custom: r.customFields ?? {},
    lastProduct: r.productsOfInterest[0] ?? null,
    preferredContactSlots: (r.preferredContactSlots ?? []).map((s) => ({ weekday: WEEKDAYS[s.weekday] ?? 'mon', part: s.part })),
    consent: { email: !r.optOutEmail, whatsapp: !r.optOutWhatsapp, sms: !r.optOutSms },
  });
}

/** Loopback, private, link-local, CGNAT, unique-local and unspecified addresses. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}

async function assertPublicUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NonRetryableNodeError(`Webhook URL "${url}" is not a valid URL`, 'invalid_url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NonRetryableNodeError(`Webhook URL must be http or https, not ${parsed.protocol}`, 'invalid_url');
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const blocked = addresses.find(isPrivateAddress);
  if (blocked) {
    throw new NonRetryableNodeError(
      `Webhook URL ${parsed.host} resolves to the private address ${blocked}; calls to internal addresses are blocked (set NUDGE_WEBHOOK_ALLOW_PRIVATE=1 to allow them).`,
      'private_address',
    );
  }
}

/** Finds an earlier timeline entry written by this step (same idempotency key). */
async function interactionByKey(app: AppContext, customerId: string, key: string) {
  const [row] = await app.db.db
    .select({ id: schema.interactions.id })
    .from(schema.interactions)
    .where(and(eq(schema.interactions.customerId, customerId), sql`${schema.interactions.payload}->>'idempotencyKey' = ${key}`))
    .limit(1);
  return row ?? null;
}

/** How a send of this step may wait on the ledger (another attempt's lease, an unknown outcome), and whom to tell. */
export type StepSendOptions = SendOptions;

/**
 * The run's customer as the steps of ONE chain (runSteps) see it: read by the first step that asks,
 * then answered from here — one snapshot statement per chain instead of one per step. It holds
 * only while nothing but the chain's own known writes changed it: any write of a step (tag, field,
 * owner, priority, points, …) drops it (the next step reads again), a timeline entry moves its
 * contact dates exactly as the entry's statement moves the row's (greatest / least), and it ends
 * when one of its tags expires (the snapshot query answers the next expiry).
 */
export class ChainCustomer {
  private cached: { snapshot: CustomerSnapshot; untilMs: number } | null = null;
  /** snapshot statements sent (tests) */
  reads = 0;
  constructor(readonly customerId: string) {}

  async get(app: AppContext, nowMs: number): Promise<CustomerSnapshot | null> {
    if (!this.cached || nowMs >= this.cached.untilMs) {
      this.reads += 1;
      this.cached = await readCustomerSnapshot(app, this.customerId, nowMs);
      if (!this.cached) return null;
    }
    return structuredClone(this.cached.snapshot);
  }

  /** a write whose effect on the snapshot is not known here */
  drop(): void {
    this.cached = null;
  }

  /** a timeline entry at `at` was inserted: the row's contact dates moved as addInteractionOnce moves them */
  entryAdded(kind: string, at: Date): void {
    if (!this.cached) return;
    const f = this.cached.snapshot.fields;
    // SQL's greatest / least: a null date becomes the entry's
    const move = (k: string, keep: (old: number) => boolean) => {
      if (!(k in f)) return;
      const old = f[k] === null || f[k] === undefined ? NaN : new Date(String(f[k])).getTime();
      if (Number.isNaN(old) || !keep(old)) f[k] = at.toISOString();
    };
    if (kind !== 'system') {
      move('lastInteractionAt', (old) => old >= at.getTime());
      move('firstContactAt', (old) => old <= at.getTime());
    }
    if (FOLLOW_UP_KINDS.has(kind)) move('lastFollowUpAt', (old) => old >= at.getTime());
  }
}

export function createDbNodeContext(deps: NodeContextDeps, run: RunInfo, nowMs: number, sendOptions: StepSendOptions = {}, chain?: ChainCustomer): NodeContext {
  const context = dbNodeContext(deps, run, nowMs, sendOptions, chain);
  return chain ? withChainCustomer(context, deps.app, nowMs, chain) : context;
}

/** Every write of a step drops the chain's snapshot (before it starts: a failed write may have changed something). */
function withChainCustomer(context: NodeContext, app: AppContext, nowMs: number, chain: ChainCustomer): NodeContext {
  const dropping = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    chain.drop();
    try {
      return await fn(...args);
    } finally {
      chain.drop();
    }
  };
  const { customers, notifications, messaging, http, flows } = context;
  return {
    ...context,
    customers: {
      ...customers,
      get: (id) => (id === chain.customerId ? chain.get(app, nowMs) : customers.get(id)),
      updateField: dropping(customers.updateField),
      addTag: dropping(customers.addTag),
      removeTag: dropping(customers.removeTag),
      setOwner: dropping(customers.setOwner),
      setPriority: dropping(customers.setPriority),
      changePoints: dropping(customers.changePoints),
    },
    // the timeline's own entries (addNote, createTask: dbNodeContext tells the chain what they moved)
    notifications: { notifyUser: dropping(notifications.notifyUser) },
    messaging: { ...messaging, send: dropping(messaging.send) },
    http: { request: dropping(http.request) },
    flows: { start: dropping(flows.start) },
  };
}

function dbNodeContext(deps: NodeContextDeps, run: RunInfo, nowMs: number, sendOptions: StepSendOptions, chain: ChainCustomer | undefined): NodeContext {
  const { app } = deps;
  /** a timeline entry of the chain's customer: the chain's snapshot moves its contact dates (or is dropped if the entry is someone else's) */
  const entryOnce = async (customerId: string, key: string, input: Parameters<typeof addInteractionOnce>[3]) => {
    if (!chain) return addInteractionOnce(app, customerId, key, input);
    const at = input.occurredAt ?? nowOf(app);
    try {
      const row = await addInteractionOnce(app, customerId, key, { ...input, occurredAt: at });
      if (customerId !== chain.customerId) chain.drop();
      else if (row.created) chain.entryAdded(input.kind, at);
      return row;
    } catch (err) {
      chain.drop();
      throw err;
    }
  };
  const { db } = app.db;
  const source = { flowId: run.flowId, runId: run.runId, nodeId: run.nodeId, idempotencyKey: run.idempotencyKey };
  const patch = (customerId: string, values: Record<string, unknown>, what: string) =>
    orNonRetryable(what, async () => {
      const parsed = CustomerPatch.safeParse(values);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new NonRetryableNodeError(`${what}: ${issue.path.join('.') || 'value'}: ${issue.message}`, 'invalid_value');
      }
      await updateCustomer(app, null, customerId, parsed.data);
    });

  return {
    run,
    now: () => nowMs,
    log: {
      info: () => {},
      warn: (message, data) => console.warn(`[flow ${run.flowId} run ${run.runId} ${run.nodeId}] ${message}`, data ?? ''),
      error: (message, data) => console.error(`[flow ${run.flowId} run ${run.runId} ${run.nodeId}] ${message}`, data ?? ''),
    },
    customers: {
      get: (id) => loadCustomerSnapshot(app, id, nowMs),
      inSegment: (id, segmentId) => orNonRetryable(`Segment ${segmentId}`, () => customerInSegment(app.db, segmentId, id, new Date(nowMs))),
      updateField: async (id, field, value) => {
        if (field.startsWith('custom.')) return patch(id, { customFields: { [field.slice(7)]: value } }, `Field ${field}`);
        return patch(id, { [field]: value }, `Field ${field}`);
      },
      addTag: async (id, tag, { expiresAt }) => {
        await orNonRetryable(`Tag "${tag}"`, () => addTag(app, null, id, tag, { expiresAt: expiresAt === null ? null : new Date(expiresAt), source: `flow:${run.flowId}` }));
      },
      removeTag: (id, tag) => orNonRetryable(`Tag "${tag}"`, () => removeTag(app, null, id, tag)),
      setOwner: async (id, userId) => {
        await patch(id, { ownerId: userId }, 'Owner');
        await addInteractionOnce(app, id, `${run.idempotencyKey}:owner`, { kind: 'system', body: 'Owner assigned by a flow.', payload: { event: 'owner_assigned', ownerId: userId, ...source } });
      },
      setPriority: (id, priority) => patch(id, { priority }, 'Priority'),
      changePoints: async (id, delta, reason) => {
        // the timeline entry of adjustPoints has no key; guard retries with our own marker row
        const marker = await interactionByKey(app, id, `${run.idempotencyKey}:points`);
        if (marker) {
          const [row] = await db.select({ points: schema.customers.points }).from(schema.customers).where(eq(schema.customers.id, id));
          return row?.points ?? 0;
        }
        const balance = await orNonRetryable('Points', () => adjustPoints(app, null, id, delta, reason));
        await addInteraction(app, null, id, { kind: 'flow_step', body: `Flow changed points by ${delta}.`, payload: { event: 'points_changed', delta, ...source, idempotencyKey: `${run.idempotencyKey}:points` } });
        return balance;
      },
    },
    users: {
      ownerCandidates: async ({ teamId, userIds }) => {
        const u = schema.users;
        const filters = [eq(u.active, true), inArray(u.role, ['admin', 'manager', 'agent'])];
        if (teamId) filters.push(eq(u.teamId, teamId));
        if (userIds?.length) filters.push(inArray(u.id, userIds));
        const users = await db.select({ id: u.id, name: u.name }).from(u).where(and(...filters));
        if (users.length === 0) return [];
        const ids = users.map((x) => x.id);
        const open = await db
          .select({ ownerId: schema.customers.ownerId, n: sql<number>`count(*)::int` })
          .from(schema.customers)
          .where(and(inArray(schema.customers.ownerId, ids), isNull(schema.customers.archivedAt)))
          .groupBy(schema.customers.ownerId);
        const last = await db
          .select({ ownerId: sql<string>`${schema.interactions.payload}->>'ownerId'`, at: sql<Date>`max(${schema.interactions.occurredAt})` })
          .from(schema.interactions)
          .where(and(eq(schema.interactions.kind, 'system'), sql`${schema.interactions.payload}->>'event' = 'owner_assigned'`, inArray(sql`${schema.interactions.payload}->>'ownerId'`, ids)))
          .groupBy(sql`${schema.interactions.payload}->>'ownerId'`);
        const openBy = new Map(open.map((o) => [o.ownerId, Number(o.n)]));
        const lastBy = new Map(last.map((l) => [l.ownerId, new Date(l.at).getTime()]));
        return users.map((x): OwnerCandidate => ({ id: x.id, name: x.name, openCount: openBy.get(x.id) ?? 0, lastAssignedAt: lastBy.get(x.id) ?? null, capacity: null }));
      },
      exists: async (id) => {
        const rows = await db.select({ id: schema.users.id }).from(schema.users).where(and(eq(schema.users.id, id), eq(schema.users.active, true)));
        return rows.length > 0;
      },
    },
    timeline: {
      addNote: async (customerId, text) => {
        const row = await entryOnce(customerId, run.idempotencyKey, { kind: 'note', body: text, payload: source });
        return { noteId: row.id };
      },
      createTask: async (task) => {
        const row = await entryOnce(task.customerId, run.idempotencyKey, {
          kind: 'task',
          body: task.title,
          payload: { taskType: task.taskType, assigneeId: task.assigneeId, dueAt: new Date(task.dueAt).toISOString(), notes: task.notes, status: 'open', ...source },
        });
        return { taskId: row.id };
      },
    },
    notifications: {
      // no inbox table yet: a notification is a system entry on the customer's timeline addressed to the user
      notifyUser: async (userId, message) => {
        await addInteractionOnce(app, message.customerId, run.idempotencyKey, {
          kind: 'system',
          body: `${message.title}: ${message.body}`,
          payload: { event: 'notify_user', userId, title: message.title, ...source },
        });
      },
    },
    messaging: {
      getTemplate: async (templateId) => {
        if (!/^[0-9a-f-]{36}$/i.test(templateId)) return null;
        const [t] = await app.db.db.select().from(schema.messageTemplates).where(eq(schema.messageTemplates.id, templateId));
        if (!t) return null;
        return {
          id: t.id,
          channel: t.channel as 'email' | 'whatsapp' | 'sms',
          ...(t.subject ? { subject: t.subject } : {}),
          body: t.body,
          ...(t.channel === 'whatsapp' ? { whatsapp: { name: t.name, language: t.language, approved: t.status === 'approved' } } : {}),
        };
      },
      send: async (request) => {
        if (!deps.channels) throw new NonRetryableNodeError(`No channels are set up on this server; configure ${request.channel} first`, 'channel_not_configured');
        let result;
        try {
          result = await deps.channels.send(request.channel, {
            to: request.to,
            ...(request.subject !== undefined ? { subject: request.subject } : {}),
            text: request.text,
            ...(request.template ? { template: request.template } : {}),
            variables: request.variables,
            idempotencyKey: request.idempotencyKey,
          }, sendOptions);
        } catch (err) {
          const e = err as { retryable?: boolean; code?: string; message?: string };
          if (e.retryable === false) throw new NonRetryableNodeError(`Sending by ${request.channel} failed: ${e.message}`, e.code ?? 'send_failed');
          throw err;
        }
        await addInteractionOnce(app, request.customerId, request.idempotencyKey, {
          kind: 'message_out',
          channel: request.channel,
          body: request.subject ? `${request.subject}\n\n${request.text}` : request.text,
          payload: { providerMessageId: result.providerMessageId, to: request.to, ...source },
        });
        return result;
      },
    },
    http: {
      request: async (req) => {
        if (!deps.allowPrivateWebhooks) await assertPublicUrl(req.url);
        const res = await fetch(req.url, {
          method: req.method,
          headers: { 'Idempotency-Key': run.idempotencyKey, ...req.headers },
          ...(req.body !== undefined ? { body: req.body } : {}),
          signal: AbortSignal.timeout(req.timeoutMs),
          redirect: 'manual',
        });
        const body = (await res.text()).slice(0, 64 * 1024);
        return { status: res.status, body };
      },
    },
    flows: {
      start: async (flowId, customerId, { enrollmentKey }) => {
        if (!deps.startFlow) throw new NonRetryableNodeError('Starting another flow is not available in this worker', 'start_flow_unavailable');
        return deps.startFlow(flowId, customerId, enrollmentKey);
      },
    },
  };
}

export type RecordedAction = { action: string } & Record<string, unknown>;

/** Test runs: reads from the database, every write recorded in `recorded` instead of performed. */
export function recordingContext(real: NodeContext, recorded: RecordedAction[]): NodeContext {
  let n = 0;
  const id = (p: string) => `test-${p}-${++n}`;
  return {
    ...real,
    customers: {
      ...real.customers,
      updateField: async (customerId, field, value) => void recorded.push({ action: 'update_field', customerId, field, value }),
      addTag: async (customerId, tag, { expiresAt }) => void recorded.push({ action: 'add_tag', customerId, tag, expiresAt }),
      removeTag: async (customerId, tag) => {
        recorded.push({ action: 'remove_tag', customerId, tag });
        return true;
      },
      setOwner: async (customerId, userId) => void recorded.push({ action: 'set_owner', customerId, userId }),
      setPriority: async (customerId, priority) => void recorded.push({ action: 'set_priority', customerId, priority }),
      changePoints: async (customerId, delta, reason) => {
        recorded.push({ action: 'change_points', customerId, delta, reason });
        const c = await real.customers.get(customerId);
        return Number(c?.fields.points ?? 0) + delta;
      },
    },
    timeline: {
      addNote: async (customerId, text) => {
        recorded.push({ action: 'add_note', customerId, text });
        return { noteId: id('note') };
      },
      createTask: async (task) => {
        recorded.push({ action: 'create_task', ...task });
        return { taskId: id('task') };
      },
    },
    notifications: { notifyUser: async (userId, message) => void recorded.push({ action: 'notify_user', userId, ...message }) },
    messaging: {
      getTemplate: real.messaging.getTemplate,
      send: async (request) => {
        recorded.push({ action: 'send_message', channel: request.channel, to: request.to, subject: request.subject, text: request.text });
        return { providerMessageId: id('message') };
      },
    },
    http: {
      request: async (req) => {
        recorded.push({ action: 'http_webhook', url: req.url, method: req.method, body: req.body });
        return { status: 200, body: '(test run: not called)' };
      },
    },
    flows: {
      start: async (flowId, customerId, { enrollmentKey }) => {
        recorded.push({ action: 'start_flow', flowId, customerId, enrollmentKey });
        return { runId: null };
      },
    },
  };
}

