// The checklist of every problem in the draft; clicking one selects and centres its node and opens
// its settings with the field at fault focused (`onOpen` swaps this panel for the node's).
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { describeProblem, describeWarning, problemLocation } from './problems';
import { useFlow } from './context';

export function ProblemsPanel({ onClose, onOpen }: { onClose: () => void; onOpen?: (nodeId: string) => void }) {
  const { t, i18n } = useTranslation();
  const problems = useFlow((s) => s.problems);
  const warnings = useFlow((s) => s.warnings);
  const nodes = useFlow((s) => s.nodes);
  const manifest = useFlow((s) => s.manifest);
  const focusField = useFlow((s) => s.focusField);
  const rf = useReactFlow();
  function focus(nodeId: string | null | undefined, field?: string | null) {
    if (!nodeId) return;
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) return;
    focusField(nodeId, field);
    const width = node.measured?.width ?? 240;
    const height = node.measured?.height ?? 90;
    void rf.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
    onOpen?.(nodeId);
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
                <button type="button" className="problem-item" data-testid="problem-item" onClick={() => focus(p.nodeId, p.field)} disabled={!node}>
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
                  <button type="button" className="problem-item warning-item" onClick={() => focus(w.nodeId, w.field)} disabled={!node}>
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
