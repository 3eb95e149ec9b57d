import type { TFunction } from 'i18next';
// Small shared pieces: error banner, empty state, loading hook, language switcher.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { languages } from '../i18n';
import { zodIssueText } from '../i18n/wording';

/** One issue of an API error: where (a request path) and what (a machine code, a message). */
interface ApiIssue {
  path?: unknown;
  code?: string;
  message?: string;
  value?: string;
  params?: Record<string, unknown>;
}

/** Request paths the server puts in front of its messages ("body.definition.conditions.0.tag: "). */
const DEV_PATH = /\b(?:body|query|params)(?:\.[\w-]+)+(?: \(key\))?:\s*/g;

/**
 * Where an issue is, as a person reads it: "body.definition.conditions.0.tag" → "Condition 1 · Tag";
 * empty when the path says nothing a person could use.
 */
export function humanPath(path: unknown, t: TFunction): string {
  const parts = (Array.isArray(path) ? path.map(String) : typeof path === 'string' ? path.split('.') : []).filter(
    (p) => !['body', 'query', 'params', 'definition', 'config', 'tree'].includes(p),
  );
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const next = parts[i + 1];
    if ((p === 'conditions' || p === 'children' || p === 'rules') && next !== undefined && /^\d+$/.test(next)) {
      out.push(t('errors.condition', { n: Number(next) + 1 }));
      i++;
    } else if (!/^\d+$/.test(p) && i === parts.length - 1) {
      const label = t(`fields.${p}`, { defaultValue: '' });
      if (label) out.push(label);
    }
  }
  return out.join(' · ');
}

/** What an issue says, in the UI language, without where it is. */
export function issueMessage(issue: ApiIssue, t: TFunction): string {
  const what = issue.code
    ? t(`apiIssues.${issue.code}`, { value: issue.value ?? '', defaultValue: '' }) || zodIssueText(issue.code, issue.params, t) || (issue.message ?? '')
    : (issue.message ?? '');
  return what.replace(DEV_PATH, '');
}

function issueText(issue: ApiIssue, t: TFunction): string {
  const where = humanPath(issue.path, t);
  const text = issueMessage(issue, t);
  return where ? `${where}: ${text}` : text;
}

function issuesOf(error: ApiError): ApiIssue[] {
  return Array.isArray(error.details) ? (error.details as ApiIssue[]).filter((d) => d && typeof d === 'object') : [];
}

/**
 * The issues of an API error under a request path (e.g. "body.definition"), with paths relative
 * to it and their text in the UI language: for showing each next to its own field.
 */
export function issuesUnder(error: unknown, prefix: string, t: TFunction): { path: string; text: string }[] {
  if (!(error instanceof ApiError) || error.status >= 500) return [];
  return issuesOf(error).flatMap((i) => {
    const path = Array.isArray(i.path) ? i.path.join('.') : typeof i.path === 'string' ? i.path : '';
    if (path !== prefix && !path.startsWith(`${prefix}.`)) return [];
    const text = issueMessage(i, t);
    return [{ path: path.slice(prefix.length + 1), text: text.charAt(0).toLocaleUpperCase() + text.slice(1) }];
  });
}

/**
 * An error as a person reads it, in the UI language: codes the editor knows are worded from the
 * locale files (with what the server put in details: the line, the tag, the problems); an error
 * made of field issues lists them by where they are ("Condition 1 · Tag: …"); anything else keeps
 * the server's message without the request paths meant for developers.
 */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    if (error.status === 403) return t('errors.forbidden', { message: error.message.replace(DEV_PATH, '') });
    const details = (error.details && typeof error.details === 'object' ? error.details : {}) as Record<string, unknown>;
    const known = t(`apiErrors.${error.code}`, {
      defaultValue: '',
      line: details.line ?? '',
      count: Array.isArray(details.problems) ? details.problems.length : 0,
    });
    if (known) return known;
    const issues = issuesOf(error);
    if (issues.length > 0 && error.status < 500) return issues.slice(0, 5).map((i) => issueText(i, t)).join(' ');
    return error.message.replace(DEV_PATH, '');
  }
  return error instanceof Error ? error.message : String(error);
}

/** A refusal the person can act on (a 4xx), rather than a fault of the product or the network. */
function isRefusal(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      {!isRefusal(error) && <strong>{t('errors.title')} </strong>}
      {errorText(error, t)}
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
