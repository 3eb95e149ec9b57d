// Tags and their health: share of customers per tag, over-used and rare tags, response rate.
import { useTranslation } from 'react-i18next';
import { formatNumber, formatPercent } from '../i18n/format';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { customersApi } from './api';

export function TagsView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const health = useLoad((signal) => customersApi.tagHealth(signal), []);
  return (
    <section className="page">
      <header className="page-head">
        <h2>{t('tags.title')}</h2>
        {health.data && <span className="muted">{t('tags.totalCustomers', { formatted: formatNumber(health.data.totalCustomers, lng) })}</span>}
      </header>
      <ErrorBanner error={health.error} onRetry={health.reload} />
      {health.loading && !health.data ? (
        <Spinner />
      ) : !health.data || health.data.items.length === 0 ? (
        <EmptyState title={t('tags.empty')} hint={t('tags.emptyHint')} />
      ) : (
        <table className="table" data-testid="tag-health">
          <thead>
            <tr>
              <th>{t('tags.name')}</th>
              <th>{t('tags.group')}</th>
              <th>{t('tags.customers')}</th>
              <th className="w-40">{t('tags.share')}</th>
              <th>{t('tags.responseRate')}</th>
              <th>{t('tags.advice')}</th>
            </tr>
          </thead>
          <tbody>
            {health.data.items.map((tag) => (
              <tr key={tag.id} className={tag.flag ? `flag-${tag.flag}` : undefined}>
                <td>
                  <a href={`#/customers?tag=${encodeURIComponent(tag.name)}`}>{tag.name}</a>
                </td>
                <td>{tag.group ?? '—'}</td>
                <td>{formatNumber(tag.customers, lng)}</td>
                <td>
                  <div className="share">
                    <div className={`share-bar${tag.flag ? ` ${tag.flag}` : ''}`} style={{ width: `${Math.min(100, tag.share * 100)}%` }} />
                    <span>{formatPercent(tag.share, lng)}</span>
                  </div>
                </td>
                <td>{tag.responseRate === null ? '—' : formatPercent(tag.responseRate, lng)}</td>
                <td>
                  {tag.flag && <span className={`pill flag-${tag.flag}`}>{t(`tags.flag_${tag.flag}`)}</span>} <span className="small">{tag.suggestion ?? ''}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
