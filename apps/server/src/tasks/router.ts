/**
 * The tasks flows and people create (timeline interactions of kind `task`, see
 * flows/runtime/node-context.ts createTask: payload { taskType, assigneeId, dueAt, notes, status }):
 *   GET  /api/tasks             mine (assignee = me), open by default; ?status=open|done|all
 *   POST /api/tasks/:id/done    tick it done (the assignee, or an admin / manager); again = no change
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { TaskIdParams as IdParams, TaskListOut as TaskList, TaskListQuery as TaskQuery, TaskOut } from '@nudge/contracts';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { notFound } from '../http/errors.js';

type Row = { id: string; body: string | null; payload: Record<string, unknown>; customerId: string; fullName: string; createdAt: Date };
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
function present(r: Row): TaskOut {
  const p = r.payload;
  return {
    id: r.id,
    title: r.body ?? '',
    taskType: str(p.taskType),
    dueAt: str(p.dueAt),
    status: p.status === 'done' ? 'done' : 'open',
    doneAt: str(p.doneAt),
    notes: str(p.notes),
    flowId: str(p.flowId),
    customer: { id: r.customerId, fullName: r.fullName },
    createdAt: r.createdAt.toISOString(),
  };
}

export function createTasksRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/tasks', 'Tasks');
  const i = schema.interactions;
  const c = schema.customers;
  const cols = { id: i.id, body: i.body, payload: i.payload, customerId: i.customerId, fullName: c.fullName, createdAt: i.createdAt };
  route({
    method: 'get', path: '/', summary: 'My tasks (assigned to me), soonest due first', query: TaskQuery, response: TaskList,
    handler: async ({ user, query }) => {
      const conds = [eq(i.kind, 'task'), sql`${i.payload}->>'assigneeId' = ${user.id}`];
      if (query.status === 'done') conds.push(sql`${i.payload}->>'status' = 'done'`);
      if (query.status === 'open') conds.push(sql`coalesce(${i.payload}->>'status', 'open') <> 'done'`);
      const rows = await ctx.db.db.select(cols).from(i).innerJoin(c, eq(c.id, i.customerId)).where(and(...conds)).orderBy(sql`${i.payload}->>'dueAt' asc nulls last`, asc(i.createdAt)).limit(500);
      return { items: rows.map(present) };
    },
  });
  route({
    method: 'post', path: '/:id/done', summary: 'Mark a task done', params: IdParams, action: 'task.done', response: TaskOut,
    handler: async ({ user, params }) => {
      const mayAll = user.role === 'admin' || user.role === 'manager';
      const who = mayAll ? sql`true` : sql`${i.payload}->>'assigneeId' = ${user.id}`;
      const doneAt = nowOf(ctx).toISOString();
      // one statement: a second click (or two at once) leaves the first doneAt
      await ctx.db.db
        .update(i)
        .set({ payload: sql`${i.payload} || jsonb_build_object('status', 'done', 'doneAt', ${doneAt}::text, 'doneBy', ${user.id}::text)` })
        .where(and(eq(i.id, params.id), eq(i.kind, 'task'), who, sql`coalesce(${i.payload}->>'status', 'open') <> 'done'`));
      const [row] = await ctx.db.db.select(cols).from(i).innerJoin(c, eq(c.id, i.customerId)).where(and(eq(i.id, params.id), eq(i.kind, 'task'), who));
      if (!row) throw notFound('Task', params.id);
      return present(row);
    },
  });
  return router;
}
