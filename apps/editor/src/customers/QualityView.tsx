// Data-quality report: completeness of required fields against the 95 % target, overdue
// follow-ups, stale records proposed for archive, duplicate candidates.
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { formatDate, formatNumber, formatPercent } from '../i18n/format';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { customersApi } from './api';

const ref = z.object({ id: z.union([z.string(), z.number()]).transform(String), fullName: z.string().nullish(), name: z.string().nullish() }).loose();
const completeness = z.union([
  z.array(z.object({ field: z.string(), filled: z.number().optional(), ratio: z.number() }).loose()),
  z.record(z.string(), z.number()).transform((r) => Object.entries(r).map(([field, ratio]) => ({ field, ratio, filled: undefined }))),
]);
const qualityReport = z
  .object({
    totalCustomers: z.number().optional(),
    target: z.number().optional(),
    completeness: z.union([completeness, z.object({ overall: z.number().optional(), fields: completeness }).loose()]).optional(),
    overdue: z.union([z.array(ref), z.object({ count: z.number(), items: z.array(ref).default([]) }).loose()]).optional(),
    stale: z.union([z.array(ref), z.object({ count: z.number(), items: z.array(ref).default([]) }).loose()]).optional(),
    duplicates: z.union([z.array(z.unknown()), z.object({ count: z.number(), items: z.array(z.unknown()).default([]) }).loose()]).optional(),
  })
  .loose();

function asList<T>(v: T[] | { count: number; items: T[] } | undefined): { count: number; items: T[] } {
  if (!v) return { count: 0, items: [] };
  return Array.isArray(v) ? { count: v.length, items: v } : v;
}

export function QualityView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const q = useLoad((signal) => customersApi.quality(signal).then((r) => qualityReport.parse(r)), []);
  if (q.error) return <ErrorBanner error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Spinner />;
  const r = q.data;
  const target = r.target ?? 0.95;
  const comp = r.completeness && !Array.isArray(r.completeness) && 'fields' in r.completeness ? r.completeness : { overall: undefined, fields: (r.completeness as { field: string; ratio: number }[] | undefined) ?? [] };
  const overdue = asList(r.overdue);
  const stale = asList(r.stale);
  const dups = asList(r.duplicates);
  return (
    <section className="page">
      <header className="page-head">
        <h2>{t('quality.title')}</h2>
        {r.totalCustomers !== undefined && <span className="muted">{t('tags.totalCustomers', { formatted: formatNumber(r.totalCustomers, lng) })}</span>}
      </header>
      <div className="stat-grid">
        <div className={`stat ${comp.overall !== undefined && comp.overall >= target ? 'good' : 'bad'}`}>
          <span className="stat-value">{comp.overall !== undefined ? formatPercent(comp.overall, lng) : '—'}</span>
          <span className="stat-label">{t('quality.completeness', { target: formatPercent(target, lng) })}</span>
        </div>
        <div className={`stat ${overdue.count ? 'bad' : 'good'}`}>
          <span className="stat-value">{formatNumber(overdue.count, lng)}</span>
          <span className="stat-label">{t('quality.overdue')}</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatNumber(stale.count, lng)}</span>
          <span className="stat-label">{t('quality.stale')}</span>
        </div>
        <div className={`stat ${dups.count ? 'bad' : 'good'}`}>
          <span className="stat-value">{formatNumber(dups.count, lng)}</span>
          <span className="stat-label">{t('quality.duplicates')}</span>
        </div>
      </div>
      <div className="two-col">
        <div className="card">
          <h3>{t('quality.fields')}</h3>
          {comp.fields.length === 0 ? (
            <EmptyState title={t('quality.noData')} />
          ) : (
            <table className="table compact">
              <tbody>
                {comp.fields.map((f) => (
                  <tr key={f.field} className={f.ratio < target ? 'row-error' : undefined}>
                    <td>{t(`fields.${f.field}`, { defaultValue: f.field })}</td>
                    <td className="w-40">
                      <div className="share">
                        <div className={`share-bar${f.ratio < target ? ' overused' : ''}`} style={{ width: `${f.ratio * 100}%` }} />
                        <span>{formatPercent(f.ratio, lng)}</span>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="card">
          <h3>{t('quality.overdue')}</h3>
          <CustomerLinks items={overdue.items} />
          <h3>{t('quality.stale')}</h3>
          <CustomerLinks items={stale.items} />
          <h3>{t('quality.duplicates')}</h3>
          {dups.items.length === 0 ? (
            <p className="muted">{t('quality.none')}</p>
          ) : (
            <ul>
              {dups.items.slice(0, 50).map((d, i) => (
                <li key={i} className="small">
                  {describeDuplicate(d)}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <p className="muted small">{t('quality.generated', { date: formatDate(new Date(), lng) })}</p>
    </section>
  );
}

function describeDuplicate(d: unknown): React.ReactNode {
  if (!d || typeof d !== 'object') return String(d);
  const o = d as Record<string, unknown>;
  const people = (Array.isArray(o.customers) ? o.customers : [o.a, o.b].filter(Boolean)) as { id?: string; fullName?: string; name?: string }[];
  const reasons = Array.isArray(o.reasons) ? ` (${(o.reasons as string[]).join(', ')})` : '';
  return (
    <>
      {people.map((p, i) => (
        <span key={i}>
          {i > 0 ? ' ↔ ' : ''}
          {p.id ? <a href={`#/customers/${p.id}`}>{p.fullName ?? p.name ?? p.id}</a> : (p.fullName ?? p.name)}
        </span>
      ))}
      {reasons}
    </>
  );
}

function CustomerLinks({ items }: { items: { id: string; fullName?: string | null; name?: string | null }[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="muted">{t('quality.none')}</p>;
  return (
    <ul className="link-list">
      {items.slice(0, 30).map((c) => (
        <li key={c.id}>
          <a href={`#/customers/${c.id}`}>{c.fullName ?? c.name ?? c.id}</a>
        </li>
      ))}
    </ul>
  );
}
