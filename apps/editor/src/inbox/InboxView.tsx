// The agent's workspace: conversation list (mine / unassigned / team / all, filters, search, SLA
// countdowns), the selected conversation (messages with delivery ticks, notes, reply box that
// knows WhatsApp's 24-hour window), actions (take, transfer, snooze, resolve) and the customer.
// New messages, ticks and assignments arrive live (./live.ts, server-sent events): the list and the
// open conversation reload on them; polling is the fallback while the stream is down.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../customers/api';
import { useLookups } from '../form/lookups';
import { formatDateTime } from '../i18n/format';
import { navigate, routeQuery, useRoutePath } from '../shell/router';
import { useCan, useSession } from '../shell/session';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { inboxApi, STATUSES, VIEWS, type Conversation, type ConversationDetail, type InboxView as View, type Message } from './api';
import { Composer } from './Composer';
import { useDuration } from './duration';
import { countdown, slaDue, snoozeUntil, tickFor } from './logic';
import { pollMs, useLiveReload } from './live';


/** Re-runs `fn` every `ms` while mounted (and not when the tab is hidden). */
export function usePoll(fn: () => void, ms: number) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') ref.current();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}

function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** "1 h 20 min", "5 min", "1 小時 20 分鐘" in the user's language. */
export function SlaBadge({ c, now }: { c: Pick<Conversation, 'firstResponseDueAt' | 'nextResponseDueAt' | 'status' | 'slaBreachedAt'>; now: number }) {
  const { t, i18n } = useTranslation();
  const duration = useDuration();
  const due = slaDue(c);
  if (!due) return null;
  const cd = countdown(due, now);
  const cls = cd.overdue || c.slaBreachedAt ? 'sla overdue' : cd.soon ? 'sla soon' : 'sla';
  return (
    <span className={cls} title={t('inbox.slaDue', { time: formatDateTime(due, i18n.language) })} data-testid="sla">
      {cd.overdue ? t('inbox.slaOverdue', { time: duration(cd.parts) }) : t('inbox.slaLeft', { time: duration(cd.parts) })}
    </span>
  );
}

export function Ticks({ m }: { m: Pick<Message, 'direction' | 'status' | 'error'> }) {
  const { t } = useTranslation();
  const tick = tickFor(m);
  if (tick.state === 'none') return null;
  const label = t(`inbox.tick.${tick.state}`) + (m.error ? `: ${m.error}` : '');
  return (
    <span className={`tick tick-${tick.state}`} title={label} aria-label={label} data-status={tick.state}>
      {tick.symbol}
    </span>
  );
}

function ConversationList({ view, selected, onSelect }: { view: View; selected: string | null; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState('open,pending');
  const [priority, setPriority] = useState('');
  const [channel, setChannel] = useState('');
  const [sort, setSort] = useState<'last_message' | 'sla_due'>('last_message');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const now = useNow();
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const filters = { view, status: status || undefined, priority: priority || undefined, channel: channel || undefined, q: query, sort };
  const list = useLoad((signal) => inboxApi.list(filters, signal), [view, status, priority, channel, query, sort]);
  const { reload } = list;
  const live = useLiveReload(reload);
  usePoll(reload, pollMs(live));
  // further pages by the cursor, kept until the first page is loaded again (filters, live update)
  const [more, setMore] = useState<{ items: Conversation[]; cursor: string | null; loading: boolean }>({ items: [], cursor: null, loading: false });
  useEffect(() => setMore({ items: [], cursor: list.data?.nextCursor ?? null, loading: false }), [list.data]);
  const loadMore = () => {
    if (!more.cursor || more.loading) return;
    setMore((m) => ({ ...m, loading: true }));
    inboxApi.list({ ...filters, cursor: more.cursor }).then(
      (page) => setMore((m) => ({ items: [...m.items, ...page.items], cursor: page.nextCursor, loading: false })),
      () => setMore((m) => ({ ...m, loading: false })),
    );
  };
  // a conversation whose deadline moved between pages can come twice: the first copy stays
  const items = [...(list.data?.items ?? []), ...more.items].filter((c, i, all) => all.findIndex((o) => o.id === c.id) === i);
  const counts = list.data?.counts;
  return (
    <aside className="inbox-list" aria-label={t('inbox.conversations')}>
      <span className={`live-state${live ? ' on' : ''}`} data-testid="live" data-live={live ? 'on' : 'off'} title={live ? t('inbox.liveOn') : t('inbox.liveOff')}>
        {live ? t('inbox.live') : t('inbox.reconnecting')}
      </span>
      <div className="inbox-views" role="tablist">
        {VIEWS.map((v) => (
          <a key={v} role="tab" aria-selected={v === view} className={v === view ? 'active' : undefined} href={`#/inbox?view=${v}`}>
            {t(`inbox.view.${v}`)}
          </a>
        ))}
      </div>
      <div className="inbox-filters">
        <input type="search" aria-label={t('inbox.search')} placeholder={t('inbox.search')} value={q} onChange={(e) => setQ(e.target.value)} />
        <div className="row">
          <select aria-label={t('inbox.status')} value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="open,pending">{t('inbox.statusActive')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`inbox.statusName.${s}`)}
              </option>
            ))}
            <option value="">{t('common.all')}</option>
          </select>
          <select aria-label={t('inbox.priority')} value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="">{t('inbox.anyPriority')}</option>
            {['P1', 'P2', 'P3'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
          <select aria-label={t('inbox.sort')} value={sort} onChange={(e) => setSort(e.target.value === 'sla_due' ? 'sla_due' : 'last_message')}>
            <option value="last_message">{t('inbox.sortName.last_message')}</option>
            <option value="sla_due">{t('inbox.sortName.sla_due')}</option>
          </select>
          <select aria-label={t('inbox.channel')} value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">{t('inbox.anyChannel')}</option>
            {['whatsapp', 'sms', 'email'].map((c) => (
              <option key={c} value={c}>
                {t(`inbox.channelName.${c}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {list.error ? <ErrorBanner error={list.error} onRetry={reload} /> : null}
      {!list.data && list.loading ? <Spinner /> : null}
      {counts && items.length > 0 ? (
        <div className="muted small inbox-counts" data-testid="inbox-counts">
          {t('inbox.counts', { total: counts.capped ? `${counts.total}+` : counts.total, unread: counts.unread >= counts.total && counts.capped ? `${counts.unread}+` : counts.unread })}
        </div>
      ) : null}
      {list.data && items.length === 0 ? <EmptyState title={t('inbox.empty')} /> : null}
      <ul className="inbox-items">
        {items.map((c) => (
          <li key={c.id}>
            <button type="button" className={`inbox-item${c.id === selected ? ' selected' : ''}`} onClick={() => onSelect(c.id)} aria-current={c.id === selected ? 'true' : undefined} data-testid="conversation">
              <span className="row">
                <strong className="ellipsis">{c.customer.fullName}</strong>
                <span className="spacer" />
                {c.unreadCount > 0 && <span className="unread" aria-label={t('inbox.unread', { count: c.unreadCount })}>{c.unreadCount}</span>}
              </span>
              <span className="row wrap small">
                <span className={`prio prio-${c.priority}`}>{c.priority}</span>
                <span className={`pill status-${c.status}`}>{t(`inbox.statusName.${c.status}`, { defaultValue: c.status })}</span>
                <span className="muted">{t(`inbox.channelName.${c.channel}`, { defaultValue: c.channel })}</span>
                <SlaBadge c={c} now={now} />
              </span>
            </button>
          </li>
        ))}
      </ul>
      {more.cursor ? (
        <button type="button" className="inbox-more" onClick={loadMore} disabled={more.loading}>
          {t('inbox.loadMore')}
        </button>
      ) : null}
    </aside>
  );
}

function MessageBubble({ m, authors }: { m: Message; authors: Map<string, string> }) {
  const { t, i18n } = useTranslation();
  const who = m.direction === 'in' ? null : m.authorId ? (authors.get(m.authorId) ?? t('inbox.agent')) : m.origin && m.origin !== 'agent' ? t('inbox.bot') : t('inbox.agent');
  return (
    <li className={`msg msg-${m.direction}`} data-testid={`msg-${m.direction}`} data-origin={m.origin ?? ''}>
      {m.direction === 'note' && <span className="msg-kind">{t('inbox.internalNote')}</span>}
      <div className="msg-body">{m.template && !m.body ? t('inbox.templateBody', { name: m.template.name }) : m.body}</div>
      {m.attachments.map((a) => (
        <a key={a.url} href={a.url} target="_blank" rel="noreferrer" className="small">
          ↗ {a.name ?? a.url}
        </a>
      ))}
      <div className="msg-meta">
        {who && <span>{who}</span>}
        <span>{formatDateTime(m.createdAt, i18n.language)}</span>
        <Ticks m={m} />
      </div>
      {m.status === 'failed' && m.error && <div className="msg-error">{m.error}</div>}
    </li>
  );
}

function Actions({ c, onChanged }: { c: ConversationDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const me = useSession((s) => s.user);
  const { users } = useLookups();
  const teams = useLoad((signal) => inboxApi.teams(signal), []).data ?? [];
  const [error, setError] = useState<unknown>(null);
  async function act(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div className="inbox-actions">
      <div className="row wrap">
        {me && c.assigneeId !== me.id && (
          <button type="button" onClick={() => void act(() => inboxApi.assign(c.id, { assigneeId: me.id }))}>
            {t('inbox.take')}
          </button>
        )}
        <select
          aria-label={t('inbox.transfer')}
          value=""
          onChange={(e) => {
            const [kind, id] = e.target.value.split(':');
            if (kind === 'user') void act(() => inboxApi.assign(c.id, { assigneeId: id! }));
            if (kind === 'team') void act(() => inboxApi.assign(c.id, { assigneeId: null, teamId: id! }));
          }}
        >
          <option value="">{t('inbox.transfer')}…</option>
          {users.length > 0 && (
            <optgroup label={t('inbox.toAgent')}>
              {users.map((u) => (
                <option key={u.id} value={`user:${u.id}`}>
                  {u.name}
                </option>
              ))}
            </optgroup>
          )}
          {teams.length > 0 && (
            <optgroup label={t('inbox.toTeam')}>
              {teams.map((tm) => (
                <option key={tm.id} value={`team:${tm.id}`}>
                  {tm.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <select
          aria-label={t('inbox.snooze')}
          value=""
          onChange={(e) => {
            const v = e.target.value as '1h' | '4h' | 'tomorrow' | '';
            if (v) void act(() => inboxApi.snooze(c.id, snoozeUntil(v, new Date())));
          }}
        >
          <option value="">{t('inbox.snooze')}…</option>
          <option value="1h">{t('inbox.snooze1h')}</option>
          <option value="4h">{t('inbox.snooze4h')}</option>
          <option value="tomorrow">{t('inbox.snoozeTomorrow')}</option>
        </select>
        {c.status !== 'resolved' && (
          <button type="button" onClick={() => void act(() => inboxApi.resolve(c.id))}>
            {t('inbox.resolve')}
          </button>
        )}
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}

function CustomerSide({ c, authors }: { c: ConversationDetail; authors: Map<string, string> }) {
  const { t } = useTranslation();
  const full = useLoad((signal) => customersApi.get(c.customer.id, signal), [c.customer.id]);
  const owner = full.data?.ownerId ? (authors.get(full.data.ownerId) ?? full.data.ownerId) : null;
  const rows: [string, string | null][] = [
    [t('inbox.phone'), c.customer.phone],
    [t('inbox.email'), c.customer.email],
    [t('inbox.whatsappId'), c.customer.whatsappId],
    [t('inbox.owner'), owner],
    [t('inbox.assignee'), c.assigneeId ? (authors.get(c.assigneeId) ?? c.assigneeId) : t('inbox.unassigned')],
    [t('inbox.language'), c.language],
  ];
  return (
    <aside className="inbox-customer" aria-label={t('inbox.customer')}>
      <h3>
        <a href={`#/customers/${c.customer.id}`}>{c.customer.fullName}</a>
      </h3>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v ?? '—'}</dd>
          </div>
        ))}
      </dl>
      {full.data && full.data.tags.length > 0 && (
        <div className="chips">
          {full.data.tags.map((tg) => (
            <span key={tg.name} className="chip">
              {tg.name}
            </span>
          ))}
        </div>
      )}
    </aside>
  );
}

function ConversationPane({ id }: { id: string }) {
  const allowed = useCan();
  const { t, i18n } = useTranslation();
  const now = useNow();
  const { users } = useLookups();
  const me = useSession((s) => s.user);
  const authors = new Map(users.map((u) => [u.id, u.name]));
  if (me) authors.set(me.id, me.name);
  const detail = useLoad((signal) => inboxApi.get(id, signal), [id]);
  const { reload } = detail;
  const live = useLiveReload(reload, id);
  usePoll(reload, pollMs(live));
  const endRef = useRef<HTMLLIElement>(null);
  const count = detail.data?.messages.length ?? 0;
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);
  if (detail.error && !detail.data) return <ErrorBanner error={detail.error} onRetry={reload} />;
  if (!detail.data) return <Spinner />;
  const c = detail.data;
  return (
    <>
      <section className="inbox-thread" aria-label={t('inbox.conversation')}>
        <header className="thread-head">
          <div>
            <h2>{c.customer.fullName}</h2>
            <span className="row wrap small">
              <span className={`prio prio-${c.priority}`}>{c.priority}</span>
              <span className={`pill status-${c.status}`}>{t(`inbox.statusName.${c.status}`, { defaultValue: c.status })}</span>
              <span className="muted">{t(`inbox.channelName.${c.channel}`, { defaultValue: c.channel })}</span>
              <SlaBadge c={c} now={now} />
              {c.snoozedUntil && c.status === 'snoozed' && <span className="muted">{t('inbox.snoozedUntil', { time: formatDateTime(c.snoozedUntil, i18n.language) })}</span>}
            </span>
          </div>
          {allowed('conversation.assign') && <Actions c={c} onChanged={reload} />}
        </header>
        <ol className="messages" data-testid="messages">
          {c.messages.map((m) => (
            <MessageBubble key={m.id} m={m} authors={authors} />
          ))}
          <li ref={endRef} className="messages-end" aria-hidden="true" />
        </ol>
        {allowed('conversation.reply') && <Composer key={c.id} c={c} onSent={reload} />}
      </section>
      <CustomerSide c={c} authors={authors} />
    </>
  );
}

export function InboxScreen() {
  const { t } = useTranslation();
  const path = useRoutePath();
  const query = routeQuery(path);
  const view = (VIEWS as readonly string[]).includes(query.get('view') ?? '') ? (query.get('view') as View) : 'mine';
  const selected = query.get('c');
  return (
    <div className="inbox">
      <ConversationList view={view} selected={selected} onSelect={(id) => navigate(`/inbox?view=${view}&c=${id}`)} />
      {selected ? <ConversationPane key={selected} id={selected} /> : <div className="inbox-thread"><EmptyState title={t('inbox.pick')} /></div>}
    </div>
  );
}
