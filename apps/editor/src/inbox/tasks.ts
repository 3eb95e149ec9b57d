// "My work": the tasks flows and people create for me (GET /api/tasks), grouped by when they are due.
import { TaskListOut, TaskOut } from '@nudge/contracts';
import { api } from '../api/client';

export const task = TaskOut;
export type Task = TaskOut;

export const tasksApi = {
  mine: (signal?: AbortSignal) => api.get('/tasks', TaskListOut, { status: 'open' }, signal).then((r) => r.items),
  done: (id: string) => api.post(`/tasks/${id}/done`, task),
};

export type TaskGroup = 'overdue' | 'today' | 'later';
/** Overdue: due before now; today: due later today (local day); later: after today or no due date. */
export function groupTasks(tasks: Task[], now: Date): Record<TaskGroup, Task[]> {
  const endOfToday = new Date(now);
  endOfToday.setHours(24, 0, 0, 0);
  const out: Record<TaskGroup, Task[]> = { overdue: [], today: [], later: [] };
  for (const x of tasks) {
    const due = x.dueAt ? Date.parse(x.dueAt) : NaN;
    if (Number.isNaN(due)) out.later.push(x);
    else if (due < now.getTime()) out.overdue.push(x);
    else if (due < endOfToday.getTime()) out.today.push(x);
    else out.later.push(x);
  }
  return out;
}
