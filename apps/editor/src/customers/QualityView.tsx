// Data-quality report (GET /api/quality/report): completeness of required fields against the
// 95 % target, overdue follow-ups, stale records proposed for archive, duplicate candidates.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api } from '../api/client';
import { formatDate, formatDateTime, formatNumber, formatPercent } from '../i18n/format';
import { useCan } from '../shell/session';
import { matchReasonText } from '../i18n/wording';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';

const person = z.object({ id: z.string(), fullName: z.string() }).loose();
const matchReason = z.object({ code: z.string(), params: z.object({ phone: z.string().optional(), email: z.string().optional(), percent: z.number().optional() }).optional() });
export const qualityReport = z.object({
  generatedAt: z.string(),
  totalCustomers: z.number(),
  completeness: z.object({
    target: z.number(),
    completeShare: z.number(),
    status: z.string(),
    fields: z.array(z.object({ field: z.string(), filled: z.number(), share: z.number(), status: z.string() })),
  }),
  overdueFollowUps: z.object({ days: z.number(), count: z.number(), items: z.array(person.extend({ lastFollowUpAt: z.string().nullable(), daysOverdue: z.number().nullish() })) }),
  staleRecords: z.object({ days: z.number(), count: z.number(), items: z.array(person.extend({ lastInteractionAt: z.string().nullable() })) }),
  duplicates: z.object({ count: z.number(), items: z.array(z.object({ a: person, b: person, score: z.number(), reasons: z.array(z.string()), reasonCodes: z.array(matchReason).optional() })) }),
});

export function QualityView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const q = useLoad((signal) => api.get('/quality/report', qualityReport, { limit: 50 }, signal), []);
  const [archiveError, setArchiveError] = useState<unknown>(null);
  const [archived, setArchived] = useState<number | null>(null);
  const allowed = useCan();
  if (q.error) return <ErrorBanner error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Spinner />;
  const r = q.data;
  const target = r.completeness.target;

  async function archiveStale() {
    setArchiveError(null);
    try {
      const res = await api.post('/quality/stale/archive', z.object({ archived: z.number() }), { ids: r.staleRecords.items.map((s) => s.id) });
      setArchived(res.archived);
      q.reload();
    } catch (e) {
      setArchiveError(e);
    }
  }

  return (
    <section className="page">
      <header className="page-head">
        <h2>{t('quality.title')}</h2>
        <span className="muted">
          {t('tags.totalCustomers', { formatted: formatNumber(r.totalCustomers, lng) })} · {t('quality.generated', { date: formatDateTime(r.generatedAt, lng) })}
        </span>
      </header>
      <div className="stat-grid" data-testid="quality-stats">
        <div className={`stat ${r.completeness.completeShare >= target ? 'good' : 'bad'}`}>
          <span className="stat-value">{formatPercent(r.completeness.completeShare, lng)}</span>
          <span className="stat-label">{t('quality.completeness', { target: formatPercent(target, lng) })}</span>
        </div>
        <div className={`stat ${r.overdueFollowUps.count ? 'bad' : 'good'}`}>
          <span className="stat-value">{formatNumber(r.overdueFollowUps.count, lng)}</span>
          <span className="stat-label">{t('quality.overdue')}</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatNumber(r.staleRecords.count, lng)}</span>
          <span className="stat-label">{t('quality.stale')}</span>
        </div>
        <div className={`stat ${r.duplicates.count ? 'bad' : 'good'}`}>
          <span className="stat-value">{formatNumber(r.duplicates.count, lng)}</span>
          <span className="stat-label">{t('quality.duplicates')}</span>
        </div>
      </div>
      <div className="two-col">
        <div className="stack">
          <div className="card">
            <h3>{t('quality.fields')}</h3>
            {r.completeness.fields.length === 0 ? (
              <EmptyState title={t('quality.noData')} />
            ) : (
              <table className="table compact">
                <tbody>
                  {r.completeness.fields.map((f) => (
                    <tr key={f.field} className={f.share < target ? 'row-error' : undefined}>
                      <td>{t(`fields.${f.field}`, { defaultValue: f.field })}</td>
                      <td className="w-40">
                        <div className="share">
                          <div className={`share-bar${f.share < target ? ' overused' : ''}`} style={{ width: `${f.share * 100}%` }} />
                          <span>{formatPercent(f.share, lng)}</span>
                        </div>
                      </td>
                      <td className="muted small">{formatNumber(f.filled, lng)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div className="card">
            <h3>{t('quality.duplicates')}</h3>
            {r.duplicates.items.length === 0 ? (
              <p className="muted">{t('quality.none')}</p>
            ) : (
              <ul className="link-list">
                {r.duplicates.items.map((d, i) => (
                  <li key={i} className="small">
                    <a href={`#/customers/${d.a.id}`}>{d.a.fullName}</a> ↔ <a href={`#/customers/${d.b.id}`}>{d.b.fullName}</a>{' '}
                    <span className="muted">
                      {formatPercent(d.score, lng)} · {d.reasonCodes ? d.reasonCodes.map((x) => matchReasonText(x, t, lng)).join(t('common.listSeparator')) : d.reasons.join(', ')}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
        <div className="stack">
          <div className="card">
            <h3>{t('quality.overdue')}</h3>
            {r.overdueFollowUps.items.length === 0 ? (
              <p className="muted">{t('quality.none')}</p>
            ) : (
              <ul className="link-list">
                {r.overdueFollowUps.items.map((c) => (
                  <li key={c.id}>
                    <a href={`#/customers/${c.id}`}>{c.fullName}</a> <span className="muted small">{t('fields.lastFollowUpAt')}: {formatDate(c.lastFollowUpAt, lng)}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="card">
            <div className="row">
              <h3>{t('quality.stale')}</h3>
              <span className="spacer" />
              {r.staleRecords.items.length > 0 && allowed('quality.archiveStale') && (
                <button type="button" className="secondary small" onClick={() => void archiveStale()}>
                  {t('quality.archiveStale', { count: r.staleRecords.items.length })}
                </button>
              )}
            </div>
            {archived !== null && <p className="ok-text">{t('quality.archived', { count: archived })}</p>}
            <ErrorBanner error={archiveError} />
            {r.staleRecords.items.length === 0 ? (
              <p className="muted">{t('quality.none')}</p>
            ) : (
              <ul className="link-list">
                {r.staleRecords.items.map((c) => (
                  <li key={c.id}>
                    <a href={`#/customers/${c.id}`}>{c.fullName}</a> <span className="muted small">{t('fields.lastInteractionAt')}: {formatDate(c.lastInteractionAt, lng)}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
