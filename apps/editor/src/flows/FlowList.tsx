import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';
import { navigate } from '../shell/router';
import { useCan } from '../shell/session';
import { EmptyState, ErrorBanner, Spinner, StatusPill, useLoad } from '../ui/common';
import { flowsApi } from './api';

export function FlowList() {
  const { t, i18n } = useTranslation();
  const { data, error, loading, reload } = useLoad((signal) => flowsApi.list(signal), []);
  const [name, setName] = useState('');
  const [createError, setCreateError] = useState<unknown>(null);
  const allowed = useCan();

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    try {
      const flow = await flowsApi.create(name.trim());
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      setCreateError(err);
    }
  }

  return (
    <section className="page">
      <header className="page-head">
        <h2>{t('flows.title')}</h2>
        {allowed('flow.create') && <form className="inline-form" onSubmit={create}>
          <input aria-label={t('flows.newName')} placeholder={t('flows.newName')} value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="primary" disabled={!name.trim()}>
            {t('flows.create')}
          </button>
        </form>}
      </header>
      <ErrorBanner error={createError ?? error} onRetry={error ? reload : undefined} />
      {loading && !data ? (
        <Spinner />
      ) : data && data.items.length === 0 ? (
        <EmptyState title={t('flows.empty')} hint={allowed('flow.create') ? t('flows.emptyHint') : t('flows.emptyHintReadOnly')} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t('flows.name')}</th>
              <th>{t('flows.status')}</th>
              <th>{t('flows.version')}</th>
              <th>{t('flows.updated')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.items.map((f) => (
              <tr key={f.id}>
                <td>
                  <a href={`#/flows/${f.id}`}>{f.name}</a>
                </td>
                <td>
                  <StatusPill status={f.status} />
                </td>
                <td>{f.currentVersion ? `v${f.currentVersion}` : '—'}</td>
                <td>{formatDateTime(f.updatedAt ?? f.createdAt, i18n.language)}</td>
                <td>
                  <a href={`#/flows/${f.id}/runs`}>{t('flows.runs')}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
