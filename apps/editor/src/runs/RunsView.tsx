// Runs of one flow, filtered by status, customer and date.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';
import { navigate } from '../shell/router';
import { EmptyState, ErrorBanner, Spinner, StatusPill, useLoad } from '../ui/common';
import { flowsApi } from '../flows/api';
import { CustomerPicker } from '../ui/CustomerPicker';

/** How often the runs list refreshes itself. */
export const RUNS_POLL_MS = 4000;

export const runStatuses = ['running', 'waiting', 'completed', 'failed', 'cancelled'] as const;

export function RunsView({ flowId }: { flowId: string }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [includeTests, setIncludeTests] = useState(false);
  const [page, setPage] = useState(1);
  const pageSize = 50;
  const flow = useLoad((signal) => flowsApi.get(flowId, signal), [flowId]);
  const runs = useLoad(
    (signal) =>
      flowsApi.runs(flowId, {
        status: status || undefined,
        customerId: customerId.trim() || undefined,
        from: from ? new Date(from).toISOString() : undefined,
        to: to ? new Date(`${to}T23:59:59`).toISOString() : undefined,
        test: includeTests ? 'all' : undefined,
        page,
        pageSize,
      }, signal),
    [flowId, status, customerId, from, to, includeTests, page],
  );
  // runs appear and move on by themselves: poll while the page is visible
  const reload = runs.reload;
  useEffect(() => {
    const h = setInterval(() => {
      if (document.visibilityState !== 'hidden') reload();
    }, RUNS_POLL_MS);
    return () => clearInterval(h);
  }, [reload]);
  return (
    <section className="page">
      <header className="page-head">
        <div>
          <a href={`#/flows/${flowId}`} className="ghost">
            ← {flow.data?.name ?? t('nav.flows')}
          </a>
          <h2>{t('runs.title')}</h2>
        </div>
        <button type="button" onClick={runs.reload} title={t('runs.autoRefresh')}>
          ⟳ {t('common.refresh')}
        </button>
      </header>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('runs.filters')}>
        <label>
          {t('runs.status')}
          <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }} name="status">
            <option value="">{t('runs.anyStatus')}</option>
            {runStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('runs.customer')}
          <CustomerPicker label={t('runs.customer')} value={customerId} onChange={(id) => { setCustomerId(id); setPage(1); }} />
        </label>
        <label>
          {t('runs.from')}
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('runs.to')}
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label className="checkbox-row">
          <input type="checkbox" checked={includeTests} onChange={(e) => setIncludeTests(e.target.checked)} /> {t('runs.includeTests')}
        </label>
      </form>
      {!includeTests && (
        <p className="muted small" data-testid="tests-hidden">
          {t('runs.testsHidden')}
        </p>
      )}
      <ErrorBanner error={runs.error} onRetry={runs.reload} />
      {runs.loading && !runs.data ? (
        <Spinner />
      ) : !runs.data || runs.data.items.length === 0 ? (
        <EmptyState title={t('runs.empty')} hint={t('runs.emptyHint')} />
      ) : (
        <table className="table" data-testid="runs-table">
          <thead>
            <tr>
              <th>{t('runs.customer')}</th>
              <th>{t('runs.status')}</th>
              <th>{t('runs.version')}</th>
              <th>{t('runs.started')}</th>
              <th>{t('runs.finished')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.items.map((r) => (
              <tr key={r.id} className="clickable" onClick={() => navigate(`/runs/${r.id}`)}>
                <td>
                  <a href={`#/runs/${r.id}`} title={`${t('runs.run')} ${r.id}`}>
                    {r.customerName ?? r.customerId ?? '—'}
                  </a>
                </td>
                <td>
                  <StatusPill status={r.status} /> {r.isTest ? <span className="pill">{t('runs.test')}</span> : null}
                </td>
                <td>{r.version ? `v${r.version}` : '—'}</td>
                <td>{formatDateTime(r.startedAt, i18n.language)}</td>
                <td>{formatDateTime(r.finishedAt, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runs.data?.total !== undefined && runs.data.total > pageSize && (
        <nav className="pager" aria-label={t('common.pages')}>
          <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            ← {t('common.previous')}
          </button>
          <span>{t('common.pageOf', { page, pages: Math.ceil(runs.data.total / pageSize) })}</span>
          <button type="button" disabled={page * pageSize >= runs.data.total} onClick={() => setPage((p) => p + 1)}>
            {t('common.next')} →
          </button>
        </nav>
      )}
    </section>
  );
}
