/**
 * What starts and wakes runs:
 *  - event triggers: domain events (customer created / updated, tag added / removed) and import
 *    batches are turned into FlowEvents, matched with `triggerMatchesEvent` against every active
 *    flow, and enroll the customer at once; the same events are signalled to the customer's
 *    running runs (wait for event, goals);
 *  - inbound messages: `routeInboundMessage` signals every active run of the customer and fires
 *    inbound-message / keyword triggers;
 *  - sweeps: segment entry, birthday and date-field triggers, and cron schedules, evaluated by
 *    `sweepFlow` in batches (keyset pages of 1,000) and idempotent (the enrollment key of a sweep
 *    is stable for its period, and enrollment is idempotent per key). `sweepAll` sweeps every
 *    active flow that is due; a Temporal schedule calls it (schedules.ts), and each schedule
 *    trigger has its own schedule whose ticks call `sweepScheduleTick`.
 */
import { and, asc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import {
  birthdayFireAt,
  dateFieldFireAt,
  findNode,
  nextScheduleTimes,
  triggerMatchesEvent,
  type FlowEvent,
  type FlowEventType,
} from '@nudge/workflow-nodes';
import { executionPlanSchema, type ExecutionPlan } from '@nudge/workflow-nodes/control';
import { nowOf, type AppContext, type DomainEvent } from '../../context.js';
import type { CustomersImportedEvent } from '../../import/events.js';
import { segmentMemberIds } from '../../segments/index.js';
import { enrollCustomer, enrollMany, type EnrollManyResult } from './enroll.js';
import { loadCustomerSnapshot } from './node-context.js';
import { CUSTOMER_EVENT_SIGNAL, type CustomerEventSignal } from './shared.js';
import { setting } from '../../config.js';

export interface ActiveFlow {
  flowId: string;
  versionId: string;
  plan: ExecutionPlan;
  lastSweptAt: Date | null;
  /** published / resumed for "only new customers" at this time (null: existing matches enroll too) */
  enrollNewSince: Date | null;
}

const SWEEP_PAGE = 1000;
const DAY_MS = 86_400_000;
const defaultTimezone = () => setting('NUDGE_DEFAULT_TIMEZONE');

/** Active flows with their published plan. Cached for a second: an import emits thousands of events. */
let cache: { at: number; db: unknown; flows: ActiveFlow[] } | null = null;
export async function activeFlows(ctx: AppContext): Promise<ActiveFlow[]> {
  if (cache && cache.db === ctx.db && Date.now() - cache.at < 1000) return cache.flows;
  const rows = await ctx.db.db
    .select({ flowId: schema.flows.id, versionId: schema.flowVersions.id, plan: schema.flowVersions.plan, lastSweptAt: schema.flows.lastSweptAt, enrollNewSince: schema.flows.enrollNewSince })
    .from(schema.flows)
    .innerJoin(schema.flowVersions, eq(schema.flowVersions.id, schema.flows.currentVersionId))
    .where(eq(schema.flows.status, 'active'));
  const flows: ActiveFlow[] = [];
  for (const r of rows) {
    const plan = executionPlanSchema.safeParse(r.plan);
    if (plan.success) flows.push({ flowId: r.flowId, versionId: r.versionId, plan: plan.data, lastSweptAt: r.lastSweptAt, enrollNewSince: r.enrollNewSince });
    else console.error(`[flows] flow ${r.flowId} version ${r.versionId} has an unreadable plan; it is not triggered`);
  }
  cache = { at: Date.now(), db: ctx.db, flows };
  return flows;
}
/** Forget the cached active flows (after publish / pause). */
export const invalidateActiveFlows = () => {
  cache = null;
};

/** Signals an event to every running or waiting run of the customer. Returns how many runs got it. */
export async function signalCustomerRuns(ctx: AppContext, customerId: string, signal: CustomerEventSignal): Promise<number> {
  const client = ctx.temporal?.client;
  if (!client) return 0;
  const r = schema.flowRuns;
  const runs = await ctx.db.db
    .select({ workflowId: r.workflowId })
    .from(r)
    .where(and(eq(r.customerId, customerId), inArray(r.status, ['running', 'waiting', 'failed']), isNotNull(r.temporalRunId)));
  let delivered = 0;
  await Promise.all(
    runs.map(async ({ workflowId }) => {
      try {
        await client.workflow.getHandle(workflowId).signal(CUSTOMER_EVENT_SIGNAL, signal);
        delivered += 1;
      } catch {
        /* the run closed meanwhile */
      }
    }),
  );
  return delivered;
}

/** Starts the active flows whose event trigger matches. Returns how many runs were started. */
export async function fireEventTriggers(ctx: AppContext, event: FlowEvent, enrollmentKey: string): Promise<number> {
  let started = 0;
  for (const flow of await activeFlows(ctx)) {
    if (!triggerMatchesEvent(flow.plan.trigger, event)) continue;
    try {
      const r = await enrollCustomer(ctx, { flowId: flow.flowId, customerId: event.customerId, enrollmentKey, triggerEvent: event });
      if (r.outcome === 'started') started += 1;
    } catch (err) {
      console.error(`[flows] enrolling customer ${event.customerId} in flow ${flow.flowId} failed:`, err);
    }
  }
  return started;
}

const WAITABLE: ReadonlySet<FlowEventType> = new Set(['message.received', 'message.read', 'link.clicked', 'tag.added', 'order.created']);

/** A FlowEvent happened: start matching flows and wake the customer's runs. */
export async function dispatchFlowEvent(ctx: AppContext, event: FlowEvent, enrollmentKey: string): Promise<{ started: number; signalled: number }> {
  let signalled = 0;
  if (WAITABLE.has(event.type)) {
    const d = event.data;
    signalled = await signalCustomerRuns(ctx, event.customerId, {
      type: event.type,
      ...(typeof d.channel === 'string' ? { channel: d.channel } : {}),
      ...(typeof d.text === 'string' ? { text: d.text } : {}),
      ...(typeof d.tag === 'string' ? { tag: d.tag } : {}),
      data: d,
    });
  }
  const started = await fireEventTriggers(ctx, event, enrollmentKey);
  return { started, signalled };
}

/** The FlowEvents a domain event means (none for erasures and reminders). */
export function flowEventsOf(event: DomainEvent, at: number): FlowEvent[] {
  switch (event.type) {
    case 'customer.created':
      if (event.backfill) return [];
      return [{ type: event.source === 'import' ? 'customer.imported' : 'customer.created', customerId: event.customerId, at, data: { source: event.source } }];
    case 'customer.updated':
      return event.changes.map((c) => ({ type: 'field.changed' as const, customerId: event.customerId, at, data: { field: c.field, oldValue: c.old, newValue: c.new } }));
    case 'tag.added':
      return [{ type: 'tag.added', customerId: event.customerId, at, data: { tag: event.tagName } }];
    case 'tag.removed':
      return [{ type: 'tag.removed', customerId: event.customerId, at, data: { tag: event.tagName, reason: event.reason } }];
    default:
      return [];
  }
}

/** The AppContext `onEvent` handler of the runtime. */
export async function handleDomainEvent(ctx: AppContext, event: DomainEvent): Promise<void> {
  const at = nowOf(ctx).getTime();
  for (const e of flowEventsOf(event, at)) await dispatchFlowEvent(ctx, e, `${e.type}:${at}`);
}

/** The import listener: one "customer imported" event per created customer. */
export async function handleCustomersImported(ctx: AppContext, event: CustomersImportedEvent): Promise<void> {
  const at = event.at.getTime();
  for (const customerId of event.createdIds) {
    await dispatchFlowEvent(ctx, { type: 'customer.imported', customerId, at, data: { importId: event.importId } }, `import:${event.importId}`);
  }
}

/**
 * An inbound message from a customer (webhook of a channel): wakes every run of the customer
 * waiting for a reply (and goals), records nothing itself (the inbox records the message), and
 * fires inbound-message / keyword triggers.
 */
export async function routeInboundMessage(
  ctx: AppContext,
  message: { customerId: string; channel: string; text: string; messageId?: string },
): Promise<{ started: number; signalled: number }> {
  const at = nowOf(ctx).getTime();
  const event: FlowEvent = { type: 'message.received', customerId: message.customerId, at, data: { channel: message.channel, text: message.text } };
  return dispatchFlowEvent(ctx, event, message.messageId ? `msg:${message.messageId}` : `msg:${at}`);
}

// ------------------------------------------------------------------ sweeps

export interface SweepResult extends EnrollManyResult {
  flowId: string;
  trigger: string;
  matched: number;
}

const empty = (flowId: string, trigger: string): SweepResult => ({ flowId, trigger, matched: 0, started: 0, existing: 0, skipped: 0, reasons: {} });

function add(into: SweepResult, r: EnrollManyResult, matched: number) {
  into.matched += matched;
  into.started += r.started;
  into.existing += r.existing;
  into.skipped += r.skipped;
  for (const [k, v] of Object.entries(r.reasons)) into.reasons[k as keyof EnrollManyResult['reasons']] = (into.reasons[k as keyof EnrollManyResult['reasons']] ?? 0) + (v ?? 0);
}

/**
 * Enrolls the members of a segment, a page at a time. With `baseline` (segment entry of a flow
 * published for "only new customers"), the customers who matched at publish time are not
 * enrolled; those who have left the segment since are dropped from the baseline, so coming back
 * later counts as entering.
 */
async function sweepSegment(
  ctx: AppContext,
  flowId: string,
  segmentId: string,
  enrollmentKey: string | undefined,
  result: SweepResult,
  now: Date,
  baseline = false,
) {
  const b = schema.flowEnrollBaseline;
  const held = baseline
    ? new Set((await ctx.db.db.select({ id: b.customerId }).from(b).where(eq(b.flowId, flowId))).map((r) => r.id))
    : new Set<string>();
  const stillIn = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await segmentMemberIds(ctx.db, segmentId, { now, limit: SWEEP_PAGE, ...(after ? { after } : {}) });
    if (page.length === 0) break;
    after = page[page.length - 1];
    const ids = held.size ? page.filter((id) => (held.has(id) ? (stillIn.add(id), false) : true)) : page;
    if (ids.length) add(result, await enrollMany(ctx, { flowId, customerIds: ids, ...(enrollmentKey ? { enrollmentKey } : {}) }), ids.length);
    if (page.length < SWEEP_PAGE) break;
  }
  const left = [...held].filter((id) => !stillIn.has(id));
  for (let i = 0; i < left.length; i += SWEEP_PAGE) {
    await ctx.db.db.delete(b).where(and(eq(b.flowId, flowId), inArray(b.customerId, left.slice(i, i + SWEEP_PAGE))));
  }
}

/** Customers whose date trigger (birthday / date field) fired in the last day: enrolled with the date as key. */
async function sweepDates(ctx: AppContext, flow: ActiveFlow, result: SweepResult, now: Date) {
  const trigger = flow.plan.trigger;
  const def = findNode(trigger.key);
  if (!def) return;
  const config = def.config.parse(trigger.config);
  const nowMs = now.getTime();
  const c = schema.customers;
  let after: string | null = null;
  for (;;) {
    const where = [sql`${c.archivedAt} is null`];
    if (trigger.key.startsWith('trigger.birthday@')) where.push(isNotNull(c.birthday));
    if (after) where.push(gt(c.id, after));
    const ids = (await ctx.db.db.select({ id: c.id }).from(c).where(and(...where)).orderBy(asc(c.id)).limit(SWEEP_PAGE)).map((r) => r.id);
    if (ids.length === 0) break;
    after = ids[ids.length - 1]!;
    const due = new Map<string, string[]>();
    for (const id of ids) {
      const customer = await loadCustomerSnapshot(ctx, id, nowMs);
      if (!customer) continue;
      const fireAt = trigger.key.startsWith('trigger.birthday@')
        ? birthdayFireAt(config as never, customer, nowMs - DAY_MS, defaultTimezone())
        : dateFieldFireAt(config as never, customer, defaultTimezone());
      if (fireAt === null || fireAt > nowMs || fireAt <= nowMs - DAY_MS) continue;
      // "only new customers": a date that came before the publish / resume enrolls nobody
      if (flow.enrollNewSince && fireAt < flow.enrollNewSince.getTime()) continue;
      const key = `date-${new Date(fireAt).toISOString().slice(0, 10)}`;
      due.set(key, [...(due.get(key) ?? []), id]);
    }
    for (const [key, customerIds] of due) add(result, await enrollMany(ctx, { flowId: flow.flowId, customerIds, enrollmentKey: key }), customerIds.length);
    if (ids.length < SWEEP_PAGE) break;
  }
}

/**
 * Evaluates a flow's sweep or schedule trigger once and enrolls the matches. Running it twice
 * enrolls nobody twice: segment entry uses the flow's enrollment key (once, or the day), dates
 * the date, schedules the tick time.
 */
export async function sweepFlow(ctx: AppContext, flowId: string): Promise<SweepResult> {
  const flow = (await activeFlows(ctx)).find((f) => f.flowId === flowId) ?? (invalidateActiveFlows(), (await activeFlows(ctx)).find((f) => f.flowId === flowId));
  if (!flow) return empty(flowId, 'none');
  const now = nowOf(ctx);
  const trigger = flow.plan.trigger;
  const result = empty(flowId, trigger.key);
  const config = trigger.config as Record<string, unknown>;
  if (trigger.key.startsWith('trigger.segment_entry@')) {
    await sweepSegment(ctx, flowId, String(config.segmentId), undefined, result, now, true);
  } else if (trigger.key.startsWith('trigger.birthday@') || trigger.key.startsWith('trigger.date_field@')) {
    await sweepDates(ctx, flow, result, now);
  } else if (trigger.key.startsWith('trigger.schedule@')) {
    // every tick since the last sweep (at most the latest one if the server was down for long)
    const def = findNode(trigger.key)!;
    const cfg = def.config.parse(config) as Parameters<typeof nextScheduleTimes>[0];
    const from = flow.lastSweptAt?.getTime() ?? now.getTime() - 60_000;
    const ticks = nextScheduleTimes(cfg, from, 50).filter((t) => t <= now.getTime());
    const tick = ticks[ticks.length - 1];
    if (tick !== undefined) await sweepSegment(ctx, flowId, cfg.segmentId, `schedule-${new Date(tick).toISOString()}`, result, now);
  } else {
    return result; // event and manual triggers are not swept
  }
  await ctx.db.db.update(schema.flows).set({ lastSweptAt: now }).where(eq(schema.flows.id, flowId));
  invalidateActiveFlows();
  return result;
}

/**
 * One tick of a schedule trigger at its nominal time (the flow's Temporal schedule fired):
 * enrolls the trigger's segment with the tick's key. Nobody when the flow is not active.
 */
export async function sweepScheduleTick(ctx: AppContext, flowId: string, tickMs: number): Promise<SweepResult> {
  invalidateActiveFlows();
  const flow = (await activeFlows(ctx)).find((f) => f.flowId === flowId);
  if (!flow || !flow.plan.trigger.key.startsWith('trigger.schedule@')) return empty(flowId, flow?.plan.trigger.key ?? 'none');
  const cfg = findNode(flow.plan.trigger.key)!.config.parse(flow.plan.trigger.config) as Parameters<typeof nextScheduleTimes>[0];
  const result = empty(flowId, flow.plan.trigger.key);
  await sweepSegment(ctx, flowId, cfg.segmentId, `schedule-${new Date(tickMs).toISOString()}`, result, nowOf(ctx));
  return result;
}

/** How often a flow's trigger wants sweeping (ms), or null when it is not swept. */
export function sweepInterval(plan: ExecutionPlan): number | null {
  const { key, config } = plan.trigger;
  if (key.startsWith('trigger.segment_entry@')) return Number(config.checkEveryMinutes ?? 60) * 60_000;
  if (key.startsWith('trigger.birthday@') || key.startsWith('trigger.date_field@')) return 15 * 60_000;
  if (key.startsWith('trigger.schedule@')) return 60_000;
  return null;
}

/** Sweeps every active flow whose interval has passed since its last sweep. */
export async function sweepAll(ctx: AppContext, options: { force?: boolean; skipScheduleTriggers?: boolean } = {}): Promise<SweepResult[]> {
  invalidateActiveFlows();
  const now = nowOf(ctx).getTime();
  const results: SweepResult[] = [];
  for (const flow of await activeFlows(ctx)) {
    const every = sweepInterval(flow.plan);
    if (every === null) continue;
    // on Temporal schedules, a schedule trigger has its own schedule (flows/runtime/schedules.ts)
    if (options.skipScheduleTriggers && flow.plan.trigger.key.startsWith('trigger.schedule@')) continue;
    if (!options.force && flow.lastSweptAt && now - flow.lastSweptAt.getTime() < every) continue;
    try {
      results.push(await sweepFlow(ctx, flow.flowId));
    } catch (err) {
      console.error(`[flows] sweep of flow ${flow.flowId} failed:`, err);
    }
  }
  return results;
}
