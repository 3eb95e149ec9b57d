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
import { schema } from '@nudge/db';
import { compileGraph, FlowValidationError, validateGraph, type FlowProblem, type ValidateOptions } from '@nudge/workflow-nodes';
import { nowOf, type AppContext } from '../../context.js';
import type { AuthUser } from '../../http/auth.js';
import { writeAudit } from '../../http/audit.js';
import { conflict, HttpError, notFound } from '../../http/errors.js';
import { invalidateActiveFlows } from '../runtime/triggers.js';
import { syncFlowScheduleSoon } from '../runtime/schedules.js';
import type { DraftGraph } from './model.js';

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
    ? await ctx.db.db.select({ version: v.version, publishedAt: v.publishedAt, graph: v.graph }).from(v).where(eq(v.id, row.currentVersionId))
    : [];
  const graph = asGraph(row.draftGraph);
  return {
    ...presentFlowSummary(row, current ?? null),
    graph,
    enrollment: row.enrollment,
    sending: row.sending,
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
  const [segments, fields, flows] = await Promise.all([
    db.select({ id: schema.segments.id, name: schema.segments.name }).from(schema.segments),
    db.select({ key: schema.customFieldDefinitions.key }).from(schema.customFieldDefinitions),
    // a flow can start another published, not archived flow
    db
      .select({ id: f.id, name: f.name })
      .from(f)
      .where(and(isNotNull(f.currentVersionId), ne(f.status, 'archived'))),
  ]);
  return {
    segments,
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
    .map((p) => (p.nodeId ? `node ${p.nodeId}${p.field ? ` (${p.field})` : ''}: ${p.message}` : p.message))
    .join('; ');
  return new HttpError(
    422,
    'flow_invalid',
    `The flow "${name}" cannot be ${action === 'publish' ? 'published' : 'test-run'}: it has ${problems.length} problem${problems.length === 1 ? '' : 's'} — ${first}${problems.length > 3 ? ' …' : ''}. Fix them on the canvas and ${action === 'publish' ? 'publish' : 'test it'} again.`,
    { problems },
  );
}

export async function publishFlow(ctx: AppContext, user: AuthUser, id: string, note: string) {
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
    const [{ last }] = (await tx.select({ last: max(v.version) }).from(v).where(eq(v.flowId, id))) as [{ last: number | null }];
    const version = (last ?? 0) + 1;
    const now = nowOf(ctx);
    const [created] = await tx
      .insert(v)
      .values({ flowId: id, version, plan, graph: row.draftGraph, note: note || null, publishedBy: user.id, publishedAt: now })
      .returning({ id: v.id });
    await tx
      .update(f)
      .set({ currentVersionId: created!.id, status: row.status === 'draft' ? 'active' : row.status, updatedAt: now })
      .where(eq(f.id, id));
    await writeAudit(tx, user, { action: 'flow.publish', entityType: 'flow', entityId: id, details: { version, note: note || null } });
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
export async function changeLifecycle(ctx: AppContext, user: AuthUser, id: string, action: Lifecycle) {
  await ctx.db.db.transaction(async (tx) => {
    const row = await loadFlow(tx, id, true);
    const rule = allowed[action];
    if (!rule.from.includes(row.status)) throw conflict(rule.explain(row), { status: row.status });
    await tx.update(f).set({ status: rule.to, updatedAt: nowOf(ctx) }).where(eq(f.id, id));
    await writeAudit(tx, user, { action: `flow.${action}`, entityType: 'flow', entityId: id, details: { from: row.status, to: rule.to } });
  });
  invalidateActiveFlows();
  await syncFlowScheduleSoon(ctx, id);
  return getFlow(ctx, id);
}
