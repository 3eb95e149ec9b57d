// The flow editor screen: palette | canvas | side panel, with the toolbar for history, layout,
// validation, publishing, versions, test runs and live counts.
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowDetail, ManifestCategory, TestRunResult } from '../api/schemas';
import { ErrorBanner, Spinner, StatusPill } from '../ui/common';
import { formatDateTime } from '../i18n/format';
import { flowsApi, loadManifest } from './api';
import { Canvas, useReadableFit } from './Canvas';
import { ConfigPanel } from './ConfigPanel';
import { FlowStoreContext, useFlow } from './context';
import { PublishDialog, ResumeDialog, TestRunDialog, VersionsDialog } from './dialogs';
import { Palette } from './Palette';
import { ProblemsPanel } from './ProblemsPanel';
import { useFlowStore, type StepOverlay } from './store';
import { useLiveCounts } from './useLiveCounts';
import { useAutosave, type SaveState } from './useAutosave';
import { useCan } from '../shell/session';

export function FlowEditor({ flowId }: { flowId: string }) {
  const [flow, setFlow] = useState<FlowDetail | null>(null);
  const [categories, setCategories] = useState<ManifestCategory[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [ready, setReady] = useState(false);
  const editFlows = useCan()('flow.save');

  const load = useCallback(async () => {
    try {
      const [m, f] = await Promise.all([loadManifest(), flowsApi.get(flowId)]);
      useFlowStore.getState().setManifest(m.nodes);
      setCategories(m.categories);
      useFlowStore.getState().load(f.graph, { readOnly: !editFlows });
      setFlow(f);
      setReady(true);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [flowId, editFlows]);
  useEffect(() => void load(), [load]);

  if (error) return <ErrorBanner error={error} onRetry={() => void load()} />;
  if (!ready || !flow) return <Spinner />;
  return (
    <FlowStoreContext.Provider value={useFlowStore}>
      <ReactFlowProvider>
        <EditorBody flow={flow} categories={categories} onFlowChange={setFlow} />
      </ReactFlowProvider>
    </FlowStoreContext.Provider>
  );
}

export function pathEdges(path: readonly { nodeId: string; port?: string | null }[], edges: readonly { id: string; source: string; target: string; sourceHandle?: string | null }[]): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i + 1 < path.length; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    const e = edges.find((x) => x.source === a.nodeId && x.target === b.nodeId && (!a.port || (x.sourceHandle ?? 'next') === a.port)) ?? edges.find((x) => x.source === a.nodeId && x.target === b.nodeId);
    if (e) ids.add(e.id);
  }
  return ids;
}

function SaveIndicator({ state }: { state: SaveState }) {
  const { t } = useTranslation();
  return (
    <span className={`save-state save-${state}`} aria-live="polite" data-testid="save-state">
      {t(`save.${state}`)}
    </span>
  );
}

function EditorBody({ flow, categories, onFlowChange }: { flow: FlowDetail; categories: ManifestCategory[]; onFlowChange: (f: FlowDetail) => void }) {
  const { t, i18n } = useTranslation();
  const store = useFlowStore;
  const manifest = useFlow((s) => s.manifest);
  const manifestNodes = useMemo(() => [...manifest.values()], [manifest]);
  const canUndo = useFlow((s) => s.past.length > 0);
  const canRedo = useFlow((s) => s.future.length > 0);
  const problemCount = useFlow((s) => s.problems.length);
  const warningCount = useFlow((s) => s.warnings.length);
  const hasOverlay = useFlow((s) => s.overlay.size > 0);
  const readOnly = useFlow((s) => s.readOnly);
  const allowed = useCan();
  const [selected, setSelected] = useState<string | null>(null);
  const [showProblems, setShowProblems] = useState(false);
  const [dialog, setDialog] = useState<'publish' | 'resume' | 'versions' | 'test' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const { state: saveState, error: saveError, saveNow, validate } = useAutosave(flow.id, store);
  const rf = useReactFlow();
  const fit = useReadableFit();
  const [unpublished, setUnpublished] = useState(!!flow.hasUnpublishedChanges);
  useEffect(() => store.subscribe((s, prev) => s.revision !== prev.revision && setUnpublished(true)), [store]);
  const [editingName, setEditingName] = useState(false);

  async function rename(name: string) {
    setEditingName(false);
    if (!name.trim() || name.trim() === flow.name) return;
    try {
      await flowsApi.rename(flow.id, name.trim());
      onFlowChange({ ...flow, name: name.trim() });
    } catch (e) {
      setActionError(e);
    }
  }

  useEffect(() => {
    void validate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow.id]);

  // Live per-node counts: on by themselves once the flow is published, polled while the page is visible.
  const [liveCounts, setLiveCounts] = useLiveCounts(flow.id, !!flow.currentVersion, store, setActionError);

  const addAtCentre = useCallback(
    (key: string) => {
      const el = document.querySelector('.canvas');
      const rect = el?.getBoundingClientRect();
      const p = rf.screenToFlowPosition({ x: (rect?.left ?? 0) + (rect?.width ?? 800) / 2, y: (rect?.top ?? 0) + (rect?.height ?? 600) / 2 });
      store.getState().addNode(key, { x: p.x - 120 + Math.random() * 40, y: p.y - 45 + Math.random() * 40 });
    },
    [rf, store],
  );

  async function lifecycle(action: 'pause' | 'resume' | 'archive') {
    setActionError(null);
    try {
      await flowsApi.lifecycle(flow.id, action);
      onFlowChange(await flowsApi.get(flow.id));
    } catch (e) {
      setActionError(e);
    }
  }

  function showTestResult(r: TestRunResult) {
    const overlay = new Map<string, StepOverlay>();
    for (const s of r.path) overlay.set(s.nodeId, { status: s.status ?? 'done', ...(s.error ? { error: s.error } : {}) });
    store.getState().setOverlay(overlay, pathEdges(r.path, store.getState().edges));
  }

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label={t('toolbar.label')}>
        <div className="toolbar-left">
        <a href="#/flows" className="ghost">
          ← {t('nav.flows')}
        </a>
        {editingName ? (
          <input
            className="flow-name-input"
            aria-label={t('flows.name')}
            defaultValue={flow.name}
            autoFocus
            onBlur={(e) => void rename(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void rename((e.target as HTMLInputElement).value);
              if (e.key === 'Escape') setEditingName(false);
            }}
          />
        ) : (
          <h2 className="flow-name" title={readOnly ? flow.name : `${flow.name}\n${t('flows.rename')}`} onDoubleClick={() => !readOnly && setEditingName(true)}>
            {flow.name}
          </h2>
        )}
        <StatusPill status={flow.status} />
        {flow.currentVersion ? <span className="muted small">v{flow.currentVersion}</span> : null}
        {flow.currentVersion && flow.enrolls ? (
          <span className="pill enrolls-pill" data-testid="enrolls-pill" title={`${flow.enrolls.mode === 'new' ? t('enroll.headerNew', { date: formatDateTime(flow.enrolls.since ?? '', i18n.language) }) : t('enroll.headerExisting')}\n${t('enroll.question')}`}>
            {flow.enrolls.mode === 'new' ? t('enroll.headerNew', { date: formatDateTime(flow.enrolls.since ?? '', i18n.language) }) : t('enroll.headerExisting')}
          </span>
        ) : null}
        {flow.currentVersion && unpublished ? <span className="pill status-pending">{t('flows.unpublished')}</span> : null}
        {!readOnly && <SaveIndicator state={saveState} />}
        </div>
        <div className="toolbar-actions">
        {readOnly && <span className="pill">{t('toolbar.readOnly')}</span>}
        {!readOnly && (<>
        <button type="button" onClick={() => store.getState().undo()} disabled={!canUndo} title={t('toolbar.undoHint')}>
          ↶ {t('toolbar.undo')}
        </button>
        <button type="button" onClick={() => store.getState().redo()} disabled={!canRedo} title={t('toolbar.redoHint')}>
          ↷ {t('toolbar.redo')}
        </button>
        <button type="button" onClick={() => { store.getState().tidy(); requestAnimationFrame(() => fit(300)); }}>
          ⊞ {t('toolbar.tidy')}
        </button>
        </>)}
        <button type="button" className={problemCount ? 'warn' : 'ok'} onClick={() => setShowProblems((v) => !v)} aria-pressed={showProblems} data-testid="problems-toggle">
          {problemCount ? `⚠ ${t('toolbar.problems', { count: problemCount })}` : `✓ ${t('toolbar.noProblems')}`}
          {warningCount > 0 && ` · ${t('toolbar.warnings', { count: warningCount })}`}
        </button>
        {!readOnly && allowed('flow.testRun') && (
          <button type="button" onClick={() => setDialog('test')}>
            ▷ {t('toolbar.testRun')}
          </button>
        )}
        {hasOverlay && (
          <button type="button" className="ghost" onClick={() => store.getState().setOverlay(new Map())}>
            {t('toolbar.clearPath')}
          </button>
        )}
        <button type="button" onClick={() => setDialog('versions')}>
          {t('toolbar.versions')}
        </button>
        <label className="toggle">
          <input type="checkbox" checked={liveCounts} onChange={(e) => setLiveCounts(e.target.checked)} /> {t('toolbar.liveCounts')}
        </label>
        <a className="button" href={`#/flows/${flow.id}/runs`}>
          {t('toolbar.runs')}
        </a>
        {readOnly ? null : flow.status === 'active' && allowed('flow.pause') ? (
          <button type="button" onClick={() => void lifecycle('pause')}>
            {t('toolbar.pause')}
          </button>
        ) : flow.status === 'paused' && allowed('flow.resume') ? (
          <button type="button" onClick={() => setDialog('resume')}>
            {t('toolbar.resume')}
          </button>
        ) : null}
        {!readOnly && allowed('flow.archive') && flow.status !== 'archived' && flow.currentVersion ? (
          <button type="button" className="ghost" onClick={() => void lifecycle('archive')}>
            {t('toolbar.archive')}
          </button>
        ) : null}
        {!readOnly && allowed('flow.publish') && (
          <button
            type="button"
            className="primary"
            onClick={() => setDialog('publish')}
            disabled={problemCount > 0}
            title={problemCount > 0 ? t('publish.hasProblems', { count: problemCount }) : undefined}
            data-testid="publish"
          >
            {t('toolbar.publish')}
          </button>
        )}
        </div>
      </div>
      {(saveError || actionError || notice) && (
        <div className="editor-messages">
          <ErrorBanner error={saveError ?? actionError} />
          {notice && (
            <div className="notice" role="status">
              {notice}
              <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={() => setNotice(null)}>
                ✕
              </button>
            </div>
          )}
        </div>
      )}
      <div className="editor-body">
        {!readOnly && <Palette nodes={manifestNodes} categories={categories} onAdd={addAtCentre} />}
        <Canvas onSelectionChange={setSelected} />
        {showProblems ? (
          <ProblemsPanel
            onClose={() => setShowProblems(false)}
            onOpen={(nodeId) => {
              setSelected(nodeId);
              setShowProblems(false);
            }}
          />
        ) : selected ? (
          <ConfigPanel nodeId={selected} />
        ) : null}
      </div>
      {dialog === 'publish' && (
        <PublishDialog
          flowId={flow.id}
          beforePublish={saveNow}
          onClose={() => setDialog(null)}
          onPublished={() => {
            setDialog(null);
            setUnpublished(false);
            void flowsApi.get(flow.id).then((f) => {
              onFlowChange(f);
              setNotice(t('publish.done', { version: f.currentVersion ?? '' }));
            });
          }}
        />
      )}
      {dialog === 'resume' && (
        <ResumeDialog
          flowId={flow.id}
          onClose={() => setDialog(null)}
          onResumed={() => {
            setDialog(null);
            void flowsApi.get(flow.id).then(onFlowChange, setActionError);
          }}
        />
      )}
      {dialog === 'versions' && (
        <VersionsDialog
          flowId={flow.id}
          onClose={() => setDialog(null)}
          onRestore={readOnly ? undefined : (graph, version) => {
            store.getState().replaceGraph(graph);
            setDialog(null);
            setNotice(t('versions.restored', { version }));
          }}
        />
      )}
      {dialog === 'test' && <TestRunDialog flowId={flow.id} beforeRun={saveNow} onClose={() => setDialog(null)} onResult={showTestResult} />}
    </div>
  );
}
