// One customer: fields (masked as the server returns them), tags with expiry, owner, timeline.
import { Lock } from 'lucide-react';
import { useState } from 'react';
import { useCan } from '../shell/session';
import { useTranslation } from 'react-i18next';
import { formatDate, formatDateTime, formatNumber } from '../i18n/format';
import { timelineText } from '../i18n/wording';
import { useLookups } from '../form/lookups';
import { EmptyState, ErrorBanner, Spinner, StatusPill, useLoad } from '../ui/common';
import { flowsApi } from '../flows/api';
import { customersApi, type Interaction } from './api';
import { TagChip } from './TagChip';
import { CustomerForm } from './CustomerForm';

export function CustomerPage({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { users } = useLookups();
  const c = useLoad((signal) => customersApi.get(customerId, signal), [customerId]);
  const registry = useLoad((signal) => customersApi.fields(signal), []).data ?? [];
  const tl = useLoad((signal) => customersApi.timeline(customerId, undefined, signal), [customerId]);
  const [more, setMore] = useState<Interaction[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<unknown>(null);
  const allowed = useCan();
  const [editing, setEditing] = useState(false);

  if (c.error) return <ErrorBanner error={c.error} onRetry={c.reload} />;
  if (!c.data) return <Spinner />;
  const x = c.data;
  const owner = x.ownerId ? (users.find((u) => u.id === x.ownerId)?.name ?? x.ownerId) : null;
  const nextCursor = cursor === undefined ? tl.data?.nextCursor : cursor;
  const items = [...(tl.data?.items ?? []), ...more];
  // A field that may not exceed another (the registry's notAbove) is shown as one range, in the currency field's unit.
  const record = x as Record<string, unknown>;
  const currency = registry.find((f) => f.format === 'currency');
  const ranges = registry.flatMap((f): [string, React.ReactNode][] => {
    if (!f.notAbove) return [];
    const [lo, hi] = [record[f.name], record[f.notAbove]] as [number | null | undefined, number | null | undefined];
    const unit = currency ? String(record[currency.name] ?? '') : '';
    return [[`${f.name}Range`, lo != null || hi != null ? `${formatNumber(lo, lng)} – ${formatNumber(hi, lng)} ${unit}`.trim() : null]];
  });
  const optOuts = (['Email', 'Whatsapp', 'Sms', 'Phone'] as const).filter((ch) => x[`optOut${ch}`]);
  const rows: [string, React.ReactNode][] = [
    ['company', x.company],
    ['industry', x.industry],
    ['phone', x.phone ? <span className="mono">{x.phone}</span> : null],
    ['email', x.email],
    ['whatsappId', x.whatsappId],
    ['tier', x.tier ? t(`tiers.${x.tier}`, { defaultValue: x.tier }) : null],
    ['ownerId', owner],
    ['priority', x.priority],
    ...ranges,
    ['productsOfInterest', x.productsOfInterest.join(', ') || null],
    ['preferredContactSlots', x.preferredContactSlots.map((s) => `${new Intl.DateTimeFormat(lng, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 7 + s.weekday)))} ${t(`dayParts.${s.part}`, { defaultValue: s.part })}`).join(', ') || null],
    ['timezone', x.timezone],
    ['birthday', x.birthday ? formatDate(x.birthday, lng) : null],
    ['points', x.points != null ? `${formatNumber(x.points, lng)}${x.membershipTier ? ` · ${t(`membership.${x.membershipTier}`, { defaultValue: x.membershipTier })}` : ''}` : null],
    ['totalSpend', x.totalSpend != null ? formatNumber(x.totalSpend, lng) : null],
    ['firstContactAt', formatDateTime(x.firstContactAt, lng)],
    ['lastFollowUpAt', formatDateTime(x.lastFollowUpAt, lng)],
    ['lastInteractionAt', formatDateTime(x.lastInteractionAt, lng)],
    ['optOut', optOuts.length ? optOuts.map((o) => t(`channels.${o.toLowerCase()}`)).join(', ') : null],
    ['source', x.source],
    ...Object.entries(x.customFields).map(([k, v]): [string, React.ReactNode] => [k, v === null || v === undefined ? null : String(v)]),
  ];

  async function addNote() {
    setNoteError(null);
    try {
      await customersApi.addNote(customerId, note.trim());
      setNote('');
      tl.reload();
      setMore([]);
      setCursor(undefined);
    } catch (e) {
      setNoteError(e);
    }
  }

  async function loadMore() {
    if (!nextCursor) return;
    const page = await customersApi.timeline(customerId, nextCursor);
    setMore((m) => [...m, ...page.items]);
    setCursor(page.nextCursor ?? null);
  }

  return (
    <section className="page customer-page">
      <header className="page-head">
        <div>
          <a href="#/customers" className="ghost">
            ← {t('nav.customers')}
          </a>
          <h2>{x.fullName}</h2>
          {x.masked && (
            <p className="muted small row">
              <Lock size={12} aria-hidden /> {t('customers.maskedHint')}
            </p>
          )}
        </div>
        {allowed('customer.edit') && !editing && (
          <button type="button" onClick={() => setEditing(true)}>
            {t('customerForm.editButton')}
          </button>
        )}
      </header>
      {editing && <CustomerForm customer={x} onSaved={() => { setEditing(false); c.reload(); }} onCancel={() => setEditing(false)} />}
      <div className="two-col">
        <div className="card">
          <h3>{t('customers.details')}</h3>
          <dl className="field-grid">
            {rows.map(([k, v]) => (
              <div key={k}>
                <dt>{t(`fields.${k}`, { defaultValue: k })}</dt>
                <dd>{v === null || v === undefined || v === '' ? '—' : v}</dd>
              </div>
            ))}
          </dl>
          <h3>{t('fields.tags')}</h3>
          {allowed('customer.tag') && <AddTag customerId={customerId} onDone={c.reload} />}
          {x.tags.length === 0 ? (
            <p className="muted">{t('customers.noTags')}</p>
          ) : (
            <ul className="tag-list">
              {x.tags.map((tg) => (
                <li key={tg.name}>
                  <TagChip tag={tg} />
                  <span className="muted small">{tg.expiresAt ? t('tags.expiresAt', { date: formatDateTime(tg.expiresAt, lng) }) : t('tags.noExpiry')}</span>
                  {allowed('customer.tag') && <button type="button" className="icon-btn" aria-label={t('widgets.removeTag', { tag: tg.name })} onClick={() => void customersApi.untagCustomer(customerId, tg.name).then(c.reload, setNoteError)}>
                    ✕
                  </button>}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card">
          <h3>{t('customers.timeline')}</h3>
          {allowed('customer.note') && <div className="note-form">
            <textarea aria-label={t('customers.note')} placeholder={t('customers.note')} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
            <button type="button" disabled={!note.trim()} onClick={() => void addNote()}>
              {t('customers.addNote')}
            </button>
          </div>}
          <ErrorBanner error={tl.error ?? noteError} />
          {items.length === 0 && !tl.loading ? (
            <EmptyState title={t('customers.noTimeline')} />
          ) : (
            <ol className="timeline">
              {items.map((i) => (
                <li key={i.id} className={`tl tl-${i.kind}`}>
                  <div className="row">
                    <strong>{t(`interaction.${i.kind}`, { defaultValue: i.kind })}</strong>
                    {i.channel && <span className="pill">{t(`channels.${i.channel}`, { defaultValue: i.channel })}</span>}
                    <span className="muted small">{formatDateTime(i.occurredAt, lng)}</span>
                  </div>
                  {(timelineText(i, t, lng) ?? i.body) && <p className="tl-body">{timelineText(i, t, lng) ?? i.body}</p>}
                </li>
              ))}
            </ol>
          )}
          <CustomerRuns customerId={customerId} />
          {nextCursor && (
            <button type="button" className="secondary" onClick={() => void loadMore()}>
              {t('common.loadMore')}
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

function AddTag({ customerId, onDone }: { customerId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { tags } = useLookups();
  const [tag, setTag] = useState('');
  const [expiry, setExpiry] = useState('default');
  const [days, setDays] = useState('7');
  const [error, setError] = useState<unknown>(null);
  async function add() {
    setError(null);
    try {
      const body =
        expiry === 'never' ? { tag: tag.trim(), expiresAt: null } : expiry === 'days' ? { tag: tag.trim(), lifetimeHours: Math.max(1, Math.round(Number(days) * 24)) } : { tag: tag.trim() };
      await customersApi.tagCustomer(customerId, body);
      setTag('');
      onDone();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div className="add-tag">
      <div className="row wrap">
        <input aria-label={t('tags.name')} list="customer-add-tag" placeholder={t('widgets.addTag')} value={tag} onChange={(e) => setTag(e.target.value)} />
        <datalist id="customer-add-tag">
          {tags.map((x) => (
            <option key={x.name} value={x.name} />
          ))}
        </datalist>
        <select aria-label={t('tags.expiry')} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          <option value="default">{t('tags.expiryDefault')}</option>
          <option value="never">{t('tags.noExpiry')}</option>
          <option value="days">{t('tags.expiryDays')}</option>
        </select>
        {expiry === 'days' && <input aria-label={t('cond.days')} type="number" min={1} className="num" value={days} onChange={(e) => setDays(e.target.value)} />}
        <button type="button" disabled={!tag.trim()} onClick={() => void add()}>
          {t('tags.add')}
        </button>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}

function CustomerRuns({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const runs = useLoad((signal) => flowsApi.allRuns({ customerId, pageSize: 20 }, signal), [customerId]);
  if (runs.error || !runs.data || runs.data.items.length === 0) return null;
  return (
    <div className="customer-runs">
      <h3>{t('customers.runs')}</h3>
      <ul className="link-list" data-testid="customer-runs">
        {runs.data.items.map((r) => (
          <li key={r.id}>
            <a href={`#/runs/${r.id}`}>{r.flowName ?? r.flowId}</a> <StatusPill status={r.status} /> <span className="muted small">{formatDateTime(r.startedAt, i18n.language)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
