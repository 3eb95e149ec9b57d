// The readable lines of a run, shared by the test-run dialog and the run view (see readable.ts).
import { useTranslation } from 'react-i18next';
import { describeAction, describeStep, type StepLike } from './readable';

/** One recorded action: which step did it, then what it would have done, as a sentence. */
export function ActionText({ action, nodeName, customerName }: { action: unknown; nodeName: (id: string) => string; customerName?: string | null }) {
  const { t, i18n } = useTranslation();
  const r = describeAction(action, { t, lng: i18n.language, customerName });
  const nodeId = action && typeof action === 'object' ? (action as { nodeId?: unknown }).nodeId : undefined;
  return (
    <div className="action-line" data-testid="action-line">
      {typeof nodeId === 'string' && <span className="muted small">{nodeName(nodeId)} · </span>}
      <strong>{r.headline}</strong>
      {r.detail && <div className="muted">{r.detail}</div>}
    </div>
  );
}

/** What a step did (a wait's length and end, a task's due time …), or nothing when the status says it all. */
export function StepText({ step, nodeType, config, customerName, nextAt }: { step: StepLike; nodeType?: string; config?: unknown; customerName?: string | null; nextAt?: string | number | null }) {
  const { t, i18n } = useTranslation();
  const text = describeStep(step, nodeType, config, { t, lng: i18n.language, customerName }, nextAt);
  return text ? <div className="small" data-testid="step-text">{text}</div> : null;
}
