// "My work": my open tasks (a flow's phone-call task, …) due overdue / today / later, done with one click.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { useCan } from '../shell/session';
import { usePoll } from './InboxView';
import { groupTasks, tasksApi, type TaskGroup } from './tasks';

const GROUPS: TaskGroup[] = ['overdue', 'today', 'later'];

export function TasksView() {
  const { t, i18n } = useTranslation();
  const list = useLoad((signal) => tasksApi.mine(signal), []);
  usePoll(list.reload, 10_000);
  const [error, setError] = useState<unknown>(null);
  const [doneIds, setDoneIds] = useState<Set<string>>(new Set());
  const allowed = useCan();
  if (list.error && !list.data) return <div className="page"><ErrorBanner error={list.error} onRetry={list.reload} /></div>;
  if (!list.data) return <Spinner />;
  const open = list.data.filter((x) => !doneIds.has(x.id));
  const groups = groupTasks(open, new Date());
  async function done(id: string) {
    setError(null);
    try {
      await tasksApi.done(id);
      setDoneIds((s) => new Set(s).add(id));
      list.reload();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div className="page tasks-page">
      <div className="page-head">
        <h1>{t('tasks.title')}</h1>
      </div>
      <ErrorBanner error={error} />
      {open.length === 0 && <EmptyState title={t('tasks.empty')} />}
      {GROUPS.filter((g) => groups[g].length > 0).map((g) => (
        <section key={g} className={`task-group task-group-${g}`} aria-label={t(`tasks.group.${g}`)}>
          <h2>
            {t(`tasks.group.${g}`)} <span className="muted">({groups[g].length})</span>
          </h2>
          <ul className="task-list">
            {groups[g].map((x) => (
              <li key={x.id} className="task-item" data-testid="task">
                {allowed('task.done') && <button type="button" className="task-done" aria-label={t('tasks.markDone', { title: x.title })} title={t('tasks.markDone', { title: x.title })} onClick={() => void done(x.id)}>
                  ✓
                </button>}
                <div className="task-main">
                  <strong>{x.title}</strong>
                  <span className="row small muted">
                    {x.taskType && <span className="pill">{t(`tasks.type.${x.taskType}`, { defaultValue: x.taskType })}</span>}
                    <a href={`#/customers/${x.customer.id}`}>{x.customer.fullName}</a>
                    {x.flowId && <a href={`#/flows/${x.flowId}`}>{t('tasks.fromFlow')}</a>}
                  </span>
                  {x.notes && <span className="small">{x.notes}</span>}
                </div>
                <span className={`task-due${g === 'overdue' ? ' overdue' : ''}`}>{x.dueAt ? formatDateTime(x.dueAt, i18n.language) : t('tasks.noDue')}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
