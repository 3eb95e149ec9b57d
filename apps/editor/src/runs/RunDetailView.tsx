// One run on the read-only canvas: every step's status, time and failure reason; retry a failed
// step, cancel the run. Refreshes while the run is still going.
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { flowGraph, type FlowGraph, type RunDetail, type RunStep } from '../api/schemas';
import { pickLabel } from '../i18n';
import { flowsApi, loadManifest } from '../flows/api';
import { Canvas } from '../flows/Canvas';
import { FlowStoreContext } from '../flows/context';
import { pathEdges } from '../flows/FlowEditor';
import { outputPorts } from '../flows/ports';
import { createFlowStore, type StepOverlay } from '../flows/store';
import { ErrorBanner, Spinner, StatusPill } from '../ui/common';
import { useCan } from '../shell/session';
import { RunStepsPanel } from './RunStepsPanel';

const finished = new Set(['completed', 'failed', 'cancelled', 'terminated']);

/** A send the ledger is settling (step status "unknown"): when it is resent unless the provider confirms it first. */
export function unknownSendResendAt(output: unknown): string | null {
  const send = (output as { send?: { state?: unknown; resendAt?: unknown } } | null)?.send;
  return send?.state === 'unknown' && typeof send.resendAt === 'string' ? send.resendAt : null;
}

export function stepError(error: unknown): string | undefined {
  if (error === null || error === undefined || error === '') return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && 'message' in (error as object)) return String((error as { message: unknown }).message);
  return JSON.stringify(error);
}

export function overlayFromSteps(steps: readonly RunStep[]): Map<string, StepOverlay> {
  // The latest attempt of each node wins.
  const overlay = new Map<string, StepOverlay>();
  for (const s of steps) {
    overlay.set(s.nodeId, { status: s.status, startedAt: s.startedAt, finishedAt: s.finishedAt, ...(stepError(s.error) ? { error: stepError(s.error)! } : {}) });
  }
  return overlay;
}

async function graphFor(run: RunDetail): Promise<FlowGraph> {
  if (run.graph) return run.graph;
  if (run.flowId && run.version) {
    try {
      const v = await flowsApi.version(run.flowId, run.version);
      const g = flowGraph.safeParse(v.graph);
      if (g.success) return g.data;
    } catch {
      /* fall back to the draft below */
    }
  }
  if (run.flowId) return (await flowsApi.get(run.flowId)).graph;
  return { nodes: [], edges: [] };
}

export function RunDetailView({ runId }: { runId: string }) {
  const { t, i18n } = useTranslation();
  const store = useMemo(() => createFlowStore(), []);
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const manifest = store((s) => s.manifest);
  const allowed = useCan();
  const nodes = store((s) => s.nodes);

  useEffect(() => {
    let stop = false;
    (async () => {
      try {
        const [m, r] = await Promise.all([loadManifest(), flowsApi.run(runId)]);
        if (stop) return;
        if (store.getState().manifest.size === 0) {
          store.getState().setManifest(m.nodes);
          store.getState().load(await graphFor(r), { readOnly: true });
        }
        const overlay = overlayFromSteps(r.steps);
        const path: { nodeId: string; port?: string | null }[] = r.steps.map((s) => ({ nodeId: s.nodeId, port: s.port }));
        // The trigger is where every run starts, even when the server records no step for it.
        const st = store.getState();
        const trigger = st.nodes.find((n) => st.manifest.get(n.data.nodeType)?.kind === 'trigger');
        if (trigger && (r.steps.length > 0 || r.currentNodeId) && !overlay.has(trigger.id)) {
          overlay.set(trigger.id, { status: 'done' });
          path.unshift({ nodeId: trigger.id });
        }
        // an open run at a step it has not written a row for yet (fast steps write theirs once done)
        if (r.currentNodeId && !finished.has(r.status) && !overlay.has(r.currentNodeId)) {
          overlay.set(r.currentNodeId, { status: r.status === 'waiting' ? 'waiting' : 'running' });
          path.push({ nodeId: r.currentNodeId });
        }
        store.getState().setOverlay(overlay, pathEdges(path, store.getState().edges));
        setRun(r);
        setError(null);
      } catch (e) {
        if (!stop) setError(e);
      }
    })();
    return () => {
      stop = true;
    };
  }, [runId, store, tick]);

  useEffect(() => {
    if (!run || finished.has(run.status)) return;
    const h = setTimeout(() => setTick((n) => n + 1), 3000);
    return () => clearTimeout(h);
  }, [run, tick]);

  async function act(fn: () => Promise<unknown>) {
    setActionError(null);
    try {
      await fn();
      setTick((n) => n + 1);
    } catch (e) {
      setActionError(e);
    }
  }

  if (error) return <ErrorBanner error={error} onRetry={() => setTick((n) => n + 1)} />;
  if (!run) return <Spinner />;
  const nodeName = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    const def = n ? manifest.get(n.data.nodeType) : undefined;
    return n?.data.label || (def ? pickLabel(def.label, i18n.language) : id);
  };
  const portName = (nodeId: string, port: string) => {
    const n = nodes.find((x) => x.id === nodeId);
    const p = n ? outputPorts(manifest.get(n.data.nodeType), n.data.config).find((x) => x.id === port) : undefined;
    return p ? (typeof p.label === 'string' ? p.label : pickLabel(p.label, i18n.language, port)) : port;
  };
  return (
    <FlowStoreContext.Provider value={store}>
      <ReactFlowProvider>
        <div className="editor">
          <div className="toolbar">
            {run.flowId && (
              <a href={`#/flows/${run.flowId}/runs`} className="ghost">
                ← {t('runs.title')}
              </a>
            )}
            <h2 className="flow-name" title={`${t('runs.run')} ${run.id}`}>
              {run.customerId ? <a href={`#/customers/${run.customerId}`}>{run.customerName ?? run.customerId}</a> : <span className="mono">{run.id}</span>}
            </h2>
            <StatusPill status={run.status} />
            {run.flowName ? <span className="muted small">{run.flowName}</span> : null}
            {run.version ? <span className="muted small">v{run.version}</span> : null}
            <span className="spacer" />
            {allowed('run.cancel') && !finished.has(run.status) && (
              <button type="button" className="danger" onClick={() => void act(() => flowsApi.cancelRun(run.id))}>
                {t('runs.cancel')}
              </button>
            )}
          </div>
          <ErrorBanner error={actionError} />
          <div className="editor-body">
            <Canvas />
            <aside className="config-panel" aria-label={t('runs.steps')}>
              <h3>{t('runs.steps')}</h3>
              <RunStepsPanel
                run={run}
                nodeName={nodeName}
                portName={portName}
                nodeOf={(id) => {
                  const n = nodes.find((x) => x.id === id);
                  return n ? { nodeType: n.data.nodeType, config: n.data.config } : undefined;
                }}
                canRetry={allowed('run.retry')}
                onRetry={(stepId) => void act(() => flowsApi.retryStep(run.id, stepId))}
              />
            </aside>
          </div>
        </div>
      </ReactFlowProvider>
    </FlowStoreContext.Provider>
  );
}
