// Publish, version history and test run: the lifecycle actions of the flow editor.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CustomerListOut } from '@nudge/contracts';
import { api, ApiError } from '../api/client';
import { problems, type EnrollChoice, type EnrollPreview, type FlowGraph, type TestRunResult } from '../api/schemas';
import { pickLabel } from '../i18n';
import { formatDateTime } from '../i18n/format';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { flowsApi } from './api';
import { outputPorts } from './ports';
import { useFlow, useFlowApi } from './context';
import { ActionText, StepText } from '../runs/ReadableLines';

export function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: React.ReactNode; wide?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={title}>
        <header className="panel-head row">
          <h3>{title}</h3>
          <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={onClose}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/**
 * Whom a publish / resume enrolls: with a segment-entry trigger, the customers in the segment
 * now too, or only those who enter from now on. Nothing is preselected: the person decides.
 */
export function EnrollQuestion({ preview, value, onChange }: { preview: EnrollPreview | undefined; value: EnrollChoice | null; onChange: (v: EnrollChoice) => void }) {
  const { t } = useTranslation();
  if (!preview) return <p className="muted" data-testid="enroll-counting">{t('enroll.counting')}</p>;
  if (!preview.asks) return null;
  const count = preview.matchingNow ?? 0;
  return (
    <fieldset className="stack enroll-question" data-testid="enroll-question">
      <legend className="field-label">{t('enroll.question')}</legend>
      <p data-testid="enroll-count">
        <strong>{t('enroll.matchingNow', { count })}</strong>
      </p>
      <label className="row">
        <input type="radio" name="enroll" value="existing" checked={value === 'existing'} onChange={() => onChange('existing')} /> {t('enroll.existing', { count })}
      </label>
      <label className="row">
        <input type="radio" name="enroll" value="new" checked={value === 'new'} onChange={() => onChange('new')} /> {t('enroll.new')}
      </label>
    </fieldset>
  );
}

/** The preview, and whether the choice is still missing (asked, customers match, nothing chosen). */
function useEnrollChoice(flowId: string, action: 'publish' | 'resume', ready: Promise<unknown> | null = null) {
  const { data: preview, error } = useLoad(async (signal) => {
    await ready; // the draft is saved first, so the count is that of the trigger being published
    return flowsApi.enrollPreview(flowId, action, signal);
  }, [flowId, action]);
  const [choice, setChoice] = useState<EnrollChoice | null>(null);
  const missing = !preview || (preview.asks && (preview.matchingNow ?? 0) > 0 && choice === null);
  return { preview, error, choice, setChoice, missing, enroll: preview?.asks ? (choice ?? undefined) : undefined };
}

export function PublishDialog({ flowId, beforePublish, onClose, onPublished }: { flowId: string; beforePublish: () => Promise<void>; onClose: () => void; onPublished: () => void }) {
  const { t } = useTranslation();
  const store = useFlowApi();
  const problemCount = useFlow((s) => s.problems.length);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved] = useState(() => beforePublish().catch(() => undefined));
  const who = useEnrollChoice(flowId, 'publish', saved);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (who.missing) {
      setError(new Error(t('enroll.required')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await beforePublish();
      await flowsApi.publish(flowId, note.trim(), who.enroll);
      onPublished();
    } catch (err) {
      // a refused publish answers 422 with details.problems (ProblemsOut)
      const list = err instanceof ApiError ? problems.safeParse(err.details).data?.problems : undefined;
      if (list?.length) store.getState().setProblems(list);
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={t('publish.title')} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        {problemCount > 0 && <p className="field-error">{t('publish.hasProblems', { count: problemCount })}</p>}
        <EnrollQuestion preview={who.preview} value={who.choice} onChange={who.setChoice} />
        <label className="field-label" htmlFor="publish-note">
          {t('publish.note')}
        </label>
        <textarea id="publish-note" rows={3} value={note} placeholder={t('publish.notePlaceholder')} onChange={(e) => setNote(e.target.value)} />
        <ErrorBanner error={error ?? who.error} />
        <div className="row end">
          <button type="button" className="ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || who.missing || problemCount > 0}>
            {busy ? t('publish.publishing') : t('publish.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Resuming a paused flow asks the same question as publishing. */
export function ResumeDialog({ flowId, onClose, onResumed }: { flowId: string; onClose: () => void; onResumed: () => void }) {
  const { t } = useTranslation();
  const who = useEnrollChoice(flowId, 'resume');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (who.missing) {
      setError(new Error(t('enroll.required')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await flowsApi.lifecycle(flowId, 'resume', who.enroll);
      onResumed();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={t('enroll.resumeTitle')} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <EnrollQuestion preview={who.preview} value={who.choice} onChange={who.setChoice} />
        <ErrorBanner error={error ?? who.error} />
        <div className="row end">
          <button type="button" className="ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || who.missing}>
            {busy ? t('enroll.resuming') : t('enroll.resumeSubmit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Without `onRestore` (a read-only flow, or a role that may not save it) the versions are only listed. */
export function VersionsDialog({ flowId, onClose, onRestore }: { flowId: string; onClose: () => void; onRestore?: (graph: FlowGraph, version: number) => void }) {
  const { t, i18n } = useTranslation();
  const { data, error, loading, reload } = useLoad((signal) => flowsApi.versions(flowId, signal), [flowId]);
  const [restoreError, setRestoreError] = useState<unknown>(null);
  async function restore(version: number) {
    setRestoreError(null);
    try {
      const v = await flowsApi.version(flowId, version);
      onRestore?.(v.graph, version);
    } catch (e) {
      setRestoreError(e);
    }
  }
  return (
    <Modal title={t('versions.title')} onClose={onClose}>
      <ErrorBanner error={error ?? restoreError} onRetry={error ? reload : undefined} />
      {loading && !data ? (
        <Spinner />
      ) : !data || data.items.length === 0 ? (
        <EmptyState title={t('versions.empty')} hint={t('versions.emptyHint')} />
      ) : (
        <ol className="version-list">
          {[...data.items].sort((a, b) => b.version - a.version).map((v) => (
            <li key={v.version}>
              <strong>v{v.version}</strong>
              <span className="muted"> · {formatDateTime(v.publishedAt, i18n.language)}</span>
              {v.publishedBy ? <span className="muted"> · {v.publishedBy.name}</span> : null}
              <p>{v.note || <span className="muted">{t('versions.noNote')}</span>}</p>
              {onRestore && <button type="button" className="link" onClick={() => void restore(v.version)}>
                {t('versions.restore')}
              </button>}
            </li>
          ))}
        </ol>
      )}
    </Modal>
  );
}

export function TestRunDialog({ flowId, beforeRun, onClose, onResult }: { flowId: string; beforeRun: () => Promise<void>; onClose: () => void; onResult: (r: TestRunResult) => void }) {
  const { t, i18n } = useTranslation();
  const manifest = useFlow((s) => s.manifest);
  const nodes = useFlow((s) => s.nodes);
  const [q, setQ] = useState('');
  const { data, error, loading } = useLoad((signal) => api.get('/customers', CustomerListOut, { q, pageSize: 8 }, signal), [q]);
  const [result, setResult] = useState<TestRunResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [runError, setRunError] = useState<unknown>(null);
  const [customerName, setCustomerName] = useState<string | null>(null);
  async function run(customerId: string, name?: string | null) {
    setCustomerName(name ?? null);
    setBusy(true);
    setRunError(null);
    try {
      await beforeRun();
      const r = await flowsApi.testRun(flowId, customerId);
      setResult(r);
      onResult(r);
    } catch (e) {
      setRunError(e);
    } finally {
      setBusy(false);
    }
  }
  const nodeName = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    const def = n ? manifest.get(n.data.nodeType) : undefined;
    return n?.data.label || (def ? pickLabel(def.label, i18n.language) : id);
  };
  const portName = (id: string, port: string) => {
    const n = nodes.find((x) => x.id === id);
    const p = n ? outputPorts(manifest.get(n.data.nodeType), n.data.config).find((x) => x.id === port) : undefined;
    return p ? (typeof p.label === 'string' ? p.label : pickLabel(p.label, i18n.language, port)) : port;
  };
  return (
    <Modal title={t('testRun.title')} onClose={onClose} wide>
      <p className="muted small">{t('testRun.explain')}</p>
      {!result && (
        <>
          <input type="search" aria-label={t('testRun.search')} placeholder={t('testRun.search')} value={q} onChange={(e) => setQ(e.target.value)} />
          <ErrorBanner error={error ?? runError} />
          {loading && !data ? <Spinner /> : null}
          <ul className="pick-list">
            {data?.items.map((c) => (
              <li key={c.id}>
                <button type="button" className="pick" disabled={busy} onClick={() => void run(c.id, c.fullName)}>
                  <strong>{c.fullName}</strong> <span className="muted">{[c.company, c.email].filter(Boolean).join(' · ')}</span>
                </button>
              </li>
            ))}
            {data && data.items.length === 0 && <li className="muted">{t('testRun.noCustomers')}</li>}
          </ul>
          {busy && <Spinner />}
        </>
      )}
      {result && (
        <div className="test-result" data-testid="test-run-result">
          <h4>{t('testRun.path')}</h4>
          <ol className="path-list">
            {result.path.map((s, i) => (
              <li key={i}>
                <strong>{nodeName(s.nodeId)}</strong> <span className={`pill status-${s.status ?? 'done'}`}>{t(`status.${s.status ?? 'done'}`, { defaultValue: s.status ?? 'done' })}</span>
                {s.port ? <span className="muted"> → {portName(s.nodeId, s.port)}</span> : null}
                {s.error ? <div className="field-error">{s.error}</div> : null}
                <StepText step={s} nodeType={nodes.find((n) => n.id === s.nodeId)?.data.nodeType} config={nodes.find((n) => n.id === s.nodeId)?.data.config} customerName={customerName} nextAt={result.path[i + 1]?.at} />
              </li>
            ))}
          </ol>
          <h4>{t('testRun.actions', { count: result.actions.length })}</h4>
          {result.actions.length === 0 ? (
            <p className="muted">{t('testRun.noActions')}</p>
          ) : (
            <ul className="action-list">
              {result.actions.map((a, i) => (
                <li key={i}>
                  <ActionText action={a} nodeName={nodeName} customerName={customerName} />
                </li>
              ))}
            </ul>
          )}
          <div className="row end">
            <button type="button" className="ghost" onClick={() => setResult(null)}>
              {t('testRun.again')}
            </button>
            <button type="button" className="primary" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </div>
      )}
    </Modal>
  );
}
