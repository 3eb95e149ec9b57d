// The checklist of every problem in the draft; clicking one selects and centres its node.
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { describeProblem, describeWarning, problemLocation } from './problems';
import { useFlow } from './context';

export function ProblemsPanel({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const problems = useFlow((s) => s.problems);
  const warnings = useFlow((s) => s.warnings);
  const nodes = useFlow((s) => s.nodes);
  const manifest = useFlow((s) => s.manifest);
  const selectNode = useFlow((s) => s.selectNode);
  const rf = useReactFlow();
  function focus(nodeId: string | null | undefined) {
    if (!nodeId) return;
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) return;
    selectNode(nodeId);
    void rf.setCenter(node.position.x + 120, node.position.y + 45, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
  }
  return (
    <aside className="problems-panel" aria-label={t('problems.title')}>
      <header className="panel-head row">
        <h3>{t('problems.title')}</h3>
        <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={onClose}>
          ✕
        </button>
      </header>
      {problems.length === 0 ? (
        <p className="ok-text">✓ {t('problems.none')}</p>
      ) : (
        <ol className="problem-list">
          {problems.map((p, i) => {
            const node = p.nodeId ? nodes.find((n) => n.id === p.nodeId) : undefined;
            const ctx = { nodes, manifest, lng: i18n.language };
            return (
              <li key={i}>
                <button type="button" className="problem-item" onClick={() => focus(p.nodeId)} disabled={!node}>
                  <span className="problem-where">{problemLocation(p, t, ctx)}</span>
                  <span className="problem-message">{describeProblem(p, t, ctx)}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {warnings.length > 0 && (
        <>
          <h4 className="problem-section">{t('problems.warnings', { count: warnings.length })}</h4>
          <p className="muted small">{t('problems.warningsHint')}</p>
          <ol className="problem-list" aria-label={t('problems.warnings', { count: warnings.length })}>
            {warnings.map((w, i) => {
              const node = w.nodeId ? nodes.find((n) => n.id === w.nodeId) : undefined;
              const ctx = { nodes, manifest, lng: i18n.language };
              return (
                <li key={i}>
                  <button type="button" className="problem-item warning-item" onClick={() => focus(w.nodeId)} disabled={!node}>
                    <span className="problem-where">{problemLocation(w, t, ctx)}</span>
                    <span className="problem-message">⚠ {describeWarning(w, t)}</span>
                  </button>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </aside>
  );
}
