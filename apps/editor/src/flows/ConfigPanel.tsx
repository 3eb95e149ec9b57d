// Side panel for the selected node: its name, what it does, and its config form. A checklist click
// asks it (through the store's focusRequest) to focus the field at fault.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { pickLabel } from '../i18n';
import { SchemaForm } from '../form/SchemaForm';
import type { JsonSchema } from '../form/schemaModel';
import { useFlow } from './context';
import { NodeIcon } from './icons';
import { describeProblem, describeWarning } from './problems';
import { problemPath } from '../form/schemaModel';

const focusable = 'input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled), button:not(:disabled)';

/**
 * The control of a config field inside `root`: the field drawn for `field` ("duration.amount"), or for
 * the closest field around it (a duration draws its amount itself). Null when no field is drawn for it.
 */
export function fieldControl(root: ParentNode, field: string | null): HTMLElement | null {
  if (!field) return null;
  const path = problemPath(field);
  const best = [...root.querySelectorAll<HTMLElement>('[data-field]')]
    .filter((el) => path === el.dataset.field || path.startsWith(`${el.dataset.field}.`))
    .sort((a, b) => b.dataset.field!.length - a.dataset.field!.length)[0];
  return best?.querySelector<HTMLElement>(focusable) ?? null;
}

export function ConfigPanel({ nodeId }: { nodeId: string }) {
  const { t, i18n } = useTranslation();
  const node = useFlow((s) => s.nodes.find((n) => n.id === nodeId));
  const def = useFlow((s) => (node ? s.manifest.get(node.data.nodeType) : undefined));
  const problems = useFlow(useShallow((s) => s.problems.filter((p) => p.nodeId === nodeId)));
  const warnings = useFlow(useShallow((s) => s.warnings.filter((w) => w.nodeId === nodeId)));
  const overlay = useFlow((s) => s.overlay.get(nodeId));
  const readOnly = useFlow((s) => s.readOnly);
  const allNodes = useFlow((s) => s.nodes);
  const manifest = useFlow((s) => s.manifest);
  const updateConfig = useFlow((s) => s.updateConfig);
  const updateLabel = useFlow((s) => s.updateLabel);
  const deleteSelection = useFlow((s) => s.deleteSelection);
  const focusRequest = useFlow((s) => s.focusRequest);
  const clearFocusRequest = useFlow((s) => s.clearFocusRequest);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!focusRequest || focusRequest.nodeId !== nodeId || !panel.current) return;
    const control = fieldControl(panel.current, focusRequest.field);
    clearFocusRequest();
    if (!control) return;
    control.scrollIntoView({ block: 'center' });
    control.focus({ preventScroll: true });
  }, [focusRequest, nodeId, clearFocusRequest]);
  if (!node) return null;
  const lng = i18n.language;
  const nodeLevel = problems.filter((p) => !p.field);
  const nodeLevelWarnings = warnings.filter((w) => !w.field);
  return (
    <aside className="config-panel" aria-label={t('panel.title')} ref={panel}>
      <header className="panel-head">
        <span className="node-icon" aria-hidden>
          <NodeIcon icon={def?.icon} kind={def?.kind} />
        </span>
        <div>
          <h3>{def ? pickLabel(def.label, lng) : node.data.nodeType}</h3>
          <p className="muted small">{def ? pickLabel(def.description, lng) : t('canvas.unknownNodeHint', { type: node.data.nodeType })}</p>
        </div>
      </header>
      {overlay && (
        <div className={`overlay-box step-${overlay.status}`}>
          <strong>{t(`status.${overlay.status}`, { defaultValue: overlay.status })}</strong>
          {overlay.error && <p className="field-error">{overlay.error}</p>}
        </div>
      )}
      {nodeLevel.length > 0 && (
        <ul className="problem-list compact">
          {nodeLevel.map((p, i) => (
            <li key={i} className="field-error">
              {describeProblem(p, t, { nodes: allNodes, manifest, lng })}
            </li>
          ))}
        </ul>
      )}
      {nodeLevelWarnings.length > 0 && (
        <ul className="problem-list compact">
          {nodeLevelWarnings.map((w, i) => (
            <li key={i} className="field-warning">
              ⚠ {describeWarning(w, t)}
            </li>
          ))}
        </ul>
      )}
      <div className="field">
        <label className="field-label" htmlFor={`label-${nodeId}`}>
          {t('panel.name')}
        </label>
        <input
          id={`label-${nodeId}`}
          className="nodrag"
          placeholder={def ? pickLabel(def.label, lng) : ''}
          value={node.data.label ?? ''}
          disabled={readOnly}
          onChange={(e) => updateLabel(nodeId, e.target.value)}
        />
      </div>
      {def && Object.keys((def.configSchema as JsonSchema).properties ?? {}).length > 0 ? (
        <SchemaForm
          key={nodeId}
          idPrefix={`cfg-${nodeId}`}
          schema={def.configSchema as JsonSchema}
          ui={def.ui as never}
          value={node.data.config}
          onChange={(config) => updateConfig(nodeId, config)}
          problems={problems}
          warnings={warnings}
          readOnly={readOnly}
        />
      ) : (
        <p className="muted small">{t('panel.noSettings')}</p>
      )}
      {!readOnly && (
        <footer className="panel-foot">
          <span className="muted small mono">{nodeId}</span>
          <button type="button" className="danger" onClick={deleteSelection}>
            {t('panel.delete')}
          </button>
        </footer>
      )}
    </aside>
  );
}
