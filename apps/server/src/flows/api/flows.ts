/**
 * The flow lifecycle: draft → validate → publish (an immutable version) → pause / resume →
 * archive. Validation is the shared validator of @nudge/workflow-nodes, fed with what really
 * exists in the database (segments, custom fields, published flows), so a reference to a deleted
 * segment is caught here and not by a failing run.
 *
 * Publishing stores the compiled plan; the runtime starts every run with the plan of the version
 * current at enrollment, and the plan travels as workflow input, so publishing again never
 * changes runs in flight.
 */
import { and, asc, desc, eq, ilike, isNotNull, max, ne } from 'drizzle-orm';
import { executionPlanSchema, type ExecutionPlan } from '@nudge/workflow-nodes/control';
import { schema } from '@nudge/db';
import { compileGraph, FlowValidationError, validateGraph, type FlowProblem, type ValidateOptions } from '@nudge/workflow-nodes';
import { nowOf, type AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { writeAudit } from '../../http/audit.js';
import { badRequest, conflict, HttpError, notFound } from '../../http/errors.js';
import { countSegment, segmentMemberIds } from '../../segments/index.js';
import { invalidateActiveFlows } from '../runtime/triggers.js';
import { syncFlowScheduleSoon } from '../runtime/schedules.js';
import type { DraftGraph } from '@nudge/contracts';

const f = schema.flows;
const v = schema.flowVersions;
type FlowRow = typeof f.$inferSelect;
type Db = AppContext['db']['db'];
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

const EMPTY_GRAPH: DraftGraph = { nodes: [], edges: [] };

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

function asGraph(value: unknown): DraftGraph {
  const g = value as Partial<DraftGraph> | null;
  if (!g || typeof g !== 'object') return EMPTY_GRAPH;
  return { nodes: Array.isArray(g.nodes) ? g.nodes : [], edges: Array.isArray(g.edges) ? g.edges : [] };
}

/** Key-order independent JSON, to tell whether the draft differs from the published graph. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function presentFlowSummary(row: FlowRow, current: { version: number; publishedAt: Date } | null) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    ownerId: row.ownerId,
    currentVersion: current?.version ?? null,
    publishedAt: current?.publishedAt.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listFlows(ctx: AppContext, query: { status?: FlowRow['status']; q?: string }) {
  const conds = [];
  if (query.status) conds.push(eq(f.status, query.status));
  else conds.push(ne(f.status, 'archived'));
  if (query.q) conds.push(ilike(f.name, `%${escapeLike(query.q)}%`));
  const rows = await ctx.db.db
    .select({ flow: f, version: v.version, publishedAt: v.publishedAt })
    .from(f)
    .leftJoin(v, eq(v.id, f.currentVersionId))
    .where(and(...conds))
    .orderBy(desc(f.updatedAt), asc(f.name));
  return rows.map((r) => presentFlowSummary(r.flow, r.version !== null ? { version: r.version, publishedAt: r.publishedAt! } : null));
}

export async function loadFlow(db: Executor, id: string, lock = false): Promise<FlowRow> {
  const q = db.select().from(f).where(eq(f.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw notFound('Flow', id);
  return row;
}

export async function getFlow(ctx: AppContext, id: string) {
  const row = await loadFlow(ctx.db.db, id);
  const [current] = row.currentVersionId
    ? await ctx.db.db
        .select({ version: v.version, publishedAt: v.publishedAt, graph: v.graph, enrollExisting: v.enrollExisting })
        .from(v)
        .where(eq(v.id, row.currentVersionId))
    : [];
  const graph = asGraph(row.draftGraph);
  return {
    ...presentFlowSummary(row, current ?? null),
    graph,
    /** who the published flow enrolls: null before the first publish */
    enrolls: current
      ? row.enrollNewSince
        ? { mode: 'new' as const, since: row.enrollNewSince.toISOString() }
        : { mode: 'existing' as const, since: null }
      : null,
    enrollment: row.enrollment,
    sending: row.sending,
    lastSweptAt: row.lastSweptAt?.toISOString() ?? null,
    hasUnpublishedChanges: current ? canonical(current.graph) !== canonical(graph) : graph.nodes.length > 0,
  };
}

type FlowSettings = { enrollment?: schema.FlowEnrollment; sending?: schema.FlowSendingSettings };

export async function createFlow(ctx: AppContext, user: AuthUser, body: { name: string; description?: string | null; graph?: DraftGraph } & FlowSettings) {
  const id = await ctx.db.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(f)
      .values({
        name: body.name,
        description: body.description ?? null,
        draftGraph: body.graph ?? EMPTY_GRAPH,
        ownerId: user.id,
        ...(body.enrollment ? { enrollment: body.enrollment } : {}),
        ...(body.sending ? { sending: body.sending } : {}),
      })
      .returning({ id: f.id });
    await writeAudit(tx, user, { action: 'flow.create', entityType: 'flow', entityId: row!.id, details: { name: body.name } });
    return row!.id;
  });
  return getFlow(ctx, id);
}

function assertNotArchived(row: FlowRow, action: string) {
  if (row.status === 'archived') {
    throw conflict(`The flow "${row.name}" is archived and read-only, so it cannot ${action}. Create a new flow (or copy its graph) instead.`);
  }
}

export async function updateFlow(
  ctx: AppContext,
  user: AuthUser,
  id: string,
  body: { name?: string; description?: string | null; graph?: DraftGraph } & FlowSettings,
) {
  await ctx.db.db.transaction(async (tx) => {
    const row = await loadFlow(tx, id, true);
    assertNotArchived(row, 'be edited');
    const set: Partial<typeof f.$inferInsert> = { updatedAt: nowOf(ctx) };
    if (body.name !== undefined) set.name = body.name;
    if (body.description !== undefined) set.description = body.description;
    if (body.graph !== undefined) set.draftGraph = body.graph;
    // enrollment and sending rules apply to enrollments from now on (a run keeps the rules it started with)
    if (body.enrollment !== undefined) set.enrollment = body.enrollment;
    if (body.sending !== undefined) set.sending = body.sending;
    await tx.update(f).set(set).where(eq(f.id, id));
    // autosave writes the graph every few seconds: audit the other changes only
    const fields = (['name', 'description', 'enrollment', 'sending'] as const).filter((k) => body[k] !== undefined);
    if (fields.length) {
      await writeAudit(tx, user, {
        action: 'flow.update',
        entityType: 'flow',
        entityId: id,
        fields: [...fields],
        ...(body.enrollment || body.sending ? { details: { enrollment: body.enrollment, sending: body.sending } } : {}),
      });
    }
  });
  return getFlow(ctx, id);
}

/** What the validator checks references against: the database's real segments, fields and flows. */
export async function validationOptions(db: Executor): Promise<ValidateOptions> {
  const [segments, fields, flows, templates] = await Promise.all([
    db.select({ id: schema.segments.id, name: schema.segments.name }).from(schema.segments),
    db.select({ key: schema.customFieldDefinitions.key }).from(schema.customFieldDefinitions),
    // a flow can start another published, not archived flow
    db
      .select({ id: f.id, name: f.name })
      .from(f)
      .where(and(isNotNull(f.currentVersionId), ne(f.status, 'archived'))),
    // the send-message step's templateId names a saved template (Settings → Templates)
    db.select({ id: schema.messageTemplates.id, subject: schema.messageTemplates.subject, body: schema.messageTemplates.body }).from(schema.messageTemplates),
  ]);
  return {
    segments,
    templates,
    customFields: fields.map((x) => x.key),
    flows,
  };
}

export async function validateFlow(ctx: AppContext, id: string): Promise<FlowProblem[]> {
  const row = await loadFlow(ctx.db.db, id);
  return validateGraph(row.draftGraph, await validationOptions(ctx.db.db));
}

/** 422 with every problem, in the shape the editor badges on the canvas. */
export function invalidFlow(name: string, problems: FlowProblem[], action: 'publish' | 'test-run' = 'publish'): HttpError {
  const first = problems
    .slice(0, 3)
    .map((p) => (p.nodeId ? `node ${p.nodeId}${p.field ? ` (${p.field})` : ''}: ${p.message}` : p.message).replace(/[.\s]+$/, ''))
    .join('; ');
  return new HttpError(
    422,
    'flow_invalid',
    `The flow "${name}" cannot be ${action === 'publish' ? 'published' : 'test-run'}: it has ${problems.length} problem${problems.length === 1 ? '' : 's'} — ${first}${problems.length > 3 ? ' …' : ''}. Fix them on the canvas and ${action === 'publish' ? 'publish' : 'test it'} again.`,
    { problems },
  );
}

// ------------------------------------------------------------------ who a publish / resume enrolls

/** "existing": the customers matching now enroll too; "new": only customers who enter from now on. */
export type EnrollChoice = 'existing' | 'new';

/** The segment of a segment-entry trigger (the trigger that enrolls everyone who matches). */
export function segmentOfTrigger(plan: ExecutionPlan): string | null {
  const { key, config } = plan.trigger;
  return key.startsWith('trigger.segment_entry@') && typeof config.segmentId === 'string' ? config.segmentId : null;
}

export interface EnrollPreview {
  /** true when publish / resume must be told whether to enroll the current matches */
  asks: boolean;
  trigger: string | null;
  segmentId: string | null;
  /** customers the trigger matches now (null when the trigger has no standing audience) */
  matchingNow: number | null;
}

/**
 * Who would enroll at once if the flow were published (its draft) or resumed (its current
 * version). A draft that does not compile asks nothing: publishing it is refused anyway.
 */
export async function enrollPreview(ctx: AppContext, id: string, action: 'publish' | 'resume'): Promise<EnrollPreview> {
  const row = await loadFlow(ctx.db.db, id);
  let plan: ExecutionPlan | null = null;
  if (action === 'publish') {
    try {
      plan = compileGraph(row.draftGraph, await validationOptions(ctx.db.db));
    } catch (err) {
      if (!(err instanceof FlowValidationError)) throw err;
    }
  } else if (row.currentVersionId) {
    const [cur] = await ctx.db.db.select({ plan: v.plan }).from(v).where(eq(v.id, row.currentVersionId));
    const parsed = executionPlanSchema.safeParse(cur?.plan);
    if (parsed.success) plan = parsed.data;
  }
  if (!plan) return { asks: false, trigger: null, segmentId: null, matchingNow: null };
  const segmentId = segmentOfTrigger(plan);
  if (!segmentId) return { asks: false, trigger: plan.trigger.key, segmentId: null, matchingNow: null };
  let matchingNow: number;
  try {
    matchingNow = await countSegment(ctx.db, segmentId, { now: nowOf(ctx) });
  } catch (err) {
    // a segment that cannot be evaluated now (e.g. a tag nobody has yet) matches nobody
    if (err instanceof HttpError && err.status < 500) return { asks: false, trigger: plan.trigger.key, segmentId, matchingNow: null };
    throw err;
  }
  return { asks: true, trigger: plan.trigger.key, segmentId, matchingNow };
}

function choiceRequired(action: 'publish' | 'resume', matchingNow: number): HttpError {
  const who = `${matchingNow} customer${matchingNow === 1 ? '' : 's'} match${matchingNow === 1 ? 'es' : ''} the trigger's segment now`;
  return badRequest(
    'enroll_choice_required',
    `${who}: say whether to enroll them too (enroll: "existing") or only customers who enter the segment from now on (enroll: "new"), then ${action} again.`,
    { issues: [{ path: 'body.enroll', message: 'choose "existing" or "new"' }], matchingNow },
  );
}

/** Every member of a segment now (the baseline of an "only new" publish / resume). */
async function allMembers(ctx: AppContext, segmentId: string): Promise<string[]> {
  const out: string[] = [];
  const now = nowOf(ctx);
  for (let after: string | undefined; ; ) {
    const ids = await segmentMemberIds(ctx.db, segmentId, { now, limit: 5000, ...(after ? { after } : {}) });
    out.push(...ids);
    if (ids.length < 5000) return out;
    after = ids[ids.length - 1];
  }
}

/** Stores the choice on the flow: the baseline of current matches ("new") or none ("existing"). */
async function applyEnrollChoice(tx: Tx, flowId: string, choice: EnrollChoice, baseline: string[], now: Date) {
  const b = schema.flowEnrollBaseline;
  await tx.delete(b).where(eq(b.flowId, flowId));
  if (choice === 'new') {
    for (let i = 0; i < baseline.length; i += 1000) {
      await tx
        .insert(b)
        .values(baseline.slice(i, i + 1000).map((customerId) => ({ flowId, customerId })))
        .onConflictDoNothing();
    }
  }
  await tx.update(f).set({ enrollNewSince: choice === 'new' ? now : null }).where(eq(f.id, flowId));
}

/**
 * What the publish / resume will do about the customers matching now: the given choice, or 400
 * when the trigger would enroll some of them and no choice was given. Without a segment trigger
 * (or with nobody matching) no choice is needed and the flow enrolls as before ("existing").
 */
async function decideEnroll(ctx: AppContext, id: string, action: 'publish' | 'resume', given: EnrollChoice | undefined, activates: boolean) {
  const preview = await enrollPreview(ctx, id, action);
  if (!activates && given === undefined) return null; // publishing a paused flow: asked again at resume
  if (given === undefined && preview.asks && (preview.matchingNow ?? 0) > 0) throw choiceRequired(action, preview.matchingNow!);
  const choice: EnrollChoice = given ?? 'existing';
  const baseline = choice === 'new' && preview.segmentId && preview.matchingNow ? await allMembers(ctx, preview.segmentId) : [];
  return { choice, baseline, segmentId: preview.segmentId, matchingNow: preview.matchingNow };
}

export async function publishFlow(ctx: AppContext, user: AuthUser, id: string, note: string, enroll?: EnrollChoice) {
  const before = await loadFlow(ctx.db.db, id);
  assertNotArchived(before, 'be published');
  const decision = await decideEnroll(ctx, id, 'publish', enroll, before.status !== 'paused');
  const result = await ctx.db.db.transaction(async (tx) => {
    const row = await loadFlow(tx, id, true);
    assertNotArchived(row, 'be published');
    let plan;
    try {
      plan = compileGraph(row.draftGraph, await validationOptions(tx));
    } catch (err) {
      if (err instanceof FlowValidationError) return { error: invalidFlow(row.name, err.problems) };
      throw err;
    }
    if (decision && segmentOfTrigger(plan) !== decision.segmentId) {
      return { error: conflict(`The trigger of "${row.name}" changed while it was being published; publish again.`) };
    }
    const [{ last }] = (await tx.select({ last: max(v.version) }).from(v).where(eq(v.flowId, id))) as [{ last: number | null }];
    const version = (last ?? 0) + 1;
    const now = nowOf(ctx);
    const [created] = await tx
      .insert(v)
      .values({
        flowId: id,
        version,
        plan,
        graph: row.draftGraph,
        note: note || null,
        publishedBy: user.id,
        publishedAt: now,
        enrollExisting: decision ? decision.choice === 'existing' : row.enrollNewSince === null,
      })
      .returning({ id: v.id });
    if (decision) await applyEnrollChoice(tx, id, decision.choice, decision.baseline, now);
    await tx
      .update(f)
      .set({ currentVersionId: created!.id, status: row.status === 'draft' ? 'active' : row.status, updatedAt: now })
      .where(eq(f.id, id));
    await writeAudit(tx, user, { action: 'flow.publish', entityType: 'flow', entityId: id, details: { version, note: note || null, ...(decision ? { enroll: decision.choice, matchingNow: decision.matchingNow } : {}) } });
    return { version };
  });
  if ('error' in result) throw result.error;
  // event triggers and sweeps read the active flows through a short cache: start on the new version now
  invalidateActiveFlows();
  await syncFlowScheduleSoon(ctx, id);
  return getFlow(ctx, id);
}

export async function listVersions(ctx: AppContext, flowId: string) {
  await loadFlow(ctx.db.db, flowId);
  const rows = await ctx.db.db
    .select({ version: v, publisherName: schema.users.name })
    .from(v)
    .leftJoin(schema.users, eq(schema.users.id, v.publishedBy))
    .where(eq(v.flowId, flowId))
    .orderBy(desc(v.version));
  return rows.map((r) => presentVersion(r.version, r.publisherName));
}

function presentVersion(row: typeof v.$inferSelect, publisherName: string | null) {
  return {
    id: row.id,
    version: row.version,
    note: row.note,
    publishedBy: row.publishedBy ? { id: row.publishedBy, name: publisherName ?? '' } : null,
    publishedAt: row.publishedAt.toISOString(),
  };
}

export async function getVersion(ctx: AppContext, flowId: string, version: number) {
  const [row] = await ctx.db.db
    .select({ version: v, publisherName: schema.users.name })
    .from(v)
    .leftJoin(schema.users, eq(schema.users.id, v.publishedBy))
    .where(and(eq(v.flowId, flowId), eq(v.version, version)));
  if (!row) throw notFound('Version', `${version} of flow ${flowId}`);
  return { ...presentVersion(row.version, row.publisherName), graph: asGraph(row.version.graph), plan: row.version.plan };
}

type Lifecycle = 'pause' | 'resume' | 'archive';
const allowed: Record<Lifecycle, { from: FlowRow['status'][]; to: FlowRow['status']; explain: (row: FlowRow) => string }> = {
  pause: {
    from: ['active'],
    to: 'paused',
    explain: (r) => `Only an active flow can be paused; "${r.name}" is ${r.status}.`,
  },
  resume: {
    from: ['paused'],
    to: 'active',
    explain: (r) => `Only a paused flow can be resumed; "${r.name}" is ${r.status}${r.status === 'draft' ? ' (publish it to start it)' : ''}.`,
  },
  archive: {
    from: ['draft', 'active', 'paused'],
    to: 'archived',
    explain: (r) => `"${r.name}" is archived already.`,
  },
};

/**
 * pause: no new enrollments (triggers and sweeps skip the flow), runs in flight go on;
 * resume: enrollments start again; archive: no new enrollments ever, the flow turns read-only,
 * runs in flight finish on their version.
 */
export async function changeLifecycle(ctx: AppContext, user: AuthUser, id: string, action: Lifecycle, enroll?: EnrollChoice) {
  const rule = allowed[action];
  const before = await loadFlow(ctx.db.db, id);
  if (!rule.from.includes(before.status)) throw conflict(rule.explain(before), { status: before.status });
  const decision = action === 'resume' ? await decideEnroll(ctx, id, 'resume', enroll, true) : null;
  await ctx.db.db.transaction(async (tx) => {
    const row = await loadFlow(tx, id, true);
    if (!rule.from.includes(row.status)) throw conflict(rule.explain(row), { status: row.status });
    const now = nowOf(ctx);
    await tx.update(f).set({ status: rule.to, updatedAt: now }).where(eq(f.id, id));
    if (decision) await applyEnrollChoice(tx, id, decision.choice, decision.baseline, now);
    await writeAudit(tx, user, {
      action: `flow.${action}`,
      entityType: 'flow',
      entityId: id,
      details: { from: row.status, to: rule.to, ...(decision ? { enroll: decision.choice, matchingNow: decision.matchingNow } : {}) },
    });
  });
  invalidateActiveFlows();
  await syncFlowScheduleSoon(ctx, id);
  return getFlow(ctx, id);
}
