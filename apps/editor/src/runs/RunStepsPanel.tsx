// The step list of one run: every step so far, as a person reads it, and, while the run is open,
// where it is now — also before the runtime has written a row for that step (fast steps write
// theirs once done, and the trigger writes none), so a running run never shows a blank panel.
import { useTranslation } from 'react-i18next';
import type { RunDetail } from '../api/schemas';
import { formatDateTime } from '../i18n/format';
import { StatusPill } from '../ui/common';
import { StepText } from './ReadableLines';
import { stepError, unknownSendResendAt } from './RunDetailView';

export const finishedRun = new Set(['completed', 'failed', 'cancelled', 'terminated']);

export interface RunStepsPanelProps {
  run: RunDetail;
  nodeName: (id: string) => string;
  portName: (nodeId: string, port: string) => string;
  /** the node's type and settings on the run's version, for the readable line */
  nodeOf: (id: string) => { nodeType?: string; config?: unknown } | undefined;
  canRetry: boolean;
  onRetry: (stepId: string) => void;
}

export function RunStepsPanel({ run, nodeName, portName, nodeOf, canRetry, onRetry }: RunStepsPanelProps) {
  const { t, i18n } = useTranslation();
  const open = !finishedRun.has(run.status);
  const last = run.steps[run.steps.length - 1];
  // the run is at a node it has no open step row for yet
  const atUnrecorded = open && run.currentNodeId && !(last && last.nodeId === run.currentNodeId && !last.finishedAt);
  return (
    <>
      {stepError(run.error) && <p className="field-error">{stepError(run.error)}</p>}
      {open && run.steps.length === 0 && !run.currentNodeId && (
        <p className="muted small" data-testid="no-steps-yet">
          {t('readable.noStepsYet')}
        </p>
      )}
      <ol className="step-list" data-testid="run-steps">
        {run.steps.map((s, i) => (
          <li key={s.id} className={`step step-${s.status}`}>
            <div className="row">
              <strong>{nodeName(s.nodeId)}</strong>
              <StatusPill status={s.status} />
            </div>
            <StepText
              step={{ status: s.status, output: s.output, at: s.startedAt }}
              nodeType={s.nodeType ?? nodeOf(s.nodeId)?.nodeType}
              config={nodeOf(s.nodeId)?.config}
              customerName={run.customerName}
              nextAt={run.steps[i + 1]?.startedAt}
            />
            <div className="muted small">
              {formatDateTime(s.startedAt, i18n.language)}
              {s.finishedAt ? ` → ${formatDateTime(s.finishedAt, i18n.language)}` : ''}
              {s.attempt && s.attempt > 1 ? ` · ${t('runs.attempt', { n: s.attempt })}` : ''}
            </div>
            {stepError(s.error) && <p className="field-error">{stepError(s.error)}</p>}
            {s.status === 'unknown' && (
              <p className="muted small" data-testid="send-unknown">
                {unknownSendResendAt(s.output)
                  ? t('runs.unknownSendResend', { at: formatDateTime(unknownSendResendAt(s.output)!, i18n.language) })
                  : t('runs.unknownSend')}
              </p>
            )}
            {s.port ? <div className="muted small">→ {portName(s.nodeId, s.port)}</div> : null}
            {s.output !== undefined && s.output !== null && (
              <details className="step-output">
                <summary>{t('runs.output')}</summary>
                <pre>{JSON.stringify(s.output, null, 2)}</pre>
              </details>
            )}
            {canRetry && s.status === 'failed' && (
              <button type="button" className="secondary small" onClick={() => onRetry(s.id)}>
                ↻ {t('runs.retry')}
              </button>
            )}
          </li>
        ))}
        {atUnrecorded && (
          <li className={`step step-${run.status}`} data-testid="run-now">
            <div className="row">
              <strong>{nodeName(run.currentNodeId!)}</strong>
              <StatusPill status={run.status} />
            </div>
            <div className="muted small">{run.status === 'waiting' ? t('readable.nowWaiting') : t('readable.now')}</div>
          </li>
        )}
      </ol>
    </>
  );
}
