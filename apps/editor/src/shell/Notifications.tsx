// The bell in the top bar: the caller's alerts — failed runs of their flows and notify-user steps
// (each opens its run), and the inbox's (SLA breach, high value, hand-off, @mention, escalation;
// each opens its conversation) — polled every 30 s and loaded again when opened.
import { Bell } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { InboxNotificationOut, NotificationListOut } from '@nudge/contracts';
import { api } from '../api/client';
import { formatDateTime } from '../i18n/format';
import { useDismiss } from '../ui/useDismiss';

const notificationList = NotificationListOut;
type NotificationList = z.infer<typeof notificationList>;
const inboxList = z.array(InboxNotificationOut);
const INBOX_KINDS = ['sla_breach', 'high_value', 'handoff', 'mention', 'escalation'] as const;

export function Notifications() {
  const { t, i18n } = useTranslation();
  const [data, setData] = useState<NotificationList | null>(null);
  const [inbox, setInbox] = useState<InboxNotificationOut[]>([]);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const bell = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(root, open, close, bell);
  // opens below a page's toolbar (the flow editor's, a run's), so it never hides its buttons
  const [top, setTop] = useState<number | null>(null);
  const load = useCallback(() => {
    void api.get('/notifications', notificationList, { pageSize: 15 }).then(setData).catch(() => undefined);
    void api.get('/inbox/notifications', inboxList).then(setInbox).catch(() => undefined);
  }, []);
  useEffect(() => {
    load();
    const h = setInterval(load, 30_000);
    return () => clearInterval(h);
  }, [load]);
  async function markAllRead() {
    await Promise.all([
      api.post('/notifications/read', z.unknown(), { all: true }).catch(() => undefined),
      api.post('/inbox/notifications/read', z.unknown(), { all: true }).catch(() => undefined),
    ]);
    load();
  }
  const inboxUnread = inbox.filter((n) => !n.readAt);
  const unread = (data?.unread ?? 0) + inboxUnread.length;
  const inboxShown = inbox.slice(0, 15);
  return (
    <div className="notifications" ref={root}>
      <button type="button" ref={bell} className="ghost bell" aria-label={t('notifications.title', { count: unread })} aria-expanded={open} onClick={() => {
          if (!open) {
            load();
            setTop(belowToolbar());
          }
          setOpen((v) => !v);
        }}>
        <Bell size={18} aria-hidden />
        {unread > 0 && <span className="badge badge-error">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div className="notifications-panel" role="dialog" aria-label={t('notifications.heading')} style={top !== null ? { position: 'fixed', top, right: 12 } : undefined}>
          <div className="row">
            <strong>{t('notifications.heading')}</strong>
            <span className="spacer" />
            {unread > 0 && (
              <button type="button" className="link" onClick={() => void markAllRead()}>
                {t('notifications.markAllRead')}
              </button>
            )}
          </div>
          {inboxShown.length > 0 && (
            <ul className="notification-list" aria-label={t('notifications.inboxHeading')}>
              {inboxShown.map((n) => (
                <li key={n.id} className={n.readAt ? 'read' : 'unread'} data-kind={n.kind}>
                  <a href={n.conversationId ? `#/inbox?c=${n.conversationId}` : '#/inbox'} onClick={() => setOpen(false)}>
                    <strong>{(INBOX_KINDS as readonly string[]).includes(n.kind) ? t(`notifications.inbox.${n.kind}`) : t('notifications.inboxHeading')}</strong>
                  </a>
                  <div className="small">{n.body}</div>
                  <div className="muted small">{formatDateTime(n.createdAt, i18n.language)}</div>
                </li>
              ))}
            </ul>
          )}
          {!data || data.items.length === 0 ? (
            inboxShown.length === 0 && <p className="muted small">{t('notifications.none')}</p>
          ) : (
            <ul className="notification-list">
              {data.items.map((n) => (
                <li key={n.id} className={n.read ? 'read' : 'unread'}>
                  <a href={n.runId ? `#/runs/${n.runId}` : n.customerId ? `#/customers/${n.customerId}` : '#/flows'} onClick={() => setOpen(false)}>
                    <strong>{n.title}</strong>
                  </a>
                  {n.body && <div className="small">{n.body}</div>}
                  <div className="muted small">
                    {n.customerName ? `${n.customerName} · ` : ''}
                    {formatDateTime(n.createdAt, i18n.language)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** The viewport offset just below the page's toolbar, or null when the page has none. */
function belowToolbar(): number | null {
  const bar = document.querySelector('.content .toolbar');
  const bottom = bar?.getBoundingClientRect().bottom;
  return bottom ? Math.round(bottom) + 4 : null;
}
