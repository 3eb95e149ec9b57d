// The bell in the top bar: the caller's alerts (failed runs of their flows, notify-user steps),
// polled every 30 s; each opens its run.
import { Bell } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { NotificationListOut } from '@nudge/contracts';
import { api } from '../api/client';
import { formatDateTime } from '../i18n/format';
import { useDismiss } from '../ui/useDismiss';

const notificationList = NotificationListOut;
type NotificationList = z.infer<typeof notificationList>;

export function Notifications() {
  const { t, i18n } = useTranslation();
  const [data, setData] = useState<NotificationList | null>(null);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const bell = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(root, open, close, bell);
  // opens below a page's toolbar (the flow editor's, a run's), so it never hides its buttons
  const [top, setTop] = useState<number | null>(null);
  const load = useCallback(() => api.get('/notifications', notificationList, { pageSize: 15 }).then(setData).catch(() => undefined), []);
  useEffect(() => {
    void load();
    const h = setInterval(() => void load(), 30_000);
    return () => clearInterval(h);
  }, [load]);
  async function markAllRead() {
    await api.post('/notifications/read', z.unknown(), { all: true }).catch(() => undefined);
    void load();
  }
  const unread = data?.unread ?? 0;
  return (
    <div className="notifications" ref={root}>
      <button type="button" ref={bell} className="ghost bell" aria-label={t('notifications.title', { count: unread })} aria-expanded={open} onClick={() => {
          if (!open) {
            void load();
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
          {!data || data.items.length === 0 ? (
            <p className="muted small">{t('notifications.none')}</p>
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
