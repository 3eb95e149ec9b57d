/** The tasks flows and people create (GET /api/tasks, POST /api/tasks/:id/done). */
import { z } from 'zod';

export const TASK_STATUSES = ['open', 'done'] as const;

export const TaskOut = z
  .object({
    id: z.string(),
    title: z.string(),
    taskType: z.string().nullable(),
    dueAt: z.string().nullable(),
    status: z.enum(TASK_STATUSES),
    doneAt: z.string().nullable(),
    notes: z.string().nullable(),
    flowId: z.string().nullable(),
    customer: z.object({ id: z.string(), fullName: z.string() }),
    createdAt: z.string(),
  })
  .meta({ id: 'Task' });
export type TaskOut = z.infer<typeof TaskOut>;
export const TaskListOut = z.object({ items: z.array(TaskOut) });
export const TaskListQuery = z.object({ status: z.enum([...TASK_STATUSES, 'all']).default('open') });
export const TaskIdParams = z.object({ id: z.uuid() });
