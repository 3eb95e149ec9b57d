// Customers: search, filters, saved segments, and the segment builder with a live count.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../i18n/format';
import { navigate, routeQuery } from '../shell/router';
import { useCan } from '../shell/session';
import { EmptyState, ErrorBanner, issuesUnder, Spinner, useLoad } from '../ui/common';
import { ConditionBuilder, type Condition } from '../ui/ConditionBuilder';
import { useLookups, refreshLookups } from '../form/lookups';
import { customersApi } from './api';
import { CustomerForm } from './CustomerForm';
import { TagChip } from './TagChip';

const tiers = ['A', 'B', 'C', 'strategic'] as const;

export function CustomerList() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [tier, setTier] = useState('');
  const [tag, setTag] = useState(() => routeQuery(location.hash).get('tag') ?? '');
  const [segmentId, setSegmentId] = useState('');
  const [page, setPage] = useState(1);
  const [builderOpen, setBuilderOpen] = useState(false);
  const [adding, setAdding] = useState(false);
  const allowed = useCan();
  const segments = useLoad((signal) => customersApi.segments(signal), []);
  const pageSize = 25;
  const list = useLoad(
    (signal) => customersApi.list({ q: query || undefined, tier: tier || undefined, tag: tag || undefined, segmentId: segmentId || undefined, page, pageSize }, signal),
    [query, tier, tag, segmentId, page],
  );
  useEffect(() => {
    const h = setTimeout(() => {
      setQuery(q.trim());
      setPage(1);
    }, 300);
    return () => clearTimeout(h);
  }, [q]);
  const totalPages = list.data ? Math.max(1, Math.ceil(list.data.total / pageSize)) : 1;

  return (
    <section className="page">
      <header className="page-head">
        <h2>{t('customers.title')}</h2>
        <span className="row">
          {allowed('customer.create') && !adding && (
            <button type="button" onClick={() => setAdding(true)}>
              {t('customerForm.addButton')}
            </button>
          )}
          <button type="button" onClick={() => setBuilderOpen((v) => !v)} aria-expanded={builderOpen}>
            {builderOpen ? t('segments.closeBuilder') : t('segments.openBuilder')}
          </button>
        </span>
      </header>
      {adding && <CustomerForm onSaved={(c) => navigate(`/customers/${c.id}`)} onCancel={() => setAdding(false)} />}
      {builderOpen && (
        <SegmentBuilder
          onSaved={(sid) => {
            segments.reload();
            refreshLookups();
            setSegmentId(sid);
            setBuilderOpen(false);
          }}
        />
      )}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('customers.filters')}>
        <input type="search" className="grow" placeholder={t('customers.search')} aria-label={t('customers.search')} value={q} onChange={(e) => setQ(e.target.value)} />
        <label>
          {t('fields.tier')}
          <select value={tier} onChange={(e) => { setTier(e.target.value); setPage(1); }}>
            <option value="">{t('common.all')}</option>
            {tiers.map((x) => (
              <option key={x} value={x}>
                {t(`tiers.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('fields.tag')}
          <input value={tag} onChange={(e) => { setTag(e.target.value); setPage(1); }} placeholder={t('customers.tagFilter')} />
        </label>
        <label>
          {t('segments.saved')}
          <select value={segmentId} onChange={(e) => { setSegmentId(e.target.value); setPage(1); }}>
            <option value="">{t('segments.none')}</option>
            {segments.data?.items.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? (
        <Spinner />
      ) : !list.data || list.data.items.length === 0 ? (
        <EmptyState title={t('customers.empty')} hint={query || tier || tag || segmentId ? t('customers.emptyFiltered') : t('customers.emptyHint')} />
      ) : (
        <>
          <p className="muted small">{t('customers.count', { count: list.data.total, formatted: formatNumber(list.data.total, i18n.language) })}</p>
          <div className="table-wrap">
            <table className="table" data-testid="customers-table">
              <thead>
                <tr>
                  <th>{t('fields.fullName')}</th>
                  <th>{t('fields.company')}</th>
                  <th>{t('fields.phone')}</th>
                  <th>{t('fields.email')}</th>
                  <th>{t('fields.tier')}</th>
                  <th>{t('fields.tags')}</th>
                  <th>{t('fields.lastInteractionAt')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((c) => (
                  <tr key={c.id} className="clickable" onClick={() => navigate(`/customers/${c.id}`)}>
                    <td>
                      <a href={`#/customers/${c.id}`}>{c.fullName}</a>
                    </td>
                    <td className="ellipsis">{c.company ?? '—'}</td>
                    <td className="mono">{c.phone ?? '—'}</td>
                    <td className="ellipsis">{c.email ?? '—'}</td>
                    <td className="nowrap">{c.tier ? t(`tiers.${c.tier}`, { defaultValue: c.tier }) : '—'}</td>
                    <td>
                      <div className="chips">
                        {c.tags.slice(0, 4).map((tg) => (
                          <TagChip key={tg.name} tag={tg} />
                        ))}
                        {c.tags.length > 4 && <span className="muted small">+{c.tags.length - 4}</span>}
                      </div>
                    </td>
                    <td>{formatDate(c.lastInteractionAt, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label={t('common.pages')}>
            <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              ← {t('common.previous')}
            </button>
            <span>{t('common.pageOf', { page, pages: totalPages })}</span>
            <button type="button" disabled={page >= totalPages} onClick={() => setPage((p) => p + 1)}>
              {t('common.next')} →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

const starter: Condition = {
  type: 'and',
  conditions: [
    { type: 'has_tag', tag: 'potential' },
    { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 },
  ],
};

export function SegmentBuilder({ onSaved }: { onSaved: (segmentId: string) => void }) {
  const { t, i18n } = useTranslation();
  const { tags } = useLookups();
  const saveSegments = useCan()('segment.save');
  const [tree, setTree] = useState<Condition>(starter);
  const [count, setCount] = useState<number | null>(null);
  const [countError, setCountError] = useState<unknown>(null);
  const [counting, setCounting] = useState(false);
  const [name, setName] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);

  useEffect(() => {
    let stale = false;
    setCounting(true);
    const h = setTimeout(() => {
      customersApi
        .countSegment(tree)
        .then((r) => {
          if (stale) return;
          setCount(r.count);
          setCountError(null);
        })
        .catch((e: unknown) => {
          if (stale) return;
          // The old number is not the count of this definition: say nothing rather than mislead.
          setCount(null);
          setCountError(e);
        })
        .finally(() => !stale && setCounting(false));
    }, 350);
    return () => {
      stale = true;
      clearTimeout(h);
    };
  }, [tree]);

  async function save() {
    setSaveError(null);
    try {
      const s = await customersApi.saveSegment(name.trim(), tree);
      onSaved(s.id);
    } catch (e) {
      setSaveError(e);
    }
  }

  return (
    <div className="card segment-builder" aria-label={t('segments.builder')}>
      <div className="row">
        <h3>{t('segments.builder')}</h3>
        <span className="live-count" aria-live="polite" data-testid="segment-count">
          {counting ? '…' : count !== null ? t('segments.liveCount', { count, formatted: formatNumber(count, i18n.language) }) : ''}
        </span>
      </div>
      <ConditionBuilder dialect="segment" value={tree} onChange={setTree} tags={tags.map((x) => x.name)} issues={issuesUnder(countError ?? saveError, 'body.definition', t)} />
      <ErrorBanner error={countError ?? saveError} />
      {saveSegments ? (
        <div className="row end">
          <input aria-label={t('segments.name')} placeholder={t('segments.name')} value={name} onChange={(e) => setName(e.target.value)} />
          <button type="button" className="primary" disabled={!name.trim() || !!countError} onClick={() => void save()}>
            {t('segments.save')}
          </button>
        </div>
      ) : (
        <p className="small muted">{t('segments.saveNeedsManager')}</p>
      )}
    </div>
  );
}
