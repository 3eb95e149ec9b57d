// Tag management (create with group, colour and default lifetime; delete) and tag health: share
// of customers per tag, over-used (> 40 %) and rare tags with advice, response rate.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { refreshLookups } from '../form/lookups';
import { formatNumber, formatPercent } from '../i18n/format';
import { tagAdviceText } from '../i18n/wording';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { customersApi } from './api';
import { useCan } from '../shell/session';
import { NotForRole } from '../ui/NotForRole';

export function TagsView() {
  return useCan()('tag.health') ? <TagsPage /> : <NotForRole />;
}

function TagsPage() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const health = useLoad((signal) => customersApi.tagHealth(signal), []);
  const groups = useLoad((signal) => customersApi.tagGroups(signal), []);
  const [actionError, setActionError] = useState<unknown>(null);
  const manageTags = useCan()('tag.manage');

  async function remove(tagId: string, name: string) {
    if (!window.confirm(t('tags.confirmDelete', { name }))) return;
    setActionError(null);
    try {
      await customersApi.deleteTag(tagId);
      health.reload();
      refreshLookups();
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <section className="page">
      <header className="page-head">
        <h2>{t('tags.title')}</h2>
        {health.data && <span className="muted">{t('tags.totalCustomers', { formatted: formatNumber(health.data.totalCustomers, lng) })}</span>}
      </header>
      {manageTags && <NewTagForm groups={groups.data?.items ?? []} onCreated={() => { health.reload(); refreshLookups(); }} />}
      <ErrorBanner error={health.error ?? actionError} onRetry={health.error ? health.reload : undefined} />
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
              <th />
            </tr>
          </thead>
          <tbody>
            {health.data.items.map((tag) => (
              <tr key={tag.id} className={tag.flag ? `flag-${tag.flag}` : undefined}>
                <td>
                  <a href={`#/customers?tag=${encodeURIComponent(tag.name)}`}>{tag.name}</a>
                </td>
                <td>
                  {tag.dimension ? t(`tags.dimension_${tag.dimension}`) : tag.group ?? '—'}
                  {tag.dimension && tag.group && <span className="muted small"> · {tag.group}</span>}
                </td>
                <td>{formatNumber(tag.customers, lng)}</td>
                <td>
                  <div className="share">
                    <div className={`share-bar${tag.flag ? ` ${tag.flag}` : ''}`} style={{ width: `${Math.min(100, tag.share * 100)}%` }} />
                    <span>{formatPercent(tag.share, lng)}</span>
                  </div>
                </td>
                <td>{tag.responseRate === null ? '—' : formatPercent(tag.responseRate, lng)}</td>
                <td>
                  {tag.flag && <span className={`pill flag-${tag.flag}`}>{t(`tags.flag_${tag.flag}`)}</span>} <span className="small">{tagAdviceText(tag.advice, tag.suggestion, t, lng)}</span>
                </td>
                <td>
                  {manageTags && <button type="button" className="link danger" onClick={() => void remove(tag.id, tag.name)} aria-label={t('tags.delete', { name: tag.name })}>
                    {t('tags.deleteShort')}
                  </button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewTagForm({ groups, onCreated }: { groups: { id: string; name: string; dimension: string }[]; onCreated: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [groupId, setGroupId] = useState('');
  const [color, setColor] = useState('#6366f1');
  const [lifetime, setLifetime] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await customersApi.createTag({
        name: name.trim(),
        groupId: groupId || null,
        color,
        description: description.trim() || null,
        defaultLifetimeHours: lifetime ? Math.round(Number(lifetime) * 24) : null,
      });
      setName('');
      setDescription('');
      setLifetime('');
      onCreated();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="card filters" onSubmit={submit} aria-label={t('tags.new')}>
      <label>
        {t('tags.name')}
        <input required value={name} onChange={(e) => setName(e.target.value)} placeholder={t('tags.namePlaceholder')} />
      </label>
      <label>
        {t('tags.group')}
        <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
          <option value="">{t('tags.noGroup')}</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name} ({t(`tags.dimension_${g.dimension}`, { defaultValue: g.dimension })})
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('tags.color')}
        <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
      </label>
      <label>
        {t('tags.lifetimeDays')}
        <input type="number" min={0} step="0.5" className="num" value={lifetime} onChange={(e) => setLifetime(e.target.value)} placeholder="∞" />
      </label>
      <label className="grow">
        {t('tags.description')}
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={!name.trim()}>
        {t('tags.create')}
      </button>
      {error ? <div className="grow"><ErrorBanner error={error} /></div> : null}
    </form>
  );
}
