import type { TFunction } from 'i18next';
// Small shared pieces: error banner, empty state, loading hook, language switcher.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { languages } from '../i18n';

export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    if (error.status === 403) return t('errors.forbidden', { message: error.message });
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const details = error instanceof ApiError && Array.isArray(error.details) ? (error.details as { path?: unknown; message?: string }[]) : [];
  return (
    <div className="error-banner" role="alert">
      <strong>{t('errors.title')}</strong> {errorText(error, t)}
      {details.length > 0 && (
        <ul>
          {details.slice(0, 10).map((d, i) => (
            <li key={i}>{[Array.isArray(d.path) ? d.path.join('.') : d.path, d.message].filter(Boolean).join(': ')}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, hint, action }: { title: string; hint?: string; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {hint && <p className="muted">{hint}</p>}
      {action}
    </div>
  );
}

/** Loads data on mount and whenever deps change; exposes reload(). */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    loadRef
      .current(ctrl.signal)
      .then((d) => {
        if (!ctrl.signal.aborted) {
          setData(d);
          setError(null);
        }
      })
      .catch((e: unknown) => {
        if (!ctrl.signal.aborted) setError(e);
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('shell.language')}</span>
      <select aria-label={t('shell.language')} value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {languages.map((l) => (
          <option key={l.code} value={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Spinner() {
  const { t } = useTranslation();
  return <div className="spinner" role="status" aria-label={t('common.loading')} />;
}

export function StatusPill({ status }: { status: string }) {
  const { t } = useTranslation();
  return <span className={`pill status-${status}`}>{t(`status.${status}`, { defaultValue: status })}</span>;
}
